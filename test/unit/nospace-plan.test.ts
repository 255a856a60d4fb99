// The NOSPACE recovery plan (compact, rolling defrag, disarm, verify writes) and the alarm
// disarm plan: order, refusals and risks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { UnsafeOperationError, UsageError } from '../../core/errors.js';
import { planAlarmDisarm } from '../../core/maintenance/alarm-plan.js';
import { planNospaceRecovery } from '../../core/maintenance/nospace-plan.js';
import type { ClusterAlarm, ClusterStatus } from '../../core/model.js';
import { reachableMember, unreachableMember } from '../support/members.js';

function cluster(alarms: ClusterAlarm[], down = false): ClusterStatus {
  return assembleClusterStatus({
    cluster: 'c',
    kind: 'etcd',
    members: [
      reachableMember('n1', { role: 'leader' }),
      reachableMember('n2'),
      down ? unreachableMember('n3') : reachableMember('n3'),
    ],
    alarms,
    observedAt: new Date(0),
  });
}

const nospace = (member: string): ClusterAlarm => ({ memberId: `id-${member}`, alarm: 'NOSPACE' });

describe('planNospaceRecovery', () => {
  it('compacts, defragments every member leader last, disarms, then verifies writes', () => {
    const plan = planNospaceRecovery(cluster([nospace('n1'), nospace('n2')]), {
      maxLagEntries: 100,
    });
    assert.equal(plan.operation, 'recover nospace');
    assert.deepEqual(
      plan.steps.map((step) => `${step.index} ${step.action} ${step.member ?? ''}`.trim()),
      [
        '1 compact',
        '2 defragment n2',
        '3 wait-healthy n2',
        '4 defragment n3',
        '5 wait-healthy n3',
        '6 move-leader n1',
        '7 defragment n1',
        '8 wait-healthy n1',
        '9 disarm-alarm',
        '10 verify-writes',
      ],
    );
    assert.equal(plan.steps[8]!.description, 'disarm NOSPACE (raised by n1, n2)');
    assert.deepEqual(plan.risks, []);
    assert.ok(plan.preconditions.includes('no CORRUPT alarm is raised'));
  });

  it('without a NOSPACE alarm it still plans, with an info risk', () => {
    const plan = planNospaceRecovery(cluster([]), { maxLagEntries: 100 });
    assert.equal(plan.risks[0]?.code, 'NO_NOSPACE_ALARM');
    assert.match(plan.steps.at(-2)!.description, /none raised now/);
  });

  it('refuses while a CORRUPT alarm is raised (exit 4), naming the member', () => {
    assert.throws(
      () =>
        planNospaceRecovery(cluster([{ memberId: 'id-n3', alarm: 'CORRUPT' }]), {
          maxLagEntries: 1,
        }),
      (error: unknown) =>
        error instanceof UnsafeOperationError &&
        error.code === 'CORRUPT_ALARM_RAISED' &&
        error.message.includes('member n3'),
    );
  });

  it('the defrag guard applies: one of three down is refused with the arithmetic', () => {
    assert.throws(
      () => planNospaceRecovery(cluster([nospace('n1')], true), { maxLagEntries: 1 }),
      /leaves 1 of 3 healthy voters; majority of 3 is 2/,
    );
  });
});

describe('planAlarmDisarm', () => {
  const alarms = [nospace('n1'), nospace('n2'), { memberId: 'id-n3', alarm: 'CORRUPT' }];

  it('one step per matching alarm, with the alarm of step N at alarms[N-1]', () => {
    const { plan, alarms: chosen } = planAlarmDisarm(cluster(alarms), alarms, {
      alarms: ['NOSPACE'],
    });
    assert.deepEqual(
      plan.steps.map((step) => step.description),
      ['disarm NOSPACE raised by n1', 'disarm NOSPACE raised by n2'],
    );
    assert.deepEqual(
      chosen.map((alarm) => alarm.member),
      ['n1', 'n2'],
    );
    assert.ok(plan.risks.some((risk) => risk.code === 'NOSPACE_RETURNS'));
  });

  it('CORRUPT only when asked, with a critical risk; --member narrows', () => {
    const { plan } = planAlarmDisarm(cluster(alarms), alarms, {
      alarms: ['CORRUPT', 'NOSPACE'],
      member: 'n3',
    });
    assert.deepEqual(
      plan.steps.map((step) => step.description),
      ['disarm CORRUPT raised by n3'],
    );
    assert.equal(
      plan.risks.find((risk) => risk.code === 'DISARMING_CORRUPT')?.severity,
      'critical',
    );
  });

  it('nothing raised is an empty plan with an info risk; no type is a usage error', () => {
    const { plan } = planAlarmDisarm(cluster([]), [], { alarms: ['NOSPACE'] });
    assert.equal(plan.steps.length, 0);
    assert.equal(plan.risks[0]?.code, 'NOTHING_TO_DISARM');
    assert.throws(() => planAlarmDisarm(cluster([]), [], { alarms: [] }), UsageError);
  });
});
