/**
 * The plan of `alarms disarm` (pure): one step per raised alarm that matches, with a loud
 * risk for CORRUPT, whose alarm is the only sign that a member's data differs.
 */
import { UsageError } from '../errors.js';
import type { ClusterAlarm, ClusterStatus } from '../model.js';
import { resolveMember } from './defrag-plan.js';
import type { MaintenancePlan, PlanRisk } from './plan.js';
import { quorumOf, viewOf } from './quorum-view.js';

export const ALARM_TYPES = ['NOSPACE', 'CORRUPT'] as const;
export type AlarmType = (typeof ALARM_TYPES)[number];

export interface DisarmRequest {
  /** Which alarms to disarm. */
  alarms: readonly AlarmType[];
  /** Only this member's alarms (name, ID or client URL). */
  member?: string;
}

/** An alarm with the member's name beside its ID. */
export interface NamedAlarm extends ClusterAlarm {
  member: string;
}

export function nameAlarms(status: ClusterStatus, alarms: readonly ClusterAlarm[]): NamedAlarm[] {
  return alarms.map((alarm) => ({
    ...alarm,
    member: status.members.find((member) => member.id === alarm.memberId)?.name ?? alarm.memberId,
  }));
}

/** The plan and, for step N, the alarm it disarms at `alarms[N - 1]`. */
export interface DisarmPlan {
  plan: MaintenancePlan;
  alarms: NamedAlarm[];
}

export function planAlarmDisarm(
  status: ClusterStatus,
  raised: readonly ClusterAlarm[],
  request: DisarmRequest,
): DisarmPlan {
  if (request.alarms.length === 0) {
    throw new UsageError('ALARM_TYPE_MISSING', 'name at least one alarm type to disarm', {
      actions: [`--alarm ${ALARM_TYPES.join(' or --alarm ')}`],
    });
  }
  const memberId =
    request.member === undefined ? undefined : resolveMember(status, request.member).id;
  const chosen = nameAlarms(status, raised).filter(
    (alarm) =>
      (request.alarms as readonly string[]).includes(alarm.alarm) &&
      (memberId === undefined || alarm.memberId === memberId),
  );
  const quorum = quorumOf(viewOf(status));
  const risks: PlanRisk[] = [];
  if (chosen.length === 0) {
    risks.push({
      code: 'NOTHING_TO_DISARM',
      severity: 'info',
      message: `no ${request.alarms.join(' or ')} alarm is raised${request.member === undefined ? '' : ` by ${request.member}`}`,
    });
  }
  if (chosen.some((alarm) => alarm.alarm === 'CORRUPT')) {
    risks.push({
      code: 'DISARMING_CORRUPT',
      severity: 'critical',
      message:
        'CORRUPT means a member holds different data from the others; disarming hides it. Replace that member unless quorumctl check shows equal hashes.',
    });
  }
  if (chosen.some((alarm) => alarm.alarm === 'NOSPACE')) {
    risks.push({
      code: 'NOSPACE_RETURNS',
      severity: 'warning',
      message:
        'NOSPACE is raised again by the next write while the database is over its quota: quorumctl recover nospace compacts and defragments first',
    });
  }
  const plan: MaintenancePlan = {
    operation: 'alarms disarm',
    cluster: status.cluster,
    kind: status.kind,
    preconditions: ['the alarms are listed again right before each disarm'],
    steps: chosen.map((alarm, index) => ({
      index: index + 1,
      action: 'disarm-alarm' as const,
      member: alarm.member,
      description: `disarm ${alarm.alarm} raised by ${alarm.member}`,
      mutates: true,
      quorumBefore: quorum,
      quorumAfter: quorum,
    })),
    risks,
  };
  return { plan, alarms: chosen };
}
