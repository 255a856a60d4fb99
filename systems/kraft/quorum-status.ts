/** Turns DescribeQuorum (plus DescribeCluster and endpoint probes) into a ClusterStatus (pure). */
import { assembleClusterStatus } from '../../core/cluster-status.js';
import type { Attributes, ClusterStatus, MemberError, MemberStatus } from '../../core/model.js';
import type { DescribeQuorumResult, QuorumReplica } from './messages.js';

/**
 * A follower or observer fetches from the leader continuously (long polls of at most
 * 500 ms; a voter without a fetch answer for controller.quorum.fetch.timeout.ms, 2 s by
 * default, starts an election). Ten times the poll is a safe line for "gone".
 */
export const STALE_FETCH_MS = 5000;

/** What happened when we opened a connection and asked ApiVersions at an endpoint. */
export type EndpointProbe =
  | { endpoint: string; reachable: true }
  | { endpoint: string; reachable: false; error: MemberError };

export interface QuorumView {
  /** Target name for the output. */
  cluster: string;
  /** A DescribeQuorum answer without error: the leader's view of the quorum. */
  quorum: DescribeQuorumResult;
  clusterId?: string;
  /** Controller endpoints by node ID (DescribeCluster with EndpointType=controllers). */
  controllers?: ReadonlyMap<number, string>;
  /** Probes of the given endpoints and of the voters' advertised endpoints. */
  probes: readonly EndpointProbe[];
  /** Finalized feature levels from ApiVersions (kraft.version tells static from dynamic). */
  finalizedFeatures?: ReadonlyMap<string, number>;
  now: Date;
}

/** `kafka-metadata-quorum.sh describe --status`, computed the way MetadataQuorumCommand does. */
export interface QuorumStatusSummary {
  leaderId: number;
  leaderEpoch: number;
  /** -1 when the leader does not know it yet (just after an election). */
  highWatermark: number;
  /** Leader LEO - the smallest voter LEO (the leader is a candidate too, so never negative). */
  maxFollowerLag: number;
  /**
   * 0 when the most lagging voter is the leader; leader LastCaughtUp - its LastCaughtUp when
   * both are known; -1 otherwise.
   */
  maxFollowerLagTimeMs: number;
}

export function summarizeQuorumStatus(quorum: DescribeQuorumResult): QuorumStatusSummary {
  const { partition } = quorum;
  const leader = partition.voters.find((voter) => voter.replicaId === partition.leaderId);
  const mostLagging = partition.voters.reduce<QuorumReplica | undefined>(
    (worst, voter) =>
      worst === undefined || voter.logEndOffset < worst.logEndOffset ? voter : worst,
    undefined,
  );
  let maxFollowerLag = 0;
  let maxFollowerLagTimeMs = -1;
  if (leader !== undefined && mostLagging !== undefined) {
    maxFollowerLag = toNumber(leader.logEndOffset - mostLagging.logEndOffset) ?? 0;
    if (mostLagging.replicaId === leader.replicaId) {
      maxFollowerLagTimeMs = 0;
    } else if (leader.lastCaughtUpTimestamp !== -1n && mostLagging.lastCaughtUpTimestamp !== -1n) {
      maxFollowerLagTimeMs =
        toNumber(leader.lastCaughtUpTimestamp - mostLagging.lastCaughtUpTimestamp) ?? -1;
    }
  }
  return {
    leaderId: partition.leaderId,
    leaderEpoch: partition.leaderEpoch,
    highWatermark: toNumber(partition.highWatermark) ?? -1,
    maxFollowerLag,
    maxFollowerLagTimeMs,
  };
}

/**
 * The leader stamps its own entry with its current time (RaftUtil.toReplicaState): measuring
 * ages against that, not our clock, keeps "ms ago" right when our clock is skewed. Servers
 * that send -1 there fall back to our (injected) clock.
 */
export function leaderClockMs(quorum: DescribeQuorumResult, now: Date): number {
  const leader = quorum.partition.voters.find(
    (voter) => voter.replicaId === quorum.partition.leaderId,
  );
  const stamp = leader === undefined ? -1 : Number(leader.lastFetchTimestamp);
  return stamp > 0 ? stamp : now.getTime();
}

export function statusFromQuorum(view: QuorumView): ClusterStatus {
  const { quorum } = view;
  const { partition } = quorum;
  const clockMs = leaderClockMs(quorum, view.now);
  const leader = partition.voters.find((voter) => voter.replicaId === partition.leaderId);
  const probes = probesByAddress(view.probes);
  const voterIds = new Set(partition.voters.map((voter) => voter.replicaId));

  const members: MemberStatus[] = [
    ...partition.voters.map((replica) =>
      memberOf(replica, 'voter', { view, clockMs, leader, probes }),
    ),
    ...partition.observers
      .filter((replica) => !voterIds.has(replica.replicaId))
      .map((replica) => memberOf(replica, 'observer', { view, clockMs, leader, probes })),
  ];

  const summary = summarizeQuorumStatus(quorum);
  const attributes: Attributes = {};
  if (summary.highWatermark >= 0) attributes.highWatermark = summary.highWatermark;
  attributes.maxFollowerLag = summary.maxFollowerLag;
  if (summary.maxFollowerLagTimeMs >= 0) attributes.maxFollowerLagMs = summary.maxFollowerLagTimeMs;
  const kraftVersion = view.finalizedFeatures?.get('kraft.version');
  if (kraftVersion !== undefined) attributes.kraftVersion = kraftVersion;

  return assembleClusterStatus({
    cluster: view.cluster,
    kind: 'kraft',
    ...(view.clusterId !== undefined && view.clusterId !== '' && { clusterId: view.clusterId }),
    members,
    attributes,
    observedAt: view.now,
  });
}

interface MemberContext {
  view: QuorumView;
  clockMs: number;
  leader: QuorumReplica | undefined;
  probes: ReadonlyMap<string, EndpointProbe>;
}

function memberOf(
  replica: QuorumReplica,
  kind: 'voter' | 'observer',
  { view, clockMs, leader, probes }: MemberContext,
): MemberStatus {
  const { partition } = view.quorum;
  const id = String(replica.replicaId);
  const isLeader = kind === 'voter' && replica.replicaId === partition.leaderId;
  const endpoint = kind === 'voter' ? voterEndpoint(replica.replicaId, view, probes) : undefined;
  const fetchAgeMs = ageMs(replica.lastFetchTimestamp, clockMs);
  const caughtUpAgeMs = ageMs(replica.lastCaughtUpTimestamp, clockMs);

  const member: MemberStatus = {
    id,
    name: id,
    endpoint: endpoint ?? '',
    role: kind === 'observer' ? 'observer' : isLeader ? 'leader' : 'follower',
    voter: kind === 'voter',
    reachable: true,
    alarms: [],
  };
  const logEndOffset = toNumber(replica.logEndOffset);
  if (logEndOffset !== undefined && logEndOffset >= 0) member.commitIndex = logEndOffset;
  if (isLeader) {
    member.term = partition.leaderEpoch;
    member.leaderId = id;
  }
  // Lag as `describe --replication` prints it: leader LEO - this LEO. Core recomputes the
  // same for reachable members; setting it here keeps it for unreachable ones too.
  const leaderEnd = leader === undefined ? undefined : toNumber(leader.logEndOffset);
  if (leaderEnd !== undefined && leaderEnd >= 0 && member.commitIndex !== undefined) {
    member.lagEntries = Math.max(0, leaderEnd - member.commitIndex);
  }
  if (isLeader) {
    member.lagSeconds = 0;
  } else if (
    leader !== undefined &&
    leader.lastCaughtUpTimestamp > 0n &&
    replica.lastCaughtUpTimestamp > 0n
  ) {
    const lagMs = toNumber(leader.lastCaughtUpTimestamp - replica.lastCaughtUpTimestamp);
    if (lagMs !== undefined) member.lagSeconds = Math.max(0, lagMs) / 1000;
  }

  const attributes: Attributes = {};
  if (!isLeader && fetchAgeMs !== undefined) attributes.lastFetchMsAgo = fetchAgeMs;
  if (!isLeader && caughtUpAgeMs !== undefined) attributes.lastCaughtUpMsAgo = caughtUpAgeMs;
  if (replica.directoryId !== undefined) attributes.directoryId = replica.directoryId;
  if (Object.keys(attributes).length > 0) member.attributes = attributes;

  if (isLeader) return member;
  const probe = endpoint === undefined ? undefined : probes.get(addressKey(endpoint));
  if (probe !== undefined) {
    if (!probe.reachable) return { ...member, reachable: false, error: probe.error };
    if (fetchAgeMs !== undefined && fetchAgeMs > STALE_FETCH_MS) {
      member.reportedErrors = [
        `answers on ${endpoint ?? ''} but has not fetched from the leader for ${formatAge(fetchAgeMs)}`,
      ];
    }
    return member;
  }
  return { ...member, ...reachabilityByLeader(replica, fetchAgeMs) };
}

/** With no endpoint to probe (observers, voters of servers before v2), the leader's view decides. */
function reachabilityByLeader(
  replica: QuorumReplica,
  fetchAgeMs: number | undefined,
): Pick<MemberStatus, 'reachable' | 'error'> {
  if (fetchAgeMs !== undefined) {
    return fetchAgeMs <= STALE_FETCH_MS
      ? { reachable: true }
      : {
          reachable: false,
          error: {
            code: 'FETCH_STALE',
            message: `no fetch from the leader for ${formatAge(fetchAgeMs)} (the leader's view)`,
          },
        };
  }
  return replica.logEndOffset >= 0n
    ? { reachable: true }
    : {
        reachable: false,
        error: { code: 'NO_FETCH', message: 'the leader has no fetch from this replica on record' },
      };
}

/**
 * A voter's endpoint: from DescribeQuorum v2 `nodes` (the listener we were given if it is
 * one of them, else the first), else from DescribeCluster's controller list.
 */
function voterEndpoint(
  nodeId: number,
  view: QuorumView,
  probes: ReadonlyMap<string, EndpointProbe>,
): string | undefined {
  const listeners = view.quorum.nodes.find((node) => node.nodeId === nodeId)?.listeners ?? [];
  const addresses = listeners.map((listener) => formatAddress(listener.host, listener.port));
  return (
    addresses.find((address) => probes.has(addressKey(address))) ??
    addresses[0] ??
    view.controllers?.get(nodeId)
  );
}

function probesByAddress(probes: readonly EndpointProbe[]): Map<string, EndpointProbe> {
  const byAddress = new Map<string, EndpointProbe>();
  for (const probe of probes) {
    const key = addressKey(probe.endpoint);
    // A reachable answer wins if the same address was given twice.
    if (!byAddress.has(key) || probe.reachable) byAddress.set(key, probe);
  }
  return byAddress;
}

export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `http://Localhost:9093`, `localhost:9093` and `127.0.0.1:9093` are the same listener. */
export function addressKey(endpoint: string): string {
  const withoutScheme = endpoint.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
  return withoutScheme.toLowerCase().replace(/^localhost:/, '127.0.0.1:');
}

function ageMs(timestamp: bigint, clockMs: number): number | undefined {
  if (timestamp <= 0n) return undefined;
  const stamp = toNumber(timestamp);
  // A follower's stamp can be a few ms "after" the leader's own (both taken on the leader
  // while building the answer): that is zero, not a negative age.
  return stamp === undefined ? undefined : Math.max(0, clockMs - stamp);
}

function formatAge(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

/** Offsets and timestamps are int64; every value we show fits a double exactly. */
export function toNumber(value: bigint): number | undefined {
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : undefined;
}

export interface LeaderlessView {
  cluster: string;
  clusterId?: string;
  /** Controller endpoints by node ID, when DescribeCluster answered. */
  controllers?: ReadonlyMap<number, string>;
  /** Every endpoint probed, with what a reachable one said when asked to describe the quorum. */
  probes: readonly (EndpointProbe & { quorumAnswer?: string })[];
  now: Date;
}

/**
 * No controller that answered leads the quorum (an election, or a majority down), so there is
 * no voter list. The controllers DescribeCluster names, else the endpoints given, stand in for
 * the voters: a status an operator can act on beats an error when quorum is at stake.
 */
export function statusWithoutLeader(view: LeaderlessView): ClusterStatus {
  const probes = probesByAddress(view.probes);
  const answers = new Map(
    view.probes.map((probe) => [addressKey(probe.endpoint), probe.quorumAnswer] as const),
  );
  const memberAt = (id: string, address: string): MemberStatus => {
    const key = addressKey(address);
    const probe = probes.get(key);
    const member: MemberStatus = {
      id,
      name: id,
      endpoint: address,
      role: 'unknown',
      voter: true,
      reachable: probe?.reachable === true,
      alarms: [],
    };
    if (probe === undefined) {
      member.error = { code: 'NOT_PROBED', message: 'not probed' };
    } else if (!probe.reachable) {
      member.error = probe.error;
    } else {
      const answer = answers.get(key);
      member.reportedErrors = [answer ?? 'does not know the quorum leader'];
    }
    return member;
  };
  const controllers = [...(view.controllers ?? new Map<number, string>())];
  const known = new Set(controllers.map(([, address]) => addressKey(address)));
  const members = [
    ...controllers.map(([nodeId, address]) => memberAt(String(nodeId), address)),
    ...view.probes
      .filter((probe) => !known.has(addressKey(probe.endpoint)))
      .filter(
        (probe, index, all) =>
          all.findIndex((other) => addressKey(other.endpoint) === addressKey(probe.endpoint)) ===
          index,
      )
      .map((probe) => memberAt(addressKey(probe.endpoint), addressKey(probe.endpoint))),
  ];
  return assembleClusterStatus({
    cluster: view.cluster,
    kind: 'kraft',
    ...(view.clusterId !== undefined && view.clusterId !== '' && { clusterId: view.clusterId }),
    members,
    observedAt: view.now,
  });
}
