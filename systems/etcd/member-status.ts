/** Turns etcd gateway answers into the normalized MemberStatus (pure). */
import type { MemberError, MemberRole, MemberStatus } from '../../core/model.js';
import type { Member, StatusResponse } from './gateway-types.js';

export type EndpointProbe =
  | { endpoint: string; reachable: true; status: StatusResponse; quotaBytes?: number }
  | { endpoint: string; reachable: false; error: MemberError };

const ALARM_PATTERN = /memberID:\s*(\d+)\s+alarm:\s*([A-Z_]+)/;

export function memberFromProbe(member: Member, probe: EndpointProbe | undefined): MemberStatus {
  const id = member.ID ?? '0';
  const base: MemberStatus = {
    id,
    name: member.name !== undefined && member.name !== '' ? member.name : '(unstarted)',
    endpoint: probe?.endpoint ?? member.clientURLs?.[0] ?? '',
    role: member.isLearner === true ? 'learner' : 'unknown',
    voter: member.isLearner !== true,
    reachable: false,
    alarms: [],
  };
  if (probe === undefined) {
    return {
      ...base,
      error: {
        code: 'NOT_STARTED',
        message: 'member has no client URL: it was added but has not started yet',
      },
    };
  }
  if (!probe.reachable) return { ...base, error: probe.error };

  const { status } = probe;
  const leaderId = status.leader;
  const reportedErrors = (status.errors ?? []).filter((error) => !ALARM_PATTERN.test(error));
  const member_: MemberStatus = {
    ...base,
    reachable: true,
    role: roleOf(id, status),
    voter: status.isLearner !== true && member.isLearner !== true,
    alarms: alarmsOf(status)
      .filter((alarm) => alarm.memberId === id)
      .map((alarm) => alarm.alarm),
  };
  assignNumber(member_, 'term', status.raftTerm);
  assignNumber(member_, 'commitIndex', status.raftIndex);
  assignNumber(member_, 'appliedIndex', status.raftAppliedIndex);
  assignNumber(member_, 'dbSizeBytes', status.dbSize);
  assignNumber(member_, 'dbSizeInUseBytes', status.dbSizeInUse);
  if (probe.quotaBytes !== undefined) member_.quotaBytes = probe.quotaBytes;
  if (leaderId !== undefined && leaderId !== '0') member_.leaderId = leaderId;
  if (status.version !== undefined) member_.version = status.version;
  if (reportedErrors.length > 0) member_.reportedErrors = reportedErrors;
  return member_;
}

/** Alarms as etcd lists them in a status answer (`memberID:N alarm:NOSPACE`). */
export function alarmsOf(status: StatusResponse): { memberId: string; alarm: string }[] {
  return (status.errors ?? []).flatMap((error) => {
    const match = ALARM_PATTERN.exec(error);
    return match?.[1] !== undefined && match[2] !== undefined
      ? [{ memberId: match[1], alarm: match[2] }]
      : [];
  });
}

function roleOf(id: string, status: StatusResponse): MemberRole {
  if (status.isLearner === true) return 'learner';
  if (status.leader === undefined || status.leader === '0') return 'unknown';
  return status.leader === id ? 'leader' : 'follower';
}

type NumericField = 'term' | 'commitIndex' | 'appliedIndex' | 'dbSizeBytes' | 'dbSizeInUseBytes';

/** int64 fields arrive as decimal strings; every value we keep fits a double exactly. */
function assignNumber(target: MemberStatus, field: NumericField, value: string | undefined): void {
  if (value === undefined) return;
  const parsed = Number(value);
  if (Number.isSafeInteger(parsed)) target[field] = parsed;
}
