/** `members list`: each member with its role, vote and how far it has caught up. */
import type { MemberRef } from '../../core/check/observations.js';
import type { ClusterStatus, MemberStatus, SystemKind } from '../../core/model.js';
import { catchUpOf } from '../../ops/maintenance/members.js';
import { formatTable } from './table.js';

export function refOf(member: MemberStatus): MemberRef {
  return { id: member.id, name: member.name, endpoint: member.endpoint };
}
/** `members list`: each member with its role and, for learners, how far it has caught up. */
export interface MemberList {
  cluster: string;
  kind: SystemKind;
  leader?: string;
  quorum: ClusterStatus['quorum'];
  members: MemberListEntry[];
}
export interface MemberListEntry {
  name: string;
  id: string;
  role: MemberStatus['role'];
  voter: boolean;
  healthy: boolean;
  endpoint: string;
  commitIndex?: number;
  lagEntries?: number;
  /** Learners: their index as a percentage of the leader's. */
  catchUpPercent?: number;
  error?: string;
}
export function memberListOf(status: ClusterStatus): MemberList {
  const leader = status.members.find((member) => member.id === status.leaderId);
  return {
    cluster: status.cluster,
    kind: status.kind,
    ...(leader !== undefined && { leader: leader.name }),
    quorum: status.quorum,
    members: status.members.map((member) => {
      const catchUp = member.voter ? undefined : catchUpOf(status, member);
      return {
        name: member.name,
        id: member.id,
        role: member.role,
        voter: member.voter,
        healthy: member.reachable,
        endpoint: member.endpoint,
        ...(member.commitIndex !== undefined && { commitIndex: member.commitIndex }),
        ...(member.lagEntries !== undefined && { lagEntries: member.lagEntries }),
        ...(catchUp !== undefined && { catchUpPercent: catchUp.percent }),
        ...(member.error !== undefined && { error: member.error.message }),
      };
    }),
  };
}
export function renderMemberList(list: MemberList): string {
  const { quorum } = list;
  const header =
    `${list.cluster} (${list.kind}): ${list.leader === undefined ? 'no leader' : `${list.leader} leads`}; ` +
    `${quorum.healthyVoters}/${quorum.voters} voters healthy, majority ${quorum.majority}, tolerates ${quorum.faultTolerance}\n`;
  const table = formatTable(
    ['NAME', 'ID', 'ROLE', 'VOTER', 'HEALTHY', 'ENDPOINT', 'INDEX', 'LAG', 'CAUGHT UP', 'ERROR'],
    list.members.map((member) => [
      member.name,
      member.id,
      member.role,
      member.voter ? 'yes' : 'no',
      member.healthy ? 'yes' : 'no',
      member.endpoint,
      member.commitIndex === undefined ? '-' : String(member.commitIndex),
      member.lagEntries === undefined ? '-' : String(member.lagEntries),
      member.catchUpPercent === undefined ? '-' : `${member.catchUpPercent}%`,
      member.error ?? '',
    ]),
  );
  return header + table;
}
