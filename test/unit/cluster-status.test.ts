// assembleClusterStatus and electedLeader: voters, lag, leader choice, ordering, quorum.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  assembleClusterStatus,
  electedLeader,
  type ClusterObservation,
} from '../../core/cluster-status.js';
import type { MemberStatus } from '../../core/model.js';
import { reachableMember, unreachableMember } from '../support/members.js';

const OBSERVED_AT = new Date('2025-01-02T03:04:05.678Z');

const member = reachableMember;

const leader = (name: string, overrides: Partial<MemberStatus> = {}): MemberStatus =>
  member(name, { role: 'leader', leaderId: `id-${name}`, ...overrides });

const learner = (name: string, overrides: Partial<MemberStatus> = {}): MemberStatus =>
  member(name, { role: 'learner', voter: false, ...overrides });

const down = (name: string, overrides: Partial<MemberStatus> = {}): MemberStatus =>
  unreachableMember(name, {
    error: { code: 'ECONNREFUSED', message: `connect ECONNREFUSED ${name}:2379` },
    ...overrides,
  });

function assemble(
  members: MemberStatus[],
  extra: Partial<ClusterObservation> = {},
): ReturnType<typeof assembleClusterStatus> {
  return assembleClusterStatus({
    cluster: 'prod',
    kind: 'etcd',
    members,
    observedAt: OBSERVED_AT,
    ...extra,
  });
}

const byId = (status: ReturnType<typeof assembleClusterStatus>, id: string): MemberStatus => {
  const found = status.members.find((candidate) => candidate.id === id);
  assert.ok(found, `member ${id} in status`);
  return found;
};

describe('assembleClusterStatus: voters', () => {
  test('learners never count as voters, reachable or not', () => {
    const status = assemble([
      leader('n1'),
      member('n2'),
      member('n3'),
      learner('n4'),
      learner('n5', { reachable: false }),
    ]);
    assert.equal(status.quorum.voters, 3);
    assert.equal(status.quorum.healthyVoters, 3);
    assert.equal(status.quorum.majority, 2);
    assert.equal(status.quorum.quorumMargin, 1);
    assert.equal(status.members.length, 5, 'learners are still listed as members');
  });

  test('a reachable learner does not keep quorum for two dead voters', () => {
    const status = assemble([leader('n1'), down('n2'), down('n3'), learner('n4')]);
    assert.equal(status.quorum.voters, 3);
    assert.equal(status.quorum.healthyVoters, 1);
    assert.equal(status.quorum.hasQuorum, false);
  });

  test('property: voters and healthy voters count only voting members', () => {
    const arbitraryMember = fc.record({
      voter: fc.boolean(),
      reachable: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(arbitraryMember, { maxLength: 12 }), (flags) => {
        const members = flags.map(({ voter, reachable }, index) =>
          voter
            ? member(`m${index}`, { reachable })
            : learner(`m${index}`, { reachable, voter: false }),
        );
        const status = assemble(members);
        assert.equal(status.quorum.voters, flags.filter((flag) => flag.voter).length);
        assert.equal(
          status.quorum.healthyVoters,
          flags.filter((flag) => flag.voter && flag.reachable).length,
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('assembleClusterStatus: lag', () => {
  test('lag is the leader commit index minus the member commit index', () => {
    const status = assemble([
      leader('n1', { commitIndex: 120 }),
      member('n2', { commitIndex: 110 }),
      member('n3', { commitIndex: 20 }),
    ]);
    assert.equal(byId(status, 'id-n1').lagEntries, 0);
    assert.equal(byId(status, 'id-n2').lagEntries, 10);
    assert.equal(byId(status, 'id-n3').lagEntries, 100);
  });

  test('a member read slightly ahead of the leader has zero lag, not negative', () => {
    const status = assemble([
      leader('n1', { commitIndex: 100 }),
      member('n2', { commitIndex: 103 }),
    ]);
    assert.equal(byId(status, 'id-n2').lagEntries, 0);
  });

  test('learners get a lag too (they replicate the log)', () => {
    const status = assemble([
      leader('n1', { commitIndex: 50 }),
      learner('n4', { commitIndex: 45 }),
    ]);
    assert.equal(byId(status, 'id-n4').lagEntries, 5);
  });

  test('no lag for unreachable members, members without an index, or without a leader', () => {
    const status = assemble([
      leader('n1', { commitIndex: 100 }),
      down('n2', { commitIndex: 10 }),
      member('n3', { commitIndex: undefined }),
    ]);
    assert.equal(byId(status, 'id-n2').lagEntries, undefined);
    assert.equal(byId(status, 'id-n3').lagEntries, undefined);

    const leaderless = assemble([member('n1', { role: 'unknown' }), member('n2')]);
    for (const each of leaderless.members) assert.equal(each.lagEntries, undefined);

    const leaderWithoutIndex = assemble([
      leader('n1', { commitIndex: undefined }),
      member('n2', { commitIndex: 5 }),
    ]);
    assert.equal(byId(leaderWithoutIndex, 'id-n2').lagEntries, undefined);
  });

  test('property: lag = max(0, leader index - member index), never negative', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1_000_000 }),
        fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 8 }),
        (leaderIndex, indexes) => {
          const members = [
            leader('leader', { commitIndex: leaderIndex }),
            ...indexes.map((commitIndex, index) => member(`m${index}`, { commitIndex })),
          ];
          const status = assemble(members);
          indexes.forEach((commitIndex, index) => {
            const lag = byId(status, `id-m${index}`).lagEntries;
            assert.equal(lag, Math.max(0, leaderIndex - commitIndex));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  test('the input members are not mutated', () => {
    const input = [member('n2', { commitIndex: 90 }), leader('n1', { commitIndex: 100 })];
    const snapshot = structuredClone(input);
    assemble(input);
    assert.deepEqual(input, snapshot);
  });
});

describe('assembleClusterStatus: leader', () => {
  test('the reachable leader sets leaderId and term', () => {
    const status = assemble([member('n2'), leader('n1', { term: 7 }), member('n3')]);
    assert.equal(status.leaderId, 'id-n1');
    assert.equal(status.term, 7);
  });

  test('two members claiming leadership: the highest term wins, in any order', () => {
    const stale = leader('n1', { term: 4, commitIndex: 50 });
    const current = leader('n2', { term: 5, commitIndex: 80 });
    for (const members of [
      [stale, current, member('n3')],
      [current, stale, member('n3')],
      [member('n3'), current, stale],
    ]) {
      const status = assemble(members);
      assert.equal(status.leaderId, 'id-n2');
      assert.equal(status.term, 5);
      assert.equal(byId(status, 'id-n1').lagEntries, 30, 'lag is measured against the winner');
    }
    assert.equal(electedLeader([stale, current])?.id, 'id-n2');
    assert.equal(electedLeader([current, stale])?.id, 'id-n2');
  });

  test('an unreachable member claiming leadership is ignored, even with a higher term', () => {
    const members = [leader('n1', { term: 5 }), leader('n2', { term: 9, reachable: false })];
    assert.equal(electedLeader(members)?.id, 'id-n1');
    assert.equal(assemble(members).term, 5);
  });

  test('no reachable leader: no leaderId and no term at all', () => {
    const status = assemble([
      member('n1', { role: 'unknown' }),
      down('n2', { role: 'leader', term: 3 }),
      member('n3', { role: 'candidate' }),
    ]);
    assert.equal('leaderId' in status, false);
    assert.equal('term' in status, false);
    assert.equal(electedLeader(status.members), undefined);
    assert.equal(electedLeader([]), undefined);
  });

  test('a leader without a term still becomes leaderId, without a term', () => {
    const status = assemble([leader('n1', { term: undefined }), member('n2')]);
    assert.equal(status.leaderId, 'id-n1');
    assert.equal('term' in status, false);
  });
});

describe('assembleClusterStatus: shape', () => {
  test('members are sorted by name, then by id', () => {
    const status = assemble([
      member('n3'),
      leader('n1'),
      member('n2', { id: 'b' }),
      member('n2', { id: 'a' }),
    ]);
    assert.deepEqual(
      status.members.map((each) => `${each.name}/${each.id}`),
      ['n1/id-n1', 'n2/a', 'n2/b', 'n3/id-n3'],
    );
  });

  test('quorum summary with unreachable members', () => {
    const fiveOneDown = assemble([
      leader('n1'),
      member('n2'),
      member('n3'),
      member('n4'),
      down('n5'),
    ]);
    assert.deepEqual(fiveOneDown.quorum, {
      voters: 5,
      healthyVoters: 4,
      majority: 3,
      faultTolerance: 2,
      quorumMargin: 1,
      hasQuorum: true,
    });
    const fiveThreeDown = assemble([
      leader('n1'),
      member('n2'),
      down('n3'),
      down('n4'),
      down('n5'),
    ]);
    assert.equal(fiveThreeDown.quorum.healthyVoters, 2);
    assert.equal(fiveThreeDown.quorum.quorumMargin, -1);
    assert.equal(fiveThreeDown.quorum.hasQuorum, false);
  });

  test('cluster, kind, clusterId, alarms and observedAt are carried over', () => {
    const status = assemble([leader('n1')], {
      cluster: 'staging',
      kind: 'etcd',
      clusterId: '11781583481586153177',
      alarms: [{ memberId: 'id-n1', alarm: 'NOSPACE' }],
    });
    assert.equal(status.cluster, 'staging');
    assert.equal(status.kind, 'etcd');
    assert.equal(status.clusterId, '11781583481586153177');
    assert.deepEqual(status.alarms, [{ memberId: 'id-n1', alarm: 'NOSPACE' }]);
    assert.equal(status.observedAt, '2025-01-02T03:04:05.678Z');
  });

  test('without clusterId and alarms: no clusterId key, an empty alarm list', () => {
    const status = assemble([leader('n1')]);
    assert.equal('clusterId' in status, false);
    assert.deepEqual(status.alarms, []);
  });

  test('no members at all: no leader and no quorum', () => {
    const status = assemble([]);
    assert.deepEqual(status.members, []);
    assert.equal(status.quorum.voters, 0);
    assert.equal(status.quorum.hasQuorum, false);
    assert.equal(status.leaderId, undefined);
  });
});
