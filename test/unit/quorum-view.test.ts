import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UnsafeOperationError } from '../../core/errors.js';
import {
  applyChange,
  guardedChange,
  quorumOf,
  quorumViolation,
  viewOf,
  type QuorumView,
  type ViewChange,
} from '../../core/maintenance/quorum-view.js';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { reachableMember, unreachableMember } from '../support/members.js';

function view(spec: string): QuorumView {
  // "n1:v+ n2:v- n3:l+": name, voter (v) or learner (l), healthy (+) or not (-).
  return {
    members: spec.split(' ').map((token) => {
      const [name = '', flags = ''] = token.split(':');
      return { name, voter: flags[0] === 'v', healthy: flags[1] === '+', leader: false };
    }),
  };
}

describe('quorum view', () => {
  it('refuses removing a healthy voter from a 2-of-3 healthy cluster, with the arithmetic', () => {
    const cluster = view('n1:v+ n2:v+ n3:v-');
    assert.equal(
      quorumViolation(cluster, { type: 'remove', member: 'n2' }),
      'removing n2 leaves 1 of 2 healthy voters; majority of 2 is 2',
    );
    assert.throws(
      () => guardedChange(cluster, { type: 'remove', member: 'n2' }),
      (error: unknown) =>
        error instanceof UnsafeOperationError &&
        error.exitCode === 4 &&
        error.message.includes('majority of 2 is 2'),
    );
  });

  it('allows removing the unhealthy voter: 2 of 2 healthy keeps a majority', () => {
    const after = guardedChange(view('n1:v+ n2:v+ n3:v-'), { type: 'remove', member: 'n3' });
    assert.deepEqual(quorumOf(after), {
      voters: 2,
      healthyVoters: 2,
      majority: 2,
      faultTolerance: 0,
      quorumMargin: 0,
      hasQuorum: true,
    });
  });

  it('counts learners out of the quorum until promoted', () => {
    const added = applyChange(view('n1:v+ n2:v+ n3:v+'), {
      type: 'add',
      member: 'n4',
      voter: false,
    });
    assert.equal(quorumOf(added).voters, 3);
    assert.equal(quorumOf(applyChange(added, { type: 'promote', member: 'n4' })).voters, 4);
  });

  it('taking a member out of service counts it unhealthy and drops its leadership', () => {
    const led = applyChange(view('n1:v+ n2:v+ n3:v+'), { type: 'lead', member: 'n1' });
    const out = applyChange(led, { type: 'unavailable', member: 'n1' });
    assert.deepEqual(
      out.members.map((member) => [member.name, member.healthy, member.leader]),
      [
        ['n1', false, false],
        ['n2', true, false],
        ['n3', true, false],
      ],
    );
    assert.equal(
      quorumViolation(out, { type: 'unavailable', member: 'n2' })?.includes('1 of 3'),
      true,
    );
  });

  it('rejects changes naming members the view does not have, and duplicate adds', () => {
    assert.throws(() => applyChange(view('n1:v+'), { type: 'remove', member: 'n9' }), RangeError);
    assert.throws(
      () => applyChange(view('n1:v+'), { type: 'add', member: 'n1', voter: true }),
      RangeError,
    );
  });

  it('removing the last voter is refused', () => {
    assert.equal(
      quorumViolation(view('n1:v+'), { type: 'remove', member: 'n1' }),
      'removing n1 leaves no voters',
    );
  });

  it('reads voters, health and the leader from a ClusterStatus', () => {
    const status = assembleClusterStatus({
      cluster: 'c',
      kind: 'etcd',
      members: [
        reachableMember('n1', { role: 'leader', term: 3 }),
        reachableMember('n2'),
        unreachableMember('n3'),
      ],
      observedAt: new Date(0),
    });
    assert.deepEqual(viewOf(status).members, [
      { name: 'n1', voter: true, healthy: true, leader: true },
      { name: 'n2', voter: true, healthy: true, leader: false },
      { name: 'n3', voter: true, healthy: false, leader: false },
    ]);
  });

  it('property: a change the guard allows never leaves fewer healthy voters than a majority', () => {
    const member = fc.record({ voter: fc.boolean(), healthy: fc.boolean() });
    const arbitraryView = fc.array(member, { minLength: 1, maxLength: 7 }).map((members) => ({
      members: members.map((m, index) => ({ ...m, name: `n${index + 1}`, leader: false })),
    }));
    fc.assert(
      fc.property(arbitraryView, fc.nat(), fc.nat(6), (cluster, pick, changeIndex) => {
        const target = cluster.members[pick % cluster.members.length]!.name;
        const changes: ViewChange[] = [
          { type: 'remove', member: target },
          { type: 'promote', member: target },
          { type: 'unavailable', member: target },
          { type: 'available', member: target },
          { type: 'lead', member: target },
          { type: 'add', member: 'n99', voter: true, healthy: false },
          { type: 'add', member: 'n99', voter: false },
        ];
        const change = changes[changeIndex % changes.length]!;
        try {
          const after = quorumOf(guardedChange(cluster, change));
          return after.voters > 0 && after.healthyVoters >= after.majority;
        } catch (error) {
          return error instanceof UnsafeOperationError;
        }
      }),
    );
  });
});
