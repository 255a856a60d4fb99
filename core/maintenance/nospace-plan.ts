/**
 * The NOSPACE recovery sequence operators forget (pure): compact history to the current
 * revision, defragment every member (rolling, leader last), disarm NOSPACE, then prove that
 * writes are accepted again. Raising the quota alone never clears the alarm.
 */
import { UnsafeOperationError } from '../errors.js';
import type { ClusterStatus } from '../model.js';
import { planDefrag } from './defrag-plan.js';
import type { MaintenancePlan, PlanRisk, PlanStep } from './plan.js';
import { quorumOf, viewOf } from './quorum-view.js';

export interface NospaceRequest {
  /** The health gate's lag threshold, shown in the gate steps. */
  maxLagEntries: number;
}

export function planNospaceRecovery(
  status: ClusterStatus,
  request: NospaceRequest,
): MaintenancePlan {
  const corrupt = status.alarms.filter((alarm) => alarm.alarm === 'CORRUPT');
  if (corrupt.length > 0) {
    throw new UnsafeOperationError(
      'CORRUPT_ALARM_RAISED',
      `cluster "${status.cluster}" has a CORRUPT alarm (member ${corrupt.map((alarm) => nameOf(status, alarm.memberId)).join(', ')}): writes stay refused until the corrupt member is replaced`,
      {
        actions: [
          "quorumctl check compares the members' hashes and names the odd one out",
          'replace that member (quorumctl members replace), then run recover nospace',
        ],
      },
    );
  }
  const defrag = planDefrag(status, {
    maxLagEntries: request.maxLagEntries,
    operation: 'recover nospace',
  });
  const quorum = quorumOf(viewOf(status));
  const nospace = status.alarms.filter((alarm) => alarm.alarm === 'NOSPACE');
  const raisedBy = [...new Set(nospace.map((alarm) => nameOf(status, alarm.memberId)))];
  const steps: Omit<PlanStep, 'index'>[] = [
    {
      action: 'compact',
      description: 'compact history up to the current revision (old revisions become free pages)',
      mutates: true,
      quorumBefore: quorum,
      quorumAfter: quorum,
    },
    ...defrag.steps.map(({ index: _index, ...step }) => step),
    {
      action: 'disarm-alarm',
      description:
        raisedBy.length === 0
          ? 'disarm NOSPACE (none raised now; checked again)'
          : `disarm NOSPACE (raised by ${raisedBy.join(', ')})`,
      mutates: true,
      quorumBefore: quorum,
      quorumAfter: quorum,
    },
    {
      action: 'verify-writes',
      description: 'put and delete a probe key: writes are accepted again',
      mutates: true,
      quorumBefore: quorum,
      quorumAfter: quorum,
    },
  ];
  return {
    ...defrag,
    preconditions: ['no CORRUPT alarm is raised', ...defrag.preconditions],
    steps: steps.map((step, index) => ({ index: index + 1, ...step })),
    risks: [...nospaceRisks(raisedBy.length), ...defrag.risks],
  };
}

function nospaceRisks(raised: number): PlanRisk[] {
  const risks: PlanRisk[] = [];
  if (raised === 0) {
    risks.push({
      code: 'NO_NOSPACE_ALARM',
      severity: 'info',
      message:
        'no NOSPACE alarm is raised: this compacts and defragments, and the disarm finds nothing',
    });
  }
  return risks;
}

function nameOf(status: ClusterStatus, memberId: string): string {
  return status.members.find((member) => member.id === memberId)?.name ?? memberId;
}
