/** Turns what each ZooKeeper server said into MemberStatus, cluster attributes and ZAB-aware lag (pure). */
import type {
  Attributes,
  ClusterStatus,
  MemberError,
  MemberRole,
  MemberStatus,
} from '../../core/model.js';
import { displayEndpoint, type ServerAddress } from './four-letter-words.js';
import {
  decodeZxid,
  type ConfiguredServer,
  type Membership,
  type ServerObservation,
} from './parsers.js';

/** The words to whitelist for a complete status, as an operator writes them in zoo.cfg. */
export const STATUS_WORDS = ['srvr', 'mntr', 'conf'] as const;
export const WHITELIST_LINE = `4lw.commands.whitelist=${STATUS_WORDS.join(',')}`;

export type EndpointProbe =
  | { endpoint: string; address?: ServerAddress; reachable: false; error: MemberError }
  | {
      endpoint: string;
      address: ServerAddress;
      reachable: true;
      /** false: "This ZooKeeper instance is not currently serving requests". */
      serving: boolean;
      observation: ServerObservation;
      /** Words the server refused (not whitelisted) that no AdminServer answered for. */
      refusedWords: string[];
      /** Why the AdminServer could not stand in, when one was tried. */
      adminServerProblem?: string;
    };

export interface MemberInput {
  probe: EndpointProbe;
  /** The configuration's entry for this server, when the membership is known. */
  configured?: ConfiguredServer;
  /** Membership known and this server not in it (e.g. removed by reconfig but still running). */
  unlisted?: boolean;
}

export function memberFromProbe({
  probe,
  configured,
  unlisted = false,
}: MemberInput): MemberStatus {
  const observation = probe.reachable ? probe.observation : {};
  const id =
    observation.serverId ??
    configured?.id ??
    (probe.address === undefined ? probe.endpoint : hostPortOf(probe.address));
  const member: MemberStatus = {
    id,
    name: /^\d+$/.test(id) ? `server.${id}` : id,
    endpoint: probe.address === undefined ? probe.endpoint : displayEndpoint(probe.address),
    role: configured?.role === 'observer' ? 'observer' : 'unknown',
    voter: !unlisted && configured?.role !== 'observer',
    reachable: probe.reachable,
    alarms: [],
  };
  if (!probe.reachable) return { ...member, error: probe.error };

  const reportedErrors: string[] = [];
  if (!probe.serving) {
    // LOOKING for a leader, or still syncing with a new one: it answers but serves nobody.
    if (member.role !== 'observer') member.role = 'candidate';
    reportedErrors.push(
      'not currently serving requests: no quorum, or a leader election or sync is in progress',
    );
  } else {
    member.role = roleOf(observation, member.role);
  }
  if (configured === undefined && !unlisted && observation.mode === 'observer')
    member.voter = false;
  if (observation.mode === 'read-only') {
    reportedErrors.push('read-only mode: cut off from the quorum, serving reads only');
  }
  if (unlisted) {
    reportedErrors.push(
      'not in the ensemble configuration: removed by reconfig but still running?',
    );
  }

  if (observation.zxid !== undefined) {
    const zxid = decodeZxid(observation.zxid);
    member.term = zxid.epoch;
    // The zxid itself orders every transaction across epochs; above 2^53 (epoch 2^21, two
    // million elections) a Number would round, so it is left out rather than wrong.
    if (zxid.value !== undefined) member.commitIndex = zxid.value;
  }
  if (member.role === 'leader') member.leaderId = id;
  if (observation.approximateDataSizeBytes !== undefined) {
    member.dbSizeBytes = observation.approximateDataSizeBytes;
  }
  if (observation.version !== undefined) member.version = observation.version;
  const attributes = memberAttributes(observation);
  if (Object.keys(attributes).length > 0) member.attributes = attributes;
  if (probe.refusedWords.length > 0) member.error = wordsDisabledError(probe);
  if (reportedErrors.length > 0) member.reportedErrors = reportedErrors;
  return member;
}

function roleOf(observation: ServerObservation, fallback: MemberRole): MemberRole {
  switch (observation.mode) {
    case 'leader':
    case 'standalone':
      return 'leader';
    case 'follower':
      return 'follower';
    case 'observer':
      return 'observer';
    default:
      return fallback;
  }
}

/** At most five short columns: what an operator compares across servers at a glance. */
function memberAttributes(observation: ServerObservation): Attributes {
  const attributes: Attributes = {};
  if (observation.zxid !== undefined) attributes.zxid = observation.zxid;
  if (observation.outstandingRequests !== undefined)
    attributes.outstandingRequests = observation.outstandingRequests;
  if (observation.latencyAvgMs !== undefined) attributes.latencyAvgMs = observation.latencyAvgMs;
  if (observation.latencyMaxMs !== undefined) attributes.latencyMaxMs = observation.latencyMaxMs;
  if (observation.znodeCount !== undefined) attributes.znodeCount = observation.znodeCount;
  return attributes;
}

export function wordsDisabledError(probe: {
  refusedWords: readonly string[];
  adminServerProblem?: string;
}): MemberError {
  const words = probe.refusedWords.join(', ');
  const admin =
    probe.adminServerProblem === undefined ? '' : ` (AdminServer: ${probe.adminServerProblem})`;
  return {
    code: 'FOUR_LETTER_WORDS_DISABLED',
    message: `${words} not in 4lw.commands.whitelist${admin}: add ${WHITELIST_LINE}`,
  };
}

/**
 * Facts only the leader knows (from its mntr), and the configuration version. `learners`
 * counts followers and observers connected to the leader.
 */
export function clusterAttributes(
  leader: ServerObservation | undefined,
  membership: Membership | undefined,
): Attributes | undefined {
  // A standalone server has no ensemble configuration to miss.
  const membershipUnknown = membership === undefined && leader?.mode !== 'standalone';
  const attributes: Attributes = {};
  if (leader?.syncedFollowers !== undefined) attributes.syncedFollowers = leader.syncedFollowers;
  if (leader?.syncedObservers !== undefined) attributes.syncedObservers = leader.syncedObservers;
  if ((leader?.syncedNonVotingFollowers ?? 0) > 0)
    attributes.syncedNonVotingFollowers = leader?.syncedNonVotingFollowers ?? 0;
  if (leader?.pendingSyncs !== undefined) attributes.pendingSyncs = leader.pendingSyncs;
  if (leader?.learners !== undefined) attributes.learners = leader.learners;
  if (membership?.version !== undefined) attributes.configVersion = `0x${membership.version}`;
  if (membershipUnknown) attributes.membership = 'unknown: voters are the given endpoints';
  return Object.keys(attributes).length > 0 ? attributes : undefined;
}

/**
 * Core computes lag as the leader's index minus the member's, which is right within one
 * epoch. A new leader starts its epoch at zxid `epoch << 32`, so a follower whose last
 * transaction is from the previous epoch would read as 2^32 entries behind. Such a member
 * has synced with the leader before serving, so what it lacks is the new epoch's
 * transactions: the leader's counter.
 */
export function withZabLag(status: ClusterStatus): ClusterStatus {
  const leader = status.members.find((member) => member.id === status.leaderId);
  const leaderZxid = zxidOf(leader);
  if (leaderZxid === undefined) return status;
  return {
    ...status,
    members: status.members.map((member) => {
      const zxid = zxidOf(member);
      if (!member.reachable || zxid === undefined || zxid.epoch >= leaderZxid.epoch) return member;
      return { ...member, lagEntries: leaderZxid.counter };
    }),
  };
}

function zxidOf(member: MemberStatus | undefined) {
  const zxid = member?.attributes?.zxid;
  return typeof zxid === 'string' ? decodeZxid(zxid) : undefined;
}

export function hostPortOf(address: { host: string; port: number }): string {
  return `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
}
