/** Turns CockroachDB status answers into nodes (members) and a range summary (pure). */
import { countGroups, DEFAULT_WORST_GROUPS, worstGroups } from '../../core/groups.js';
import type {
  Attributes,
  MemberError,
  MemberStatus,
  RaftGroupCounts,
  RaftGroupStatus,
  RaftGroupSummary,
} from '../../core/model.js';
import {
  NodeLiveness,
  type NodeStatus,
  type NodesResponse,
  type ProblemRangesResponse,
  type RangeInfo,
  type RangeResponse,
} from './status-types.js';

/** What `/health?ready=1` on one given endpoint said. */
export type ReadinessProbe =
  | { endpoint: string; answered: true; ready: boolean; reason?: string }
  | { endpoint: string; answered: false; error: MemberError };

const LIVENESS_NAMES: Record<number, string> = {
  0: 'UNKNOWN',
  1: 'DEAD',
  2: 'UNAVAILABLE',
  3: 'LIVE',
  4: 'DECOMMISSIONING',
  5: 'DECOMMISSIONED',
  6: 'DRAINING',
};

const LIVENESS_REASONS: Record<number, string> = {
  0: 'liveness unknown: no liveness record for this node yet',
  1: 'liveness DEAD: no heartbeat for longer than server.time_until_store_dead (5m by default)',
  2: 'liveness UNAVAILABLE: its liveness record expired (missed heartbeats); not yet declared dead',
};

/** The process is up and heartbeating: live, draining, or moving its replicas away. */
const RUNNING = new Set<number>([
  NodeLiveness.live,
  NodeLiveness.draining,
  NodeLiveness.decommissioning,
]);

export function livenessName(status: number | undefined): string {
  return LIVENESS_NAMES[status ?? 0] ?? `STATUS_${status}`;
}

/**
 * One member per node that has not been decommissioned. There is no cluster-wide Raft group,
 * so every node is a `peer`; a node counts as a voter unless it is leaving the cluster, which
 * makes the quorum line an approximation over nodes (real fault tolerance is per range).
 */
export function nodeMembers(
  response: NodesResponse,
  probes: readonly ReadinessProbe[],
  scheme: 'http' | 'https',
): MemberStatus[] {
  const members: MemberStatus[] = [];
  for (const node of response.nodes ?? []) {
    const nodeId = node.desc?.nodeId;
    if (nodeId === undefined) continue;
    const liveness = response.livenessByNodeId?.[String(nodeId)] ?? NodeLiveness.unknown;
    if (liveness === NodeLiveness.decommissioned) continue;
    const httpAddress = node.desc?.httpAddress?.addressField;
    const probe =
      httpAddress === undefined
        ? undefined
        : probes.find((candidate) => hostPortOf(candidate.endpoint) === httpAddress.toLowerCase());
    const member: MemberStatus = {
      id: String(nodeId),
      name: `n${nodeId}`,
      endpoint:
        probe?.endpoint ??
        (httpAddress !== undefined
          ? `${scheme}://${httpAddress}`
          : (node.desc?.address?.addressField ?? '')),
      role: 'peer',
      voter: liveness !== NodeLiveness.decommissioning,
      reachable: false,
      alarms: [],
    };
    const version = node.buildInfo?.tag ?? node.desc?.buildTag;
    if (version !== undefined && version !== '') member.version = version;
    const attributes: Attributes = { liveness: livenessName(liveness) };
    member.attributes = attributes;

    if (probe !== undefined && !probe.answered) {
      members.push({ ...member, error: probe.error });
      continue;
    }
    if (!RUNNING.has(liveness)) {
      members.push({
        ...member,
        error: {
          code: `LIVENESS_${livenessName(liveness)}`,
          message: LIVENESS_REASONS[liveness] ?? `liveness ${livenessName(liveness)}`,
        },
      });
      continue;
    }
    member.reachable = true;
    // A dead node's last metrics are stale, so only running nodes report sizes and counts.
    const used = storeMetricSum(node, 'capacity.used');
    if (used !== undefined) member.dbSizeBytes = Math.round(used);
    const replicas = storeMetricSum(node, 'replicas');
    if (replicas !== undefined) attributes.replicas = replicas;
    const leaseholders = storeMetricSum(node, 'replicas.leaseholders');
    if (leaseholders !== undefined) attributes.leaseholders = leaseholders;
    if (probe?.answered === true) {
      attributes.ready = probe.ready;
      if (!probe.ready) member.reportedErrors = [`not ready: ${probe.reason ?? 'no reason given'}`];
    }
    members.push(member);
  }
  return members;
}

/** Nodes removed from the cluster for good: listed by CockroachDB for a while, not by us. */
export function decommissionedNodeCount(response: NodesResponse): number {
  return Object.values(response.livenessByNodeId ?? {}).filter(
    (status) => status === NodeLiveness.decommissioned,
  ).length;
}

/**
 * Cluster-wide range counts from the store metrics of running nodes. Each range is counted by
 * one store only (its leaseholder, or a live replica when the leaseholder is gone), so the
 * sums are cluster totals: the same numbers `/_status/vars` exposes per node.
 */
export function rangeCounts(response: NodesResponse): RaftGroupCounts | undefined {
  const running = (response.nodes ?? []).filter((node) =>
    RUNNING.has(response.livenessByNodeId?.[String(node.desc?.nodeId ?? '')] ?? 0),
  );
  const sum = (metric: string) =>
    running.reduce<number | undefined>((total, node) => {
      const value = storeMetricSum(node, metric);
      return value === undefined ? total : (total ?? 0) + value;
    }, undefined);
  const total = sum('ranges');
  if (total === undefined) return undefined;
  return {
    total,
    leaderless: sum('ranges.unavailable') ?? 0,
    underReplicated: sum('ranges.underreplicated') ?? 0,
  };
}

/** Range IDs worth naming, worst first: unavailable or leaderless, then under-replicated. */
export function problemRangeIds(
  response: ProblemRangesResponse,
  limit: number = DEFAULT_WORST_GROUPS,
): string[] {
  const problems = Object.values(response.problemsByNodeId ?? {});
  const ids = [
    ...problems.flatMap((node) => [
      ...(node.unavailableRangeIds ?? []),
      ...(node.noRaftLeaderRangeIds ?? []),
    ]),
    ...problems.flatMap((node) => node.underreplicatedRangeIds ?? []),
  ];
  return [...new Set(ids)].slice(0, Math.max(0, limit));
}

/** roachpb.ReplicaType values that vote in the range's (new) configuration. */
const VOTER_TYPES = new Set([0 /* VOTER_FULL */, 2 /* VOTER_INCOMING */]);

/**
 * One range from every node's view of its replica. The leader is the replica in StateLeader;
 * an unavailable range has none that can commit, so it counts as leaderless.
 */
export function rangeGroup(
  rangeId: string,
  response: RangeResponse,
  livenessByNodeId: Readonly<Record<string, number>>,
): RaftGroupStatus | undefined {
  const infos = Object.values(response.responsesByNodeId ?? {}).flatMap((answer) =>
    answer.response === false ? [] : (answer.infos ?? []),
  );
  if (infos.length === 0) return undefined;
  const replicas =
    infos.find((info) => info.state?.state?.desc?.internalReplicas !== undefined)?.state?.state
      ?.desc?.internalReplicas ?? [];
  const voters = replicas.filter((replica) => VOTER_TYPES.has(replica.type ?? 0));
  const leader = infos.find((info) => info.raftState?.state === 'StateLeader');
  const unavailable = infos.some((info) => info.problems?.unavailable === true);
  const problems: string[] = [];
  if (unavailable) problems.push('unavailable: fewer live voters than a quorum');
  if (leader === undefined) problems.push('no Raft leader');

  let healthyReplicas = 0;
  for (const voter of voters) {
    const status = livenessByNodeId[String(voter.nodeId ?? '')] ?? NodeLiveness.unknown;
    if (RUNNING.has(status)) healthyReplicas += 1;
    else problems.push(`replica on n${voter.nodeId ?? '?'} (${livenessName(status)})`);
  }
  let replicaCount = voters.length;
  // A range short of its zone config's num_replicas has no descriptor entry for what is missing.
  if (
    infos.some((info) => info.problems?.underreplicated === true) &&
    healthyReplicas >= replicaCount
  ) {
    replicaCount = healthyReplicas + 1;
    problems.push('fewer replicas than its zone configuration asks for');
  }
  const group: RaftGroupStatus = {
    id: rangeId,
    type: 'range',
    replicas: replicaCount,
    healthyReplicas,
    problems,
  };
  if (leader !== undefined && !unavailable) {
    group.leader = `n${leader.sourceNodeId ?? '?'}`;
    const running = new Set(
      replicas
        .filter((replica) => RUNNING.has(livenessByNodeId[String(replica.nodeId ?? '')] ?? 0))
        .map((replica) => String(replica.replicaId ?? '')),
    );
    const lag = followerLag(leader, running);
    if (lag !== undefined) group.lagEntries = lag;
  }
  return group;
}

/**
 * The leader's commit index minus the slowest running follower's match index. A replica on
 * a dead node is already counted as unhealthy; its frozen match index would only add noise.
 */
function followerLag(
  leader: RangeInfo,
  runningReplicaIds: ReadonlySet<string>,
): number | undefined {
  const commit = Number(leader.raftState?.hardState?.commit);
  const own = leader.raftState?.replicaId;
  const matches = Object.entries(leader.raftState?.progress ?? {})
    .filter(([replicaId]) => replicaId !== own && runningReplicaIds.has(replicaId))
    .map(([, progress]) => Number(progress.match));
  if (!Number.isSafeInteger(commit) || matches.length === 0) return undefined;
  return Math.max(0, ...matches.filter(Number.isSafeInteger).map((match) => commit - match));
}

/** Counts come from the metrics; the named ranges may be fresher, so the larger count wins. */
export function rangeSummary(
  counts: RaftGroupCounts | undefined,
  named: readonly RaftGroupStatus[],
  worstCount: number = DEFAULT_WORST_GROUPS,
): RaftGroupSummary {
  const fromNamed = countGroups(named);
  const merged: RaftGroupCounts = {
    total: Math.max(counts?.total ?? 0, fromNamed.total),
    leaderless: Math.max(counts?.leaderless ?? 0, fromNamed.leaderless),
    underReplicated: Math.max(counts?.underReplicated ?? 0, fromNamed.underReplicated),
  };
  return {
    ...merged,
    byType: [{ type: 'range', ...merged }],
    worst: worstGroups(named, worstCount),
  };
}

function storeMetricSum(node: NodeStatus, metric: string): number | undefined {
  const values = (node.storeStatuses ?? [])
    .map((store) => store.metrics?.[metric])
    .filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}

function hostPortOf(endpoint: string): string {
  return (URL.parse(endpoint)?.host ?? endpoint).toLowerCase();
}
