/** The people's view of a ClusterStatus: a summary line and one row per member. */
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import { formatBytes, formatOptional, formatPercent, formatTable } from './table.js';

const HEADERS = [
  'NAME',
  'ENDPOINT',
  'ROLE',
  'TERM',
  'INDEX',
  'LAG',
  'DB SIZE',
  'IN USE',
  'QUOTA',
  'VERSION',
  'ERRORS',
];

export function renderStatus(status: ClusterStatus): string {
  return `${summaryLine(status)}\n\n${formatTable(HEADERS, status.members.map(memberRow))}`;
}

export function summaryLine(status: ClusterStatus): string {
  const leader = status.members.find((member) => member.id === status.leaderId);
  const { voters, healthyVoters, majority, quorumMargin, hasQuorum } = status.quorum;
  const leaderText =
    leader === undefined ? 'NO LEADER' : `leader ${leader.name} at term ${status.term ?? '?'}`;
  const quorumText = hasQuorum
    ? `quorum margin ${quorumMargin} (${healthyVoters}/${voters} voters reachable, majority ${majority})`
    : `NO QUORUM (${healthyVoters}/${voters} voters reachable, majority ${majority})`;
  return `${status.cluster} (${status.kind}): ${leaderText}, ${quorumText}`;
}

function memberRow(member: MemberStatus): string[] {
  const role = member.reachable
    ? member.role
    : member.role === 'learner'
      ? 'learner (down)'
      : 'unreachable';
  return [
    member.name,
    member.endpoint === '' ? '-' : member.endpoint,
    role,
    formatOptional(member.term),
    member.commitIndex === undefined
      ? '-'
      : `${member.commitIndex}/${formatOptional(member.appliedIndex)}`,
    formatOptional(member.lagEntries),
    formatBytes(member.dbSizeBytes),
    formatBytes(member.dbSizeInUseBytes),
    member.quotaBytes === undefined
      ? '-'
      : `${formatPercent(member.dbSizeBytes, member.quotaBytes)} of ${formatBytes(member.quotaBytes)}`,
    formatOptional(member.version),
    errorsOf(member),
  ];
}

function errorsOf(member: MemberStatus): string {
  const errors = [
    ...(member.error === undefined ? [] : [member.error.message]),
    ...(member.reportedErrors ?? []),
    ...member.alarms.map((alarm) => `alarm ${alarm}`),
  ];
  return errors.length === 0 ? '' : errors.join('; ');
}
