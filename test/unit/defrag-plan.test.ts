// The defragmentation planner: order (followers, move-leader, former leader), the quorum at
// each step, the guard's refusals with the arithmetic, skips, and the property over random clusters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { QuorumctlError, UnsafeOperationError } from '../../core/errors.js';
import { freeRatio, planDefrag, resolveMember } from '../../core/maintenance/defrag-plan.js';
import type { MaintenancePlan } from '../../core/maintenance/plan.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import { reachableMember, unreachableMember } from '../support/members.js';

const MIB = 2 ** 20;

function cluster(members: MemberStatus[]): ClusterStatus {
  return assembleClusterStatus({ cluster: 'c', kind: 'etcd', members, observedAt: new Date(0) });
}

/** n1..n3 healthy; `leader` leads; each 200 MiB with 20 MiB in use. */
function healthy(leader = 'n2', count = 3): ClusterStatus {
  return cluster(
    Array.from({ length: count }, (_, index) => {
      const name = `n${index + 1}`;
      return reachableMember(name, {
        role: name === leader ? 'leader' : 'follower',
        leaderId: `id-${leader}`,
        dbSizeBytes: 200 * MIB,
        dbSizeInUseBytes: 20 * MIB,
      });
    }),
  );
}

const steps = (plan: MaintenancePlan) =>
  plan.steps.map(
    (step) => `${step.action} ${step.member ?? ''}${step.mutates ? '' : ' (no change)'}`,
  );

describe('planDefrag', () => {
  it('rolling: followers by name, then leadership moves, then the former leader; a gate after each', () => {
    const plan = planDefrag(healthy('n2'), { maxLagEntries: 1000 });
    assert.deepEqual(steps(plan), [
      'defragment n1',
      'wait-healthy n1 (no change)',
      'defragment n3',
      'wait-healthy n3 (no change)',
      'move-leader n2',
      'defragment n2',
      'wait-healthy n2 (no change)',
    ]);
    assert.deepEqual(
      plan.steps.map((step) => step.index),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.match(plan.steps[4]!.description, /from n2 to .*\(now n1\)/);
    assert.match(
      plan.steps[5]!.description,
      /defragment n2 \(former leader, 200\.0 MiB, 90% free\)/,
    );
    assert.equal(plan.operation, 'defrag');
    assert.deepEqual(plan.risks, []);
  });

  it('shows the dip while a member is out and the recovery at its gate', () => {
    const plan = planDefrag(healthy('n2'), { maxLagEntries: 1000 });
    const [defrag, gate] = plan.steps;
    assert.equal(defrag!.quorumBefore.healthyVoters, 3);
    assert.equal(defrag!.quorumAfter.healthyVoters, 2);
    assert.equal(defrag!.quorumAfter.quorumMargin, 0);
    assert.deepEqual(defrag!.unavailableDuring, ['n1']);
    assert.equal(gate!.quorumBefore.healthyVoters, 2);
    assert.equal(gate!.quorumAfter.healthyVoters, 3);
  });

  it('refuses a 3-member cluster with one member down, with the arithmetic (exit 4)', () => {
    const status = cluster([
      reachableMember('n1', { role: 'leader' }),
      reachableMember('n2'),
      unreachableMember('n3'),
    ]);
    assert.throws(
      () => planDefrag(status, { maxLagEntries: 1000 }),
      (error: unknown) =>
        error instanceof UnsafeOperationError &&
        error.exitCode === 4 &&
        error.code === 'DEFRAG_WOULD_LOSE_QUORUM' &&
        error.message ===
          'refused: taking n2 out of service leaves 1 of 3 healthy voters; majority of 3 is 2',
    );
  });

  it('a 5-member cluster with one down skips it and defragments the other four', () => {
    const status = cluster([
      reachableMember('n1', { role: 'leader' }),
      reachableMember('n2'),
      unreachableMember('n3'),
      reachableMember('n4'),
      reachableMember('n5'),
    ]);
    const plan = planDefrag(status, { maxLagEntries: 1000 });
    const skip = plan.steps.find((step) => step.member === 'n3');
    assert.equal(skip?.mutates, false);
    assert.match(
      skip?.description ?? '',
      /skip n3 \(follower\): unreachable \(connection refused\)/,
    );
    for (const step of plan.steps.filter((s) => s.action === 'defragment' && s.mutates)) {
      assert.equal(step.quorumAfter.healthyVoters, 3);
      assert.equal(step.quorumAfter.majority, 3);
    }
  });

  it('--if-fragmented keeps members below the ratio as skipped steps with their ratio', () => {
    const status = cluster([
      reachableMember('n1', { role: 'leader', dbSizeBytes: 100 * MIB, dbSizeInUseBytes: 90 * MIB }),
      reachableMember('n2', { dbSizeBytes: 100 * MIB, dbSizeInUseBytes: 30 * MIB }),
      reachableMember('n3', { dbSizeBytes: 100 * MIB, dbSizeInUseBytes: 60 * MIB }),
    ]);
    const plan = planDefrag(status, { maxLagEntries: 1000, ifFragmentedRatio: 0.5 });
    assert.deepEqual(steps(plan), [
      'defragment n2',
      'wait-healthy n2 (no change)',
      'defragment n3 (no change)',
      'defragment n1 (no change)',
    ]);
    assert.equal(
      plan.steps[2]!.description,
      'skip n3 (follower): 40% free, below --if-fragmented 50%',
    );
    assert.equal(
      plan.steps[3]!.description,
      'skip n1 (leader): 10% free, below --if-fragmented 50%',
    );
  });

  it('a 1-member cluster is allowed with a warning about unavailability, without a move', () => {
    const status = cluster([reachableMember('n1', { role: 'leader' })]);
    const plan = planDefrag(status, { maxLagEntries: 1000 });
    assert.deepEqual(steps(plan), ['defragment n1', 'wait-healthy n1 (no change)']);
    assert.equal(plan.risks[0]?.code, 'SINGLE_VOTER_UNAVAILABLE');
    assert.equal(plan.risks[0]?.severity, 'warning');
  });

  it('a 2-member cluster is refused: either member out leaves 1 of 2', () => {
    const status = cluster([reachableMember('n1', { role: 'leader' }), reachableMember('n2')]);
    assert.throws(
      () => planDefrag(status, { maxLagEntries: 1000 }),
      /1 of 2 healthy voters; majority of 2 is 2/,
    );
  });

  it('--member: one follower, or the leader after leadership moves', () => {
    assert.deepEqual(steps(planDefrag(healthy('n2'), { member: 'n3', maxLagEntries: 10 })), [
      'defragment n3',
      'wait-healthy n3 (no change)',
    ]);
    assert.deepEqual(
      steps(planDefrag(healthy('n2'), { member: 'http://n2:2379/', maxLagEntries: 10 })),
      ['move-leader n2', 'defragment n2', 'wait-healthy n2 (no change)'],
    );
  });

  it('an unknown member is a usage error listing the members; an unreachable one exit 3', () => {
    assert.throws(
      () => planDefrag(healthy(), { member: 'n9', maxLagEntries: 10 }),
      (error: unknown) =>
        error instanceof QuorumctlError &&
        error.exitCode === 2 &&
        error.actions.some((action) => action.includes('n1 (http://n1:2379)')),
    );
    const status = cluster([
      reachableMember('n1', { role: 'leader' }),
      reachableMember('n2'),
      reachableMember('n4'),
      unreachableMember('n3'),
    ]);
    assert.throws(
      () => planDefrag(status, { member: 'n3', maxLagEntries: 10 }),
      (error: unknown) => error instanceof QuorumctlError && error.exitCode === 3,
    );
  });

  it('refuses without a leader (exit 4)', () => {
    const status = cluster([reachableMember('n1', { leaderId: undefined }), reachableMember('n2')]);
    assert.throws(
      () => planDefrag(status, { maxLagEntries: 10 }),
      (error: unknown) => error instanceof UnsafeOperationError && error.code === 'NO_LEADER',
    );
  });

  it('learners are defragmented among the followers and never change the voters', () => {
    const status = cluster([
      reachableMember('n1', { role: 'leader' }),
      reachableMember('n2'),
      reachableMember('n3'),
      reachableMember('l1', { role: 'learner', voter: false }),
    ]);
    const plan = planDefrag(status, { maxLagEntries: 10 });
    const learner = plan.steps.find((step) => step.member === 'l1' && step.action === 'defragment');
    assert.match(learner?.description ?? '', /\(learner/);
    assert.equal(learner?.quorumAfter.healthyVoters, 3);
  });

  it('rejects a ratio outside 0..1 and reads free ratios and members by ID', () => {
    assert.throws(
      () => planDefrag(healthy(), { maxLagEntries: 1, ifFragmentedRatio: 50 }),
      /between 0 and 1/,
    );
    assert.equal(freeRatio({ dbSizeBytes: 100, dbSizeInUseBytes: 25 }), 0.75);
    assert.equal(freeRatio({ dbSizeBytes: 100 }), undefined);
    assert.equal(resolveMember(healthy(), 'id-n3').name, 'n3');
  });

  it('property: random clusters are refused (exit 4) or every step keeps a majority of healthy voters', () => {
    const memberSpec = fc.record({
      voter: fc.boolean(),
      reachable: fc.boolean(),
      sizeMib: fc.integer({ min: 1, max: 500 }),
      inUseShare: fc.double({ min: 0, max: 1, noNaN: true }),
      lag: fc.nat(50),
    });
    const arbitraryCluster = fc
      .record({
        members: fc.array(memberSpec, { minLength: 1, maxLength: 7 }),
        leaderPick: fc.nat(),
        ratio: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      })
      .map(({ members, leaderPick, ratio }) => {
        const candidates = members.flatMap((m, index) => (m.voter && m.reachable ? [index] : []));
        const leaderIndex =
          candidates.length === 0 ? -1 : candidates[leaderPick % candidates.length]!;
        const statuses = members.map((m, index) => {
          const name = `n${index + 1}`;
          const sizes = {
            dbSizeBytes: m.sizeMib * MIB,
            dbSizeInUseBytes: Math.floor(m.sizeMib * MIB * m.inUseShare),
          };
          const common = { voter: m.voter, leaderId: `id-n${leaderIndex + 1}`, ...sizes };
          if (!m.reachable) return unreachableMember(name, { voter: m.voter });
          return reachableMember(name, {
            ...common,
            role: index === leaderIndex ? 'leader' : m.voter ? 'follower' : 'learner',
            commitIndex: 100 - m.lag,
          });
        });
        return { status: cluster(statuses), ratio };
      });
    fc.assert(
      fc.property(arbitraryCluster, ({ status, ratio }) => {
        let plan: MaintenancePlan;
        try {
          plan = planDefrag(status, {
            maxLagEntries: 100,
            ...(ratio !== undefined && { ifFragmentedRatio: ratio }),
          });
        } catch (error) {
          return error instanceof UnsafeOperationError && error.exitCode === 4;
        }
        const singleVoter = status.quorum.voters === 1;
        for (const step of plan.steps) {
          const q = step.quorumAfter;
          if (!singleVoter && q.healthyVoters < q.majority) return false;
        }
        if (singleVoter && plan.steps.some((s) => s.mutates && s.quorumAfter.healthyVoters === 0)) {
          if (!plan.risks.some((risk) => risk.code === 'SINGLE_VOTER_UNAVAILABLE')) return false;
        }
        // Every member appears once as a defragment step; the leader's comes last, after a move.
        const defrags = plan.steps.filter((step) => step.action === 'defragment');
        if (defrags.length !== status.members.length) return false;
        const leader = status.members.find((m) => m.id === status.leaderId)!;
        const leaderStep = defrags[defrags.length - 1]!;
        if (leaderStep.member !== leader.name) return false;
        const move = plan.steps.find((step) => step.action === 'move-leader');
        if (leaderStep.mutates && status.quorum.voters > 1 && move === undefined) return false;
        if (move !== undefined && move.index > leaderStep.index) return false;
        // Unreachable members are never defragmented.
        return defrags.every(
          (step) => !step.mutates || status.members.find((m) => m.name === step.member)!.reachable,
        );
      }),
      { numRuns: 500 },
    );
  });
});
