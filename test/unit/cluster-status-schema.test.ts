// docs/schema/cluster-status.v1.json describes exactly what assembleClusterStatus builds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { summarizeGroups } from '../../core/groups.js';
import { SYSTEM_KINDS, type MemberStatus } from '../../core/model.js';
import {
  assertValidClusterStatus,
  clusterStatusSchemaErrors,
} from '../support/cluster-status-schema.js';
import { reachableMember, unreachableMember } from '../support/members.js';

const OBSERVED_AT = new Date('2026-11-29T05:00:00.000Z');

function multiRaftStatus() {
  return assembleClusterStatus({
    cluster: 'js',
    kind: 'nats',
    members: [reachableMember('n1', { role: 'leader', attributes: { streams: 20 } })],
    groups: summarizeGroups([
      { id: 'stream A', type: 'stream', replicas: 3, healthyReplicas: 2, problems: ['n3 offline'] },
    ]),
    attributes: { metaClusterSize: 3, jetstream: true, domain: 'hub' },
    observedAt: OBSERVED_AT,
  });
}

describe('cluster-status.v1.json', () => {
  test('a Multi-Raft status with groups and attributes is valid', () => {
    assertValidClusterStatus(multiRaftStatus());
  });

  test('law: any status assembled from members of any kind is valid', () => {
    const member = fc
      .record({
        name: fc.constantFrom('n1', 'n2', 'n3', 'n4', 'n5'),
        role: fc.constantFrom('leader', 'follower', 'learner', 'observer', 'peer', 'unknown'),
        reachable: fc.boolean(),
        voter: fc.boolean(),
        term: fc.nat(1000),
        commitIndex: fc.nat(),
        zxid: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value) => value.toString(16)),
      })
      .map(({ name, reachable, zxid, ...rest }): MemberStatus => {
        const base = reachable ? reachableMember(name) : unreachableMember(name);
        return { ...base, ...rest, reachable, attributes: { zxid: `0x${zxid}` } };
      });
    fc.assert(
      fc.property(
        fc.constantFrom(...SYSTEM_KINDS),
        fc.array(member, { maxLength: 5 }),
        (kind, members) => {
          const status = assembleClusterStatus({
            cluster: 'c',
            kind,
            members,
            ...(kind === 'cockroach' && { leadership: 'per-group' as const }),
            observedAt: OBSERVED_AT,
          });
          assert.deepEqual(clusterStatusSchemaErrors(JSON.parse(JSON.stringify(status))), []);
        },
      ),
    );
  });

  test('rejects what consumers could not rely on', () => {
    const valid = multiRaftStatus();
    const broken: [string, unknown, RegExp][] = [
      ['unknown kind', { ...valid, kind: 'raft' }, /\/kind/],
      ['missing quorum', { ...valid, quorum: undefined }, /quorum/],
      [
        'unknown member field',
        { ...valid, members: [{ ...valid.members[0], zxid: '0x1' }] },
        /additional/,
      ],
      [
        'attribute key not camelCase',
        { ...valid, attributes: { 'high-watermark': 1 } },
        /property name/,
      ],
      [
        'nested attribute value',
        { ...valid, attributes: { nested: { a: 1 } } },
        /attributes\/nested/,
      ],
      [
        'negative index',
        { ...valid, members: [{ ...valid.members[0], commitIndex: -1 }] },
        /commitIndex/,
      ],
      [
        'group without replicas',
        {
          ...valid,
          groups: {
            ...valid.groups,
            worst: [{ id: 'x', type: 's', healthyReplicas: 1, problems: [] }],
          },
        },
        /replicas/,
      ],
      [
        'unknown group summary field',
        { ...valid, groups: { ...valid.groups, regions: 1 } },
        /unevaluated/,
      ],
      ['observedAt not a time', { ...valid, observedAt: 'yesterday' }, /observedAt/],
    ];
    for (const [why, value, expected] of broken) {
      const errors = clusterStatusSchemaErrors(JSON.parse(JSON.stringify(value)));
      assert.ok(errors.length > 0, `${why}: expected a schema error`);
      assert.match(errors.join('\n'), expected, why);
    }
  });
});
