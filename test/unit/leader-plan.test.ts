import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isQuorumctlError, UnsupportedOperationError } from '../../core/errors.js';
import {
  leaderTransferMethod,
  leaderTransferUnsupported,
  pickSuccessor,
  planLeaderEvacuate,
  planLeaderTransfer,
} from '../../core/maintenance/leader-plan.js';
import { clusterOf } from '../support/membership-cluster.js';

function code(expected: string) {
  return (error: unknown) => isQuorumctlError(error) && error.code === expected;
}

describe('leader transfer plans', () => {
  it('etcd: move-leader to the named member; quorum unchanged', () => {
    const plan = planLeaderTransfer(clusterOf('n1:L n2:F n3:F'), { to: 'n3' });
    assert.equal(plan.steps.length, 1);
    assert.equal(plan.steps[0]?.action, 'move-leader');
    assert.equal(plan.steps[0]?.member, 'n3');
    assert.equal(plan.steps[0]?.description, 'move leadership from n1 to n3');
    assert.deepEqual(plan.steps[0]?.quorumBefore, plan.steps[0]?.quorumAfter);
  });

  it('without --to: the most caught-up healthy follower, then by name', () => {
    const status = clusterOf('n1:L n2:F n3:F n4:D n5:F');
    const n3 = status.members.find((member) => member.name === 'n3');
    if (n3 !== undefined) n3.commitIndex = 120;
    assert.equal(pickSuccessor(status, [])?.name, 'n3');
    assert.equal(pickSuccessor(status, ['id-n3'])?.name, 'n2');
    assert.equal(planLeaderTransfer(status).steps[0]?.member, 'n3');
  });

  it('nothing to do when the target already leads', () => {
    const plan = planLeaderTransfer(clusterOf('n1:L n2:F n3:F'), { to: 'n1' });
    assert.equal(plan.steps.length, 0);
    assert.equal(plan.risks[0]?.code, 'ALREADY_LEADS');
  });

  it('refuses a learner, a member that is down, an unknown member and a leaderless cluster', () => {
    assert.throws(
      () => planLeaderTransfer(clusterOf('n1:L n2:F n3:F n4:l'), { to: 'n4' }),
      code('NOT_A_VOTER'),
    );
    assert.throws(
      () => planLeaderTransfer(clusterOf('n1:L n2:F n3:D'), { to: 'n3' }),
      code('MEMBER_UNHEALTHY'),
    );
    assert.throws(
      () => planLeaderTransfer(clusterOf('n1:L n2:F n3:F'), { to: 'n7' }),
      code('MEMBER_UNKNOWN'),
    );
    assert.throws(() => planLeaderTransfer(clusterOf('n1:F n2:D n3:D')), code('NO_LEADER'));
  });

  it('a single member cannot hand over: no successor', () => {
    assert.throws(() => planLeaderTransfer(clusterOf('n1:L n2:D n3:D')), code('NO_SUCCESSOR'));
  });

  it('NATS: step-down, the successor is asked for, not guaranteed', () => {
    const plan = planLeaderTransfer(clusterOf('n1:L n2:F n3:F', 'nats'), { to: 'n2' });
    assert.equal(plan.steps[0]?.action, 'step-down');
    assert.equal(plan.steps[0]?.member, 'n1');
    assert.ok(plan.risks.some((risk) => risk.code === 'SUCCESSOR_NOT_GUARANTEED'));
    const stream = planLeaderTransfer(clusterOf('n1:L n2:F n3:F', 'nats'), { group: 'ORDERS' });
    assert.match(stream.steps[0]?.description ?? '', /ORDERS/);
  });

  it('ZooKeeper and KRaft: no steps, the restart-based procedure, and exit 2', () => {
    for (const kind of ['zookeeper', 'kraft'] as const) {
      assert.equal(leaderTransferMethod(kind), 'none');
      const plan = planLeaderTransfer(clusterOf('n1:L n2:F n3:F', kind), { to: 'n2' });
      assert.equal(plan.steps.length, 0);
      assert.ok(plan.risks.some((risk) => risk.code === 'NO_LEADER_TRANSFER'));
      assert.ok(plan.risks.some((risk) => risk.message.startsWith('restart n1')));
      const error = leaderTransferUnsupported(plan, 'n1');
      assert.ok(error instanceof UnsupportedOperationError);
      assert.equal(error.exitCode, 2);
      assert.equal(error.code, 'LEADER_TRANSFER_UNSUPPORTED');
      assert.ok(error.actions.some((action) => action.includes("restart n1's process")));
    }
  });

  it('the restart procedure warns when restarting the leader would cost quorum', () => {
    const plan = planLeaderTransfer(clusterOf('n1:L n2:F n3:D', 'zookeeper'));
    assert.ok(
      plan.risks.some(
        (risk) =>
          risk.code === 'RESTART_LOSES_QUORUM' &&
          risk.message.includes('leaves 1 of 3 healthy voters; majority of 3 is 2'),
      ),
    );
  });
});

describe('leader evacuate plans', () => {
  it('moves leadership off the leader to another healthy voter', () => {
    const plan = planLeaderEvacuate(clusterOf('n1:L n2:F n3:F'), { from: 'n1' });
    assert.equal(plan.steps[0]?.action, 'move-leader');
    assert.notEqual(plan.steps[0]?.member, 'n1');
  });

  it('is a no-op for a member that does not lead', () => {
    const plan = planLeaderEvacuate(clusterOf('n1:L n2:F n3:F'), { from: 'n2' });
    assert.equal(plan.steps.length, 0);
    assert.equal(plan.risks[0]?.code, 'NOT_LEADER');
  });

  it('ZooKeeper: the leader cannot be evacuated through an API; a follower is a no-op', () => {
    const zk = clusterOf('n1:L n2:F n3:F', 'zookeeper');
    assert.ok(
      planLeaderEvacuate(zk, { from: 'n1' }).risks.some((r) => r.code === 'NO_LEADER_TRANSFER'),
    );
    assert.equal(planLeaderEvacuate(zk, { from: 'n2' }).risks[0]?.code, 'NOT_LEADER');
  });

  it('an unknown member is a usage error', () => {
    assert.throws(
      () => planLeaderEvacuate(clusterOf('n1:L n2:F'), { from: 'n9' }),
      code('MEMBER_UNKNOWN'),
    );
  });
});
