/** Turns a ClusterStatus into one health verdict with reasons: ok, degraded or critical. */
import { isLeaderless, isUnderReplicated } from './groups.js';
import type { ClusterStatus, RaftGroupStatus } from './model.js';

export type HealthVerdict = 'ok' | 'degraded' | 'critical';

export interface HealthReason {
  severity: Exclude<HealthVerdict, 'ok'>;
  /** Stable identifier, e.g. `NO_QUORUM`. */
  code: string;
  message: string;
  memberId?: string;
}

export interface HealthReport {
  cluster: string;
  kind: ClusterStatus['kind'];
  verdict: HealthVerdict;
  reasons: HealthReason[];
  leaderId?: string;
  term?: number;
  quorum: ClusterStatus['quorum'];
  observedAt: string;
}

export interface HealthThresholds {
  /** DB size over quota that makes the cluster degraded (the etcd mixin's warning zone). */
  quotaWarnRatio: number;
  /** DB size over quota that makes it critical (etcdDatabaseQuotaLowSpace fires at 95 %). */
  quotaCriticalRatio: number;
  /** Lag in entries beyond which a reachable member counts as falling behind. */
  lagWarnEntries: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: HealthThresholds = {
  quotaWarnRatio: 0.8,
  quotaCriticalRatio: 0.95,
  lagWarnEntries: 1000,
};

/** Alarms that stop writes or signal corruption. */
const CRITICAL_ALARMS = new Set(['NOSPACE', 'CORRUPT']);

export function assessHealth(
  status: ClusterStatus,
  thresholds: HealthThresholds = DEFAULT_HEALTH_THRESHOLDS,
): HealthReport {
  const reasons = [
    ...quorumReasons(status),
    ...memberReasons(status, thresholds),
    ...alarmReasons(status),
    ...groupReasons(status),
  ];
  const report: HealthReport = {
    cluster: status.cluster,
    kind: status.kind,
    verdict: worstSeverity(reasons),
    reasons,
    quorum: status.quorum,
    observedAt: status.observedAt,
  };
  if (status.leaderId !== undefined) report.leaderId = status.leaderId;
  if (status.term !== undefined) report.term = status.term;
  return report;
}

function quorumReasons(status: ClusterStatus): HealthReason[] {
  const { voters, healthyVoters, majority, quorumMargin, hasQuorum } = status.quorum;
  if (!hasQuorum) {
    return [
      {
        severity: 'critical',
        code: 'NO_QUORUM',
        message: `no quorum: ${healthyVoters} of ${voters} voters reachable, majority is ${majority}`,
      },
    ];
  }
  const reasons: HealthReason[] = [];
  if (status.leaderId === undefined && status.leadership !== 'per-group') {
    reasons.push({
      severity: 'critical',
      code: 'NO_LEADER',
      message: 'no member reports a leader',
    });
  }
  if (quorumMargin === 0 && healthyVoters < voters) {
    reasons.push({
      severity: 'degraded',
      code: 'NO_FAULT_TOLERANCE',
      message: `quorum margin 0: one more voter failure loses quorum (${healthyVoters} of ${voters} voters reachable, majority is ${majority})`,
    });
  }
  return reasons;
}

function memberReasons(status: ClusterStatus, thresholds: HealthThresholds): HealthReason[] {
  const reasons: HealthReason[] = [];
  for (const member of status.members) {
    const who = `${member.name} (${member.endpoint})`;
    if (!member.reachable) {
      reasons.push({
        severity: 'degraded',
        code: 'MEMBER_UNREACHABLE',
        message: `${who} unreachable: ${member.error?.message ?? 'no answer'}`,
        memberId: member.id,
      });
      continue;
    }
    if (
      status.leaderId !== undefined &&
      member.leaderId !== undefined &&
      member.leaderId !== status.leaderId
    ) {
      reasons.push({
        severity: 'degraded',
        code: 'LEADER_DISAGREEMENT',
        message: `${who} follows ${member.leaderId}, the cluster's leader is ${status.leaderId}`,
        memberId: member.id,
      });
    }
    if (member.lagEntries !== undefined && member.lagEntries > thresholds.lagWarnEntries) {
      reasons.push({
        severity: 'degraded',
        code: 'MEMBER_LAGGING',
        message: `${who} is ${member.lagEntries} entries behind the leader (threshold ${thresholds.lagWarnEntries})`,
        memberId: member.id,
      });
    }
    const quotaReason = quotaUsageReason(member, who, thresholds);
    if (quotaReason !== undefined) reasons.push(quotaReason);
  }
  return reasons;
}

function quotaUsageReason(
  member: ClusterStatus['members'][number],
  who: string,
  thresholds: HealthThresholds,
): HealthReason | undefined {
  if (
    member.dbSizeBytes === undefined ||
    member.quotaBytes === undefined ||
    member.quotaBytes <= 0
  ) {
    return undefined;
  }
  const ratio = member.dbSizeBytes / member.quotaBytes;
  const percent = `${(ratio * 100).toFixed(1)}%`;
  if (ratio >= thresholds.quotaCriticalRatio) {
    return {
      severity: 'critical',
      code: 'QUOTA_NEARLY_FULL',
      message: `${who} database at ${percent} of its quota: writes stop at 100% (NOSPACE)`,
      memberId: member.id,
    };
  }
  if (ratio >= thresholds.quotaWarnRatio) {
    return {
      severity: 'degraded',
      code: 'QUOTA_HIGH',
      message: `${who} database at ${percent} of its quota`,
      memberId: member.id,
    };
  }
  return undefined;
}

function alarmReasons(status: ClusterStatus): HealthReason[] {
  return status.alarms.map((alarm) => ({
    severity: CRITICAL_ALARMS.has(alarm.alarm) ? 'critical' : 'degraded',
    code: `ALARM_${alarm.alarm}`,
    message: `alarm ${alarm.alarm} raised on member ${alarm.memberId}`,
    memberId: alarm.memberId,
  }));
}

/** Multi-Raft: a leaderless group cannot take writes; an under-replicated one has less margin. */
function groupReasons(status: ClusterStatus): HealthReason[] {
  const groups = status.groups;
  if (groups === undefined) return [];
  // The worst list is bounded, so it may name only some of the groups counted.
  const named = (predicate: (group: RaftGroupStatus) => boolean, count: number): string => {
    const ids = groups.worst.filter(predicate).map((group) => group.id);
    return ids.length === 0 ? '' : ` (${ids.join(', ')}${ids.length < count ? ', ...' : ''})`;
  };
  const reasons: HealthReason[] = [];
  if (groups.leaderless > 0) {
    reasons.push({
      severity: 'critical',
      code: 'GROUPS_LEADERLESS',
      message: `${groups.leaderless} of ${groups.total} Raft groups have no leader${named(isLeaderless, groups.leaderless)}`,
    });
  }
  if (groups.underReplicated > 0) {
    reasons.push({
      severity: 'degraded',
      code: 'GROUPS_UNDER_REPLICATED',
      message: `${groups.underReplicated} of ${groups.total} Raft groups are under-replicated${named(isUnderReplicated, groups.underReplicated)}`,
    });
  }
  return reasons;
}

function worstSeverity(reasons: readonly HealthReason[]): HealthVerdict {
  if (reasons.some((reason) => reason.severity === 'critical')) return 'critical';
  return reasons.length > 0 ? 'degraded' : 'ok';
}
