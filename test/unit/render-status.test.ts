// renderStatus against golden files in test/fixtures/golden/ (UPDATE_GOLDEN=1 rewrites them).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expectGolden } from '../support/golden.js';
import { RECORDED_IDS, recordedEtcdMember } from '../support/members.js';
import { renderStatus, summaryLine } from '../../cli/render/status.js';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';

const OBSERVED_AT = new Date('2025-01-02T03:04:05.000Z');

const member = (name: 'n1' | 'n2' | 'n3', overrides: Partial<MemberStatus> = {}): MemberStatus =>
  recordedEtcdMember(name, { dbSizeInUseBytes: 16384, version: '3.4.23', ...overrides });

function status(members: MemberStatus[]): ClusterStatus {
  return assembleClusterStatus({
    cluster: 'prod',
    kind: 'etcd',
    clusterId: '11781583481586153177',
    members,
    observedAt: OBSERVED_AT,
  });
}

const unreachable = (): MemberStatus => ({
  id: RECORDED_IDS.n3,
  name: 'n3',
  endpoint: 'http://127.0.0.1:23703',
  role: 'unknown',
  voter: true,
  reachable: false,
  error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:23703' },
  alarms: [],
});

function assertClean(text: string): void {
  assert.doesNotMatch(text, /undefined|NaN|\[object/);
  for (const line of text.split('\n')) assert.equal(line, line.trimEnd(), 'no trailing blanks');
}

describe('renderStatus', () => {
  test('3 healthy members (golden)', () => {
    const text = renderStatus(
      status([member('n3', { commitIndex: 11, appliedIndex: 11 }), member('n1'), member('n2')]),
    );
    assertClean(text);
    expectGolden('status-healthy.txt', text);
  });

  test('one unreachable member with its error (golden)', () => {
    const text = renderStatus(
      status([member('n1', { commitIndex: 15, appliedIndex: 15 }), member('n2'), unreachable()]),
    );
    assertClean(text);
    assert.match(
      text,
      /^n3 +http:\/\/127\.0\.0\.1:23703 +unreachable +- .*connect ECONNREFUSED 127\.0\.0\.1:23703$/m,
    );
    expectGolden('status-unreachable.txt', text);
  });

  test('summary line without a leader or quorum', () => {
    const noQuorum = status([
      member('n1', {
        role: 'unknown',
        leaderId: undefined,
        reportedErrors: ['etcdserver: no leader'],
      }),
      { ...unreachable(), id: RECORDED_IDS.n2, name: 'n2' },
      unreachable(),
    ]);
    assert.equal(
      summaryLine(noQuorum),
      'prod (etcd): NO LEADER, NO QUORUM (1/3 voters reachable, majority 2)',
    );
    const text = renderStatus(noQuorum);
    assertClean(text);
    assert.match(text, /etcdserver: no leader/);
  });

  test('alarms and reported errors share the ERRORS column', () => {
    const text = renderStatus(
      status([member('n1', { alarms: ['NOSPACE'], reportedErrors: ['disk slow'] }), member('n2')]),
    );
    assert.match(text, /^n1 .* {2}disk slow; alarm NOSPACE$/m);
  });

  test('a column no member fills is left out; a member without a value shows a dash', () => {
    const bare = { quotaBytes: undefined, dbSizeBytes: undefined, version: undefined };
    const text = renderStatus(status([member('n1', bare)]));
    assertClean(text);
    const header = text.split('\n')[2] ?? '';
    assert.doesNotMatch(header, /DB SIZE|QUOTA|VERSION/);
    assert.match(header, /IN USE/);

    const mixed = renderStatus(status([member('n1', bare), member('n2')]));
    const row = mixed.split('\n').find((line) => line.startsWith('n1 '));
    assert.ok(row);
    assert.deepEqual(row.split(/ {2,}/).slice(6, 10), ['-', '16 KiB', '-', '-']);
  });

  test('system attributes become columns and a cluster line, in the order reported', () => {
    const zk = assembleClusterStatus({
      cluster: 'zk',
      kind: 'zookeeper',
      members: [
        recordedEtcdMember('n1', {
          attributes: { zxid: '0x200000005', latencyMaxMs: 12, readOnly: false },
        }),
        recordedEtcdMember('n2', { attributes: { zxid: '0x200000004' } }),
      ],
      attributes: { configVersion: '0x100000000', syncedFollowers: 1 },
      observedAt: OBSERVED_AT,
    });
    const lines = renderStatus(zk).split('\n');
    assert.equal(lines[1], 'config version 0x100000000, synced followers 1');
    assert.match(lines[3] ?? '', /QUOTA +ZXID +LATENCY MAX MS +READ ONLY +ERRORS$/);
    assert.match(lines[4] ?? '', / 0x200000005 +12 +no$/);
    assert.match(lines[5] ?? '', / 0x200000004 +- +-$/);
  });

  test('Multi-Raft groups: counts per type and the worst groups (golden)', () => {
    const nats = assembleClusterStatus({
      cluster: 'js',
      kind: 'nats',
      members: [member('n1'), member('n2'), { ...unreachable(), name: 'n3' }],
      groups: {
        total: 23,
        leaderless: 1,
        underReplicated: 2,
        byType: [
          { type: 'consumer', total: 3, leaderless: 0, underReplicated: 0 },
          { type: 'stream', total: 20, leaderless: 1, underReplicated: 2 },
        ],
        worst: [
          {
            id: 'stream ORDERS',
            type: 'stream',
            replicas: 3,
            healthyReplicas: 1,
            problems: ['no leader', 'replica n3 offline'],
          },
          {
            id: 'stream EVENTS',
            type: 'stream',
            leader: 'n2',
            replicas: 3,
            healthyReplicas: 2,
            lagEntries: 40,
            problems: ['replica n3 offline'],
          },
        ],
      },
      observedAt: OBSERVED_AT,
    });
    const text = renderStatus(nats);
    assertClean(text);
    assert.match(
      text,
      /^Raft groups: 23 \(3 consumer, 20 stream\), 1 leaderless, 2 under-replicated$/m,
    );
    expectGolden('status-groups.txt', text);
  });

  test('a system without terms (NATS 2.9) names the leader only', () => {
    const nats = assembleClusterStatus({
      cluster: 'js',
      kind: 'nats',
      members: [
        member('n1', { role: 'leader', term: undefined }),
        member('n2', { term: undefined }),
      ],
      observedAt: OBSERVED_AT,
    });
    assert.match(summaryLine(nats), /^js \(nats\): leader n1, quorum margin 0/);
  });

  test('per-group leadership says so instead of NO LEADER', () => {
    const cockroach = assembleClusterStatus({
      cluster: 'crdb',
      kind: 'cockroach',
      leadership: 'per-group',
      members: [member('n1', { role: 'peer' }), member('n2', { role: 'peer' })],
      observedAt: OBSERVED_AT,
    });
    assert.match(summaryLine(cockroach), /^crdb \(cockroach\): leaders per group, quorum margin 0/);
  });
});
