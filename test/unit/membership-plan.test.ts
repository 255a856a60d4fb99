import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isQuorumctlError, UnsafeOperationError, UsageError } from '../../core/errors.js';
import {
  parseSimulatedChange,
  planAddMember,
  planPromoteMember,
  planRemoveMember,
  planReplaceMember,
  simulateChanges,
  sizeRisks,
} from '../../core/maintenance/membership-plan.js';
import type { MaintenancePlan } from '../../core/maintenance/plan.js';
import type { ClusterStatus } from '../../core/model.js';
import { clusterOf } from '../support/membership-cluster.js';

const actions = (plan: MaintenancePlan) => plan.steps.map((step) => step.action);
const riskCodes = (plan: MaintenancePlan) => plan.risks.map((risk) => risk.code);

function refused(code: string, message?: RegExp | string) {
  return (error: unknown) => {
    assert.ok(isQuorumctlError(error), `not a typed error: ${String(error)}`);
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else if (message !== undefined) assert.match(error.message, message);
    return true;
  };
}

describe('planAddMember', () => {
  it('etcd: learner, start, catch up, promote; quorum counts the learner only once promoted', () => {
    const plan = planAddMember(clusterOf('n1:L n2:F n3:F'), { name: 'n4' });
    assert.deepEqual(actions(plan), ['add-learner', 'start-member', 'wait-caught-up', 'promote']);
    assert.deepEqual(
      plan.steps.map((step) => [step.quorumAfter.voters, step.quorumAfter.healthyVoters]),
      [
        [3, 3],
        [3, 3],
        [3, 3],
        [4, 4],
      ],
    );
    assert.ok(plan.steps.every((step) => step.member === 'n4'));
    assert.equal(plan.steps[2]?.mutates, false);
    assert.ok(riskCodes(plan).includes('EVEN_VOTER_COUNT'));
  });

  it('--no-promote stops after catch-up and says how to promote later', () => {
    const plan = planAddMember(clusterOf('n1:L n2:F n3:F'), { name: 'n4', promote: false });
    assert.deepEqual(actions(plan), ['add-learner', 'start-member', 'wait-caught-up']);
    assert.ok(riskCodes(plan).includes('LEARNER_LEFT'));
  });

  it('etcd: a learner may join a 2-of-3 healthy cluster (it does not count)', () => {
    const plan = planAddMember(clusterOf('n1:L n2:F n3:D'), { name: 'n4' });
    assert.equal(plan.steps.at(-1)?.quorumAfter.healthyVoters, 3);
    assert.equal(plan.steps.at(-1)?.quorumAfter.voters, 4);
  });

  it('etcd: a voter added to a 2-of-3 healthy cluster is refused (it counts before it runs)', () => {
    assert.throws(
      () => planAddMember(clusterOf('n1:L n2:F n3:D'), { name: 'n4', role: 'voter' }),
      refused(
        'QUORUM_GUARD',
        'refused: adding n4 as a voter leaves 2 of 4 healthy voters; majority of 4 is 3',
      ),
    );
  });

  it('etcd: a voter added directly carries a warning', () => {
    const plan = planAddMember(clusterOf('n1:L n2:F n3:F'), { name: 'n4', role: 'voter' });
    assert.deepEqual(actions(plan), ['add-voter', 'start-member']);
    assert.equal(plan.steps[0]?.quorumAfter.healthyVoters, 3);
    assert.equal(plan.steps[0]?.quorumAfter.voters, 4);
    assert.ok(riskCodes(plan).includes('VOTER_BEFORE_START'));
  });

  it('ZooKeeper: start first, then reconfig, then verify the configuration version', () => {
    const zk = clusterOf('n1:L n2:F n3:F', 'zookeeper');
    assert.deepEqual(actions(planAddMember(zk, { name: 'n4' })), [
      'start-member',
      'add-voter',
      'verify-config',
    ]);
    const observer = planAddMember(zk, { name: 'n4', role: 'observer' });
    assert.deepEqual(actions(observer), ['start-member', 'add-observer', 'verify-config']);
    assert.equal(observer.steps.at(-1)?.quorumAfter.voters, 3);
    assert.throws(
      () => planAddMember(zk, { name: 'n4', role: 'learner' }),
      refused('ROLE_UNSUPPORTED'),
    );
  });

  it('NATS has no add operation: a usage error that says why', () => {
    assert.throws(
      () => planAddMember(clusterOf('n1:L n2:F n3:F', 'nats'), { name: 'n4' }),
      (error: unknown) =>
        error instanceof UsageError &&
        error.code === 'ADD_UNSUPPORTED' &&
        error.message.includes('routes'),
    );
  });

  it('one change at a time: a pending learner or unstarted member blocks another add', () => {
    assert.throws(
      () => planAddMember(clusterOf('n1:L n2:F n3:F n4:l'), { name: 'n5' }),
      (error: unknown) =>
        error instanceof UnsafeOperationError &&
        error.code === 'MEMBERSHIP_CHANGE_PENDING' &&
        error.actions.some((action) => action.includes('members promote n4')),
    );
    assert.throws(
      () => planAddMember(clusterOf('n1:L n2:F n3:F n4:u'), { name: 'n5' }),
      (error: unknown) =>
        error instanceof UnsafeOperationError &&
        error.code === 'MEMBERSHIP_CHANGE_PENDING' &&
        error.message.includes('id-n4') &&
        error.actions.some((action) => action.includes('members remove id-n4')),
    );
  });

  it('refuses an existing name and a cluster without a leader', () => {
    assert.throws(
      () => planAddMember(clusterOf('n1:L n2:F n3:F'), { name: 'n2' }),
      refused('MEMBER_EXISTS'),
    );
    assert.throws(
      () => planAddMember(clusterOf('n1:F n2:D n3:D'), { name: 'n4' }),
      refused('NO_LEADER', /1 of 3 voters healthy, majority 2/),
    );
  });
});

describe('planRemoveMember', () => {
  it('refuses removing a healthy voter from a 2-of-3 healthy cluster, with the arithmetic', () => {
    assert.throws(
      () => planRemoveMember(clusterOf('n1:L n2:F n3:D'), { name: 'n2' }),
      (error: unknown) =>
        error instanceof UnsafeOperationError &&
        error.exitCode === 4 &&
        error.message === 'refused: removing n2 leaves 1 of 2 healthy voters; majority of 2 is 2',
    );
  });

  it('removes the member that is down; no process to stop', () => {
    const plan = planRemoveMember(clusterOf('n1:L n2:F n3:D'), { name: 'n3' });
    assert.deepEqual(actions(plan), ['remove']);
    assert.deepEqual(plan.steps[0]?.quorumAfter, {
      voters: 2,
      healthyVoters: 2,
      majority: 2,
      faultTolerance: 0,
      quorumMargin: 0,
      hasQuorum: true,
    });
    assert.ok(riskCodes(plan).includes('FAULT_TOLERANCE_DROPS'));
    assert.ok(riskCodes(plan).includes('EVEN_VOTER_COUNT'));
  });

  it('a healthy member is removed, then its process stopped', () => {
    const plan = planRemoveMember(clusterOf('n1:L n2:F n3:F'), { name: 'n3' });
    assert.deepEqual(actions(plan), ['remove', 'stop-member']);
  });

  it('moves leadership away first when the leader goes and the system can move it', () => {
    const status = clusterOf('n1:L n2:F n3:F');
    const moved = planRemoveMember(status, { name: 'n1', canTransferLeader: true });
    assert.deepEqual(actions(moved), ['move-leader', 'remove', 'stop-member']);
    assert.equal(moved.steps[0]?.member, 'n2');
    const plain = planRemoveMember(status, { name: 'n1' });
    assert.deepEqual(actions(plain), ['remove', 'stop-member']);
    assert.ok(riskCodes(plain).includes('LEADER_REMOVED'));
  });

  it('an unstarted etcd member is removed by its ID', () => {
    const plan = planRemoveMember(clusterOf('n1:L n2:F n3:F n4:u'), { name: 'id-n4' });
    assert.deepEqual(actions(plan), ['remove']);
    assert.equal(plan.steps[0]?.member, 'id-n4');
  });

  it('names an unknown member and lists the real ones', () => {
    assert.throws(
      () => planRemoveMember(clusterOf('n1:L n2:F n3:F'), { name: 'n9' }),
      (error: unknown) =>
        error instanceof UsageError &&
        error.code === 'MEMBER_UNKNOWN' &&
        error.actions.some((action) => action.includes('n2 (id-n2)')),
    );
  });
});

describe('planReplaceMember', () => {
  it('etcd: add a learner, catch up, promote, then remove the old one: never below 3 healthy', () => {
    const plan = planReplaceMember(clusterOf('n1:L n2:F n3:F'), { old: 'n2', name: 'n4' });
    assert.deepEqual(actions(plan), [
      'add-learner',
      'start-member',
      'wait-caught-up',
      'promote',
      'remove',
      'stop-member',
    ]);
    assert.ok(plan.steps.every((step) => step.quorumAfter.healthyVoters >= 3));
    assert.equal(plan.steps.at(-1)?.quorumAfter.voters, 3);
    assert.ok(!riskCodes(plan).includes('FAULT_TOLERANCE_DROPS'));
  });

  it('replacing the dead member of a 2-of-3 cluster keeps a majority at every step', () => {
    const plan = planReplaceMember(clusterOf('n1:L n2:F n3:D'), { old: 'n3', name: 'n4' });
    assert.ok(plan.steps.every((step) => step.quorumAfter.hasQuorum));
    assert.deepEqual(plan.steps.at(-1)?.quorumAfter, {
      voters: 3,
      healthyVoters: 3,
      majority: 2,
      faultTolerance: 1,
      quorumMargin: 1,
      hasQuorum: true,
    });
  });

  it('ZooKeeper: verifies the configuration after the add and after the remove', () => {
    const plan = planReplaceMember(clusterOf('n1:L n2:F n3:F', 'zookeeper'), {
      old: 'n3',
      name: 'n4',
    });
    assert.deepEqual(actions(plan), [
      'start-member',
      'add-voter',
      'verify-config',
      'remove',
      'verify-config',
      'stop-member',
    ]);
  });
});

describe('planPromoteMember', () => {
  it('waits for catch-up, then promotes', () => {
    const plan = planPromoteMember(clusterOf('n1:L n2:F n3:F n4:l'), { name: 'n4' });
    assert.deepEqual(actions(plan), ['wait-caught-up', 'promote']);
    assert.equal(plan.steps[1]?.quorumAfter.voters, 4);
  });

  it('refuses voters; promotes a ZooKeeper observer to participant (one reconfig)', () => {
    assert.throws(
      () => planPromoteMember(clusterOf('n1:L n2:F n3:F'), { name: 'n2' }),
      refused('ALREADY_VOTER'),
    );
    const plan = planPromoteMember(clusterOf('n1:L n2:F n3:F n4:o', 'zookeeper'), { name: 'n4' });
    assert.deepEqual(
      plan.steps.map((step) => [step.action, step.quorumAfter.voters]),
      [
        ['wait-caught-up', 3],
        ['promote', 4],
      ],
    );
  });
});

describe('members plan (what-if)', () => {
  it('shows quorum and tolerance before and after each change, without refusing', () => {
    const plan = simulateChanges(
      clusterOf('n1:L n2:F n3:F'),
      ['add:n4', 'promote:n4', 'remove:n2', 'down:n3'].map(parseSimulatedChange),
    );
    assert.deepEqual(
      plan.steps.map((step) => `${step.quorumAfter.healthyVoters}/${step.quorumAfter.voters}`),
      ['3/3', '4/4', '3/3', '2/3'],
    );
    assert.deepEqual(
      plan.steps.map((step) => step.quorumAfter.faultTolerance),
      [1, 1, 1, 1],
    );
    assert.ok(!riskCodes(plan).includes('QUORUM_LOST'));
  });

  it('a step that loses quorum is a critical risk with the arithmetic; later steps still show', () => {
    const plan = simulateChanges(
      clusterOf('n1:L n2:F n3:F'),
      ['down:n3', 'remove:n2', 'up:n3'].map(parseSimulatedChange),
    );
    assert.equal(plan.steps.length, 3);
    const lost = plan.risks.filter((risk) => risk.code === 'QUORUM_LOST');
    assert.deepEqual(
      lost.map((risk) => [risk.severity, risk.message]),
      [['critical', 'step 2: removing n2 leaves 1 of 2 healthy voters; majority of 2 is 2']],
    );
  });

  it('etcd add-voter counts before it runs: adding 2 voters to 1 loses quorum until up', () => {
    const plan = simulateChanges(
      clusterOf('n1:L'),
      ['add-voter:n2', 'up:n2'].map(parseSimulatedChange),
    );
    assert.equal(plan.steps[0]?.quorumAfter.hasQuorum, false);
    assert.equal(plan.steps[1]?.quorumAfter.hasQuorum, true);
    assert.ok(riskCodes(plan).includes('QUORUM_LOST'));
  });

  it('warns on even counts and on more than 7 voters', () => {
    const plan = simulateChanges(
      clusterOf('n1:L n2:F n3:F n4:F n5:F n6:F n7:F', 'zookeeper'),
      ['add:n8', 'add:n9'].map(parseSimulatedChange),
    );
    assert.ok(riskCodes(plan).includes('EVEN_VOTER_COUNT'));
    assert.ok(riskCodes(plan).includes('VOTER_COUNT_ABOVE_7'));
    assert.deepEqual(sizeRisks([3, 5, 7]), []);
  });

  it('rejects malformed changes and unknown members as usage errors', () => {
    assert.throws(() => parseSimulatedChange('drop:n2'), refused('CHANGE_INVALID'));
    assert.throws(() => parseSimulatedChange('remove'), refused('CHANGE_INVALID'));
    assert.throws(
      () => simulateChanges(clusterOf('n1:L n2:F'), [parseSimulatedChange('remove:n9')]),
      refused('CHANGE_INVALID', /step 1: no member named n9/),
    );
  });
});

/** A random cluster: 1-7 voters with some down, maybe a learner, a leader among the healthy. */
const arbitraryCluster = fc
  .record({
    voters: fc.integer({ min: 1, max: 7 }),
    down: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
    learner: fc.constantFrom('none', 'l', 'x', 'u'),
    kind: fc.constantFrom('etcd' as const, 'zookeeper' as const),
  })
  .map(({ voters, down, learner, kind }) => {
    const names = Array.from({ length: voters }, (_, index) => `n${index + 1}`);
    const healthy = names.filter((_, index) => index === 0 || down[index] !== true);
    const quorum = healthy.length >= Math.floor(voters / 2) + 1;
    const tokens = names.map((name) =>
      !healthy.includes(name) ? `${name}:D` : name === 'n1' && quorum ? `${name}:L` : `${name}:F`,
    );
    if (learner !== 'none' && kind === 'etcd') tokens.push(`n8:${learner}`);
    return clusterOf(tokens.join(' '), kind);
  });

const arbitraryRequest: fc.Arbitrary<RandomRequest> = fc.oneof(
  fc.record({
    op: fc.constant('add' as const),
    role: fc.constantFrom('voter' as const, 'learner' as const, 'observer' as const, undefined),
  }),
  fc.record({
    op: fc.constantFrom('remove' as const, 'replace' as const, 'promote' as const),
    target: fc.integer({ min: 1, max: 8 }),
  }),
);

interface RandomRequest {
  op: 'add' | 'remove' | 'replace' | 'promote';
  role?: 'voter' | 'learner' | 'observer' | undefined;
  target?: number;
}

function planFor(status: ClusterStatus, request: RandomRequest): MaintenancePlan {
  const target = `n${request.target ?? 1}`;
  switch (request.op) {
    case 'add':
      return planAddMember(status, {
        name: 'n9',
        ...(request.role !== undefined && { role: request.role }),
        canTransferLeader: true,
      });
    case 'remove':
      return planRemoveMember(status, { name: target, canTransferLeader: true });
    case 'replace':
      return planReplaceMember(status, { old: target, name: 'n9', canTransferLeader: true });
    default:
      return planPromoteMember(status, { name: target });
  }
}

describe('property: no planned step leaves fewer healthy voters than a majority', () => {
  it('for random clusters and requests the planner refuses (typed) or every step keeps quorum', () => {
    fc.assert(
      fc.property(arbitraryCluster, arbitraryRequest, (status, request) => {
        let plan: MaintenancePlan;
        try {
          plan = planFor(status, request);
        } catch (error) {
          // Refusals are typed (exit 2 usage or exit 4 unsafe), never a crash.
          assert.ok(isQuorumctlError(error), String(error));
          assert.ok([2, 4].includes(error.exitCode));
          return;
        }
        // The naive reference: a majority of voters must be healthy after every step.
        for (const step of plan.steps) {
          const { voters, healthyVoters } = step.quorumAfter;
          assert.ok(
            voters > 0 && healthyVoters * 2 > voters,
            `${step.description}: ${healthyVoters}/${voters}`,
          );
        }
        // Steps chain: each begins where the previous ended, the first where the cluster is.
        plan.steps.forEach((step, index) => {
          const previous = index === 0 ? status.quorum : plan.steps[index - 1]?.quorumAfter;
          assert.deepEqual(step.quorumBefore, previous);
        });
        // At most one voter is added or removed per step: one change at a time.
        for (const step of plan.steps) {
          assert.ok(Math.abs(step.quorumAfter.voters - step.quorumBefore.voters) <= 1);
        }
      }),
      { numRuns: 500 },
    );
  });
});
