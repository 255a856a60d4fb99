/**
 * Maps what the agent observed (a ClusterStatus, a metric sample, derived signals, node
 * probes) to catalog series (pure). The agent's registry only formats what this returns.
 */
import type { Histogram } from '../histogram.js';
import type { ClusterStatus, MemberStatus, SystemKind } from '../model.js';
import type { CatalogMetricName } from './catalog.js';
import { fragmentationRatio, learnerCatchUpRatio } from './derived.js';
import type { MetricSample } from './sample.js';

export type SeriesLabels = Record<string, string>;

export interface Series {
  name: CatalogMetricName;
  labels: SeriesLabels;
  value: number;
}

export interface HistogramSeries {
  name: CatalogMetricName;
  labels: SeriesLabels;
  histogram: Histogram;
}

export interface SeriesSet {
  values: Series[];
  histograms: HistogramSeries[];
}

/** The agent's view after a poll: the status when the poll got one, and what it derived. */
export interface AgentObservation {
  cluster: string;
  kind: SystemKind;
  /** Whether the last poll got a status. */
  up: boolean;
  /** The status of the last poll; absent when it failed. */
  status?: ClusterStatus;
  /** Members of the last good status, reported down while the cluster is unreachable. */
  lastKnownMembers?: readonly Pick<MemberStatus, 'id' | 'name'>[];
  sample?: MetricSample;
  leaderChangesTotal: number;
  leaderChangesPerSecond?: number;
  electionGapSeconds?: number;
  leaderlessSeconds?: number;
  backupAgeSeconds?: number;
  /** By member ID. */
  quotaEtaSeconds?: ReadonlyMap<string, number>;
  pollDurationSeconds?: number;
  pollFailuresTotal: number;
  node?: {
    fsyncLatencySeconds?: { p50: number; p99: number; max: number };
    filesystem?: { freeBytes: number; totalBytes: number };
    residentMemoryBytes?: number;
  };
}

/** Members are labelled by name; etcd members added but never started have none. */
export function memberLabel(member: Pick<MemberStatus, 'id' | 'name'>): string {
  return member.name !== '' ? member.name : member.id;
}

const bit = (flag: boolean): number => (flag ? 1 : 0);

export function observationSeries(observation: AgentObservation): SeriesSet {
  const values: Series[] = [];
  const histograms: HistogramSeries[] = [];
  const clusterLabels: SeriesLabels = { cluster: observation.cluster, kind: observation.kind };
  const add = (name: CatalogMetricName, labels: SeriesLabels, value: number | undefined) => {
    if (value !== undefined && !Number.isNaN(value)) values.push({ name, labels, value });
  };

  add('quorum_up', clusterLabels, bit(observation.up));
  add('quorum_leader_changes_total', clusterLabels, observation.leaderChangesTotal);
  add('quorum_poll_failures_total', clusterLabels, observation.pollFailuresTotal);
  add('quorum_poll_duration_seconds', clusterLabels, observation.pollDurationSeconds);
  add('quorum_leader_changes_per_second', clusterLabels, observation.leaderChangesPerSecond);
  add('quorum_election_gap_seconds', clusterLabels, observation.electionGapSeconds);
  add('quorum_leaderless_seconds', clusterLabels, observation.leaderlessSeconds);
  add('quorum_backup_age_seconds', clusterLabels, observation.backupAgeSeconds);
  nodeSeries(observation, clusterLabels, add);

  const status = observation.status;
  if (status === undefined || !observation.up) {
    // Unreachable from here: every member the agent knew is down as far as it can tell.
    for (const member of observation.lastKnownMembers ?? []) {
      add('quorum_member_up', { ...clusterLabels, member: memberLabel(member) }, 0);
    }
    return { values, histograms };
  }

  add(
    'quorum_has_leader',
    clusterLabels,
    bit(
      status.leadership === 'per-group'
        ? (status.groups?.leaderless ?? 0) === 0
        : status.leaderId !== undefined,
    ),
  );
  add('quorum_alarms_active', clusterLabels, status.alarms.length);
  add('quorum_voters', clusterLabels, status.quorum.voters);
  add('quorum_healthy_voters', clusterLabels, status.quorum.healthyVoters);
  add('quorum_margin', clusterLabels, status.quorum.quorumMargin);

  for (const group of status.groups?.byType ?? []) {
    const labels = { ...clusterLabels, group_type: group.type };
    add('quorum_raft_groups', labels, group.total);
    add('quorum_raft_groups_leaderless', labels, group.leaderless);
    add('quorum_raft_groups_under_replicated', labels, group.underReplicated);
  }

  const leader = status.members.find((member) => member.id === status.leaderId);
  const sampleById = new Map((observation.sample?.members ?? []).map((m) => [m.memberId, m]));
  for (const member of status.members) {
    const labels = { ...clusterLabels, member: memberLabel(member) };
    add('quorum_member_up', labels, bit(member.reachable));
    add('quorum_is_voter', labels, bit(member.voter));
    add('quorum_is_leader', labels, bit(member.id === status.leaderId));
    // Whatever the status holds is exported: adapters fill no numbers for a member nobody
    // reached, but a leader's view of a peer (NATS replicas' lag) is worth having.
    add('quorum_term', labels, member.term);
    add('quorum_commit_index', labels, member.commitIndex);
    add('quorum_applied_index', labels, member.appliedIndex);
    add('quorum_follower_lag_entries', labels, member.lagEntries);
    add('quorum_follower_lag_seconds', labels, member.lagSeconds);
    add('quorum_db_size_bytes', labels, member.dbSizeBytes);
    add('quorum_db_size_in_use_bytes', labels, member.dbSizeInUseBytes);
    add('quorum_quota_bytes', labels, member.quotaBytes);
    add(
      'quorum_db_fragmentation_ratio',
      labels,
      fragmentationRatio(member.dbSizeBytes, member.dbSizeInUseBytes),
    );
    add('quorum_quota_exhaustion_eta_seconds', labels, observation.quotaEtaSeconds?.get(member.id));
    if (!member.voter && member.role !== 'peer') {
      add(
        'quorum_learner_catchup_ratio',
        labels,
        learnerCatchUpRatio(member.appliedIndex ?? member.commitIndex, leader?.commitIndex),
      );
    }
    attributeSeries(observation.kind, member, labels, add);

    const sample = sampleById.get(member.id);
    if (sample === undefined) continue;
    for (const [name, value] of Object.entries(sample.values) as [CatalogMetricName, number][])
      add(name, labels, value);
    for (const [name, quantiles] of Object.entries(sample.quantiles) as [
      CatalogMetricName,
      Record<string, number>,
    ][]) {
      for (const [quantile, value] of Object.entries(quantiles))
        add(name, { ...labels, quantile }, value);
    }
    for (const [name, histogram] of Object.entries(sample.histograms) as [
      CatalogMetricName,
      Histogram,
    ][])
      histograms.push({ name, labels, histogram });
  }
  return { values, histograms };
}

type Add = (name: CatalogMetricName, labels: SeriesLabels, value: number | undefined) => void;

/** Numbers some adapters carry as attributes because the status has no field for them. */
function attributeSeries(
  kind: SystemKind,
  member: MemberStatus,
  labels: SeriesLabels,
  add: Add,
): void {
  if (kind !== 'zookeeper') return;
  const numberAt = (key: string): number | undefined => {
    const value = member.attributes?.[key];
    return typeof value === 'number' ? value : undefined;
  };
  const avgMs = numberAt('latencyAvgMs');
  const maxMs = numberAt('latencyMaxMs');
  if (avgMs !== undefined)
    add('quorum_commit_latency_seconds', { ...labels, quantile: 'avg' }, avgMs / 1000);
  if (maxMs !== undefined)
    add('quorum_commit_latency_seconds', { ...labels, quantile: '1' }, maxMs / 1000);
}

function nodeSeries(observation: AgentObservation, labels: SeriesLabels, add: Add): void {
  const fsync = observation.node?.fsyncLatencySeconds;
  if (fsync !== undefined) {
    add('quorum_node_fsync_latency_seconds', { ...labels, quantile: '0.5' }, fsync.p50);
    add('quorum_node_fsync_latency_seconds', { ...labels, quantile: '0.99' }, fsync.p99);
    add('quorum_node_fsync_latency_seconds', { ...labels, quantile: '1' }, fsync.max);
  }
  add('quorum_node_resident_memory_bytes', labels, observation.node?.residentMemoryBytes);
  const filesystem = observation.node?.filesystem;
  if (filesystem !== undefined) {
    add('quorum_node_filesystem_free_bytes', labels, filesystem.freeBytes);
    add('quorum_node_filesystem_size_bytes', labels, filesystem.totalBytes);
  }
}
