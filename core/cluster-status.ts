/** Builds a ClusterStatus from per-member observations: leader, lag and quorum are derived here. */
import type {
  Attributes,
  ClusterAlarm,
  Leadership,
  ClusterStatus,
  MemberStatus,
  RaftGroupSummary,
  SystemKind,
} from './model.js';
import { summarizeQuorum } from './quorum.js';

export interface ClusterObservation {
  cluster: string;
  kind: SystemKind;
  clusterId?: string;
  leadership?: Leadership;
  members: MemberStatus[];
  alarms?: ClusterAlarm[];
  groups?: RaftGroupSummary;
  attributes?: Attributes;
  observedAt: Date;
}

export function assembleClusterStatus(observation: ClusterObservation): ClusterStatus {
  const leader = electedLeader(observation.members);
  const members = observation.members
    .map((member) => withLag(member, leader))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const voters = members.filter((member) => member.voter);
  const healthyVoters = voters.filter((member) => member.reachable);
  const status: ClusterStatus = {
    cluster: observation.cluster,
    kind: observation.kind,
    members,
    quorum: summarizeQuorum(voters.length, healthyVoters.length),
    alarms: observation.alarms ?? [],
    observedAt: observation.observedAt.toISOString(),
  };
  if (observation.clusterId !== undefined) status.clusterId = observation.clusterId;
  if (observation.leadership === 'per-group') status.leadership = 'per-group';
  if (observation.groups !== undefined) status.groups = observation.groups;
  if (observation.attributes !== undefined) status.attributes = observation.attributes;
  if (leader !== undefined) {
    status.leaderId = leader.id;
    if (leader.term !== undefined) status.term = leader.term;
  }
  return status;
}

/**
 * The reachable member that says it leads. An isolated old leader may still claim
 * leadership for a while after a new one is elected, so the highest term wins.
 */
export function electedLeader(members: readonly MemberStatus[]): MemberStatus | undefined {
  return members
    .filter((member) => member.reachable && member.role === 'leader')
    .reduce<MemberStatus | undefined>(
      (best, member) =>
        best === undefined || (member.term ?? 0) > (best.term ?? 0) ? member : best,
      undefined,
    );
}

function withLag(member: MemberStatus, leader: MemberStatus | undefined): MemberStatus {
  if (
    leader === undefined ||
    !member.reachable ||
    member.commitIndex === undefined ||
    leader.commitIndex === undefined
  ) {
    return member;
  }
  // The leader's index was read a few milliseconds before or after this member's:
  // a member slightly "ahead" is zero lag, not negative lag.
  return { ...member, lagEntries: Math.max(0, leader.commitIndex - member.commitIndex) };
}
