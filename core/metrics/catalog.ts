/**
 * The metric catalog: every normalized metric the agent exports, with its type, help, labels
 * and how each system provides it. The agent registers its metrics from this list, the
 * dashboards and alert rules are generated from it and docs/metrics.md is written from it.
 */
import type { MetricDefinition, MetricLabel } from './catalog-types.js';

/** Per-member series: one per member of the cluster the agent watches. */
const MEMBER: readonly MetricLabel[] = ['cluster', 'member', 'kind'];
/** Cluster-wide series: one per watched cluster. */
const CLUSTER: readonly MetricLabel[] = ['cluster', 'kind'];
const GROUPS: readonly MetricLabel[] = ['cluster', 'kind', 'group_type'];
const MEMBER_QUANTILE: readonly MetricLabel[] = ['cluster', 'member', 'kind', 'quantile'];
const CLUSTER_QUANTILE: readonly MetricLabel[] = ['cluster', 'kind', 'quantile'];

/** etcd's `prometheus.ExponentialBuckets(0.001, 2, 14)`: 1 ms to 8.192 s, kept as they are. */
export const ETCD_DISK_BUCKETS_SECONDS: readonly number[] = Array.from(
  { length: 14 },
  (_, index) => 0.001 * 2 ** index,
);

const BY_AGENT_POLL = 'the agent, from each poll of `status`';
const EVERY_KIND_STATUS = {
  etcd: BY_AGENT_POLL,
  zookeeper: BY_AGENT_POLL,
  kraft: BY_AGENT_POLL,
  nats: BY_AGENT_POLL,
  tikv: BY_AGENT_POLL,
  cockroach: BY_AGENT_POLL,
  consul: BY_AGENT_POLL,
} as const;

const OBSERVED_LEADER_CHANGES = 'leader ID (or term) changes between polls of the agent';

const DEFINITIONS = [
  // --- Reachability and leadership -------------------------------------------------------
  {
    name: 'quorum_up',
    type: 'gauge',
    help: 'Whether the last poll of the cluster got a status (1) or failed (0); the agent keeps serving either way.',
    labels: CLUSTER,
    sources: EVERY_KIND_STATUS,
  },
  {
    name: 'quorum_member_up',
    type: 'gauge',
    help: 'Whether the member answered the last poll (1) or not (0).',
    labels: MEMBER,
    sources: {
      etcd: '`POST /v3/maintenance/status` answered',
      zookeeper: '`srvr` answered on the client port (or the AdminServer)',
      kraft: 'DescribeQuorum lists the replica and it fetched recently, or its JMX page answered',
      nats: '`/varz` answered on the monitoring port',
      tikv: 'the PD member answered (or the PD leader reports it)',
      cockroach: 'the node is live in `/_status/nodes`',
      consul: 'listed by `/v1/operator/raft/configuration` and answering autopilot health',
    },
  },
  {
    name: 'quorum_is_leader',
    type: 'gauge',
    help: 'Whether the member is the leader of the cluster (1) or not (0).',
    labels: MEMBER,
    sources: {
      etcd: '`leader == header.member_id` of `/v3/maintenance/status` (`etcd_server_is_leader`)',
      zookeeper: '`Mode: leader` (or standalone) of `srvr`',
      kraft: 'DescribeQuorum `LeaderId` (raft-metrics `current-state` = leader)',
      nats: '`meta_cluster.leader` of `/jsz`',
      tikv: 'PD `/pd/api/v1/leader`',
      cockroach: 'never: CockroachDB has leaders per range only',
      consul: '`/v1/status/leader` (the Raft leader)',
    },
  },
  {
    name: 'quorum_is_voter',
    type: 'gauge',
    help: 'Whether the member counts towards quorum (1) or not: a learner or an observer (0).',
    labels: MEMBER,
    sources: {
      etcd: 'member list `isLearner`',
      zookeeper: '`participant` or `observer` in the dynamic configuration (`conf`)',
      kraft: 'DescribeQuorum voters vs observers',
      nats: 'every meta-group peer votes',
      tikv: 'every PD member votes',
      cockroach: 'every node (ranges have their own voters)',
      consul: '`Voter` of the Raft configuration',
    },
  },
  {
    name: 'quorum_has_leader',
    type: 'gauge',
    help: 'Whether the reachable members agree on a leader (1) or none leads (0). For per-group systems (CockroachDB): 1 when no range is leaderless.',
    labels: CLUSTER,
    sources: {
      etcd: 'the highest-term reachable member claiming leadership (`etcd_server_has_leader`)',
      zookeeper: 'a server in `Mode: leader`',
      kraft: 'DescribeQuorum `LeaderId` >= 0 (raft-metrics `current-leader` != -1)',
      nats: 'a meta leader named by `/jsz`',
      tikv: 'PD has a leader',
      cockroach: 'no leaderless range in `/_status/problemranges`',
      consul: '`/v1/status/leader` is not empty',
    },
  },
  {
    name: 'quorum_leader_changes_total',
    type: 'counter',
    help: 'Leader changes the agent has seen since it started: a poll finds another leader, or the same one at a higher term, than the last leader seen.',
    labels: CLUSTER,
    sources: {
      etcd: `${OBSERVED_LEADER_CHANGES} (etcd itself counts \`etcd_server_leader_changes_seen_total\` per member)`,
      zookeeper: `${OBSERVED_LEADER_CHANGES} (ZooKeeper's own \`election_time_count\` needs its Prometheus provider)`,
      kraft: `${OBSERVED_LEADER_CHANGES} (Kafka: \`NewActiveControllersCount\`)`,
      nats: `${OBSERVED_LEADER_CHANGES}: NATS exports no counter of its own`,
      tikv: OBSERVED_LEADER_CHANGES,
      consul: OBSERVED_LEADER_CHANGES,
    },
  },
  {
    name: 'quorum_term',
    type: 'gauge',
    help: 'The Raft term (ZAB epoch, KRaft leader epoch) as the member sees it.',
    labels: MEMBER,
    sources: {
      etcd: '`raftTerm` of `/v3/maintenance/status`',
      zookeeper: 'epoch of the last zxid (`zxid >> 32`) in `srvr`',
      kraft: 'DescribeQuorum `LeaderEpoch` (raft-metrics `current-epoch`)',
      consul: '`LastTerm` of `/v1/operator/autopilot/health`',
    },
  },
  {
    name: 'quorum_alarms_active',
    type: 'gauge',
    help: 'Alarms raised on the cluster right now (etcd NOSPACE, CORRUPT).',
    labels: CLUSTER,
    sources: { etcd: '`errors` of `/v3/maintenance/status` (`memberID:N alarm:NOSPACE`)' },
  },

  // --- Log progress and lag --------------------------------------------------------------
  {
    name: 'quorum_commit_index',
    type: 'gauge',
    help: 'The highest log index the member knows to be committed.',
    labels: MEMBER,
    sources: {
      etcd: '`raftIndex` of `/v3/maintenance/status`',
      zookeeper: 'the last processed zxid of `srvr`, as a number',
      kraft: 'DescribeQuorum `LogEndOffset` of the replica (raft-metrics `log-end-offset`)',
      consul: '`LastIndex` of `/v1/operator/autopilot/health`',
    },
  },
  {
    name: 'quorum_applied_index',
    type: 'gauge',
    help: 'The highest log index the member has applied to its state machine.',
    labels: MEMBER,
    sources: { etcd: '`raftAppliedIndex` of `/v3/maintenance/status` (etcd 3.4 and later)' },
  },
  {
    name: 'quorum_follower_lag_entries',
    type: 'gauge',
    help: "Entries the member is behind the leader's commit index (0 on the leader).",
    labels: MEMBER,
    sources: {
      etcd: "leader's `raftIndex` minus the member's",
      zookeeper: 'zxid counter difference within an epoch (see docs/systems/zookeeper.md)',
      kraft: "leader's log end offset minus the replica's (DescribeQuorum)",
      nats: '`replicas[].lag` of the meta leader in `/jsz`',
      consul: "leader's `LastIndex` minus the server's (autopilot health)",
    },
  },
  {
    name: 'quorum_follower_lag_seconds',
    type: 'gauge',
    help: 'How long the member has been behind the leader, where the system says.',
    labels: MEMBER,
    sources: {
      kraft: 'DescribeQuorum `LastCaughtUpTimestamp` against now',
      consul: '`LastContact` of autopilot server health',
    },
  },

  // --- Storage and limits ----------------------------------------------------------------
  {
    name: 'quorum_db_size_bytes',
    type: 'gauge',
    help: "Size of the member's database (the file on disk for etcd).",
    labels: MEMBER,
    sources: {
      etcd: '`dbSize` of `/v3/maintenance/status` (`etcd_mvcc_db_total_size_in_bytes`)',
      zookeeper: '`zk_approximate_data_size` of `mntr` (data in memory, not the files)',
      nats: 'JetStream storage in use (`/varz` `jetstream.stats.storage`)',
      cockroach: 'store `used` bytes summed over the node',
    },
  },
  {
    name: 'quorum_db_size_in_use_bytes',
    type: 'gauge',
    help: 'Bytes of the database file holding live data; the rest is free pages a defragmentation returns.',
    labels: MEMBER,
    sources: {
      etcd: '`dbSizeInUse` of `/v3/maintenance/status` (`etcd_mvcc_db_total_size_in_use_in_bytes`)',
    },
  },
  {
    name: 'quorum_quota_bytes',
    type: 'gauge',
    help: 'The size at which the member stops accepting writes.',
    labels: MEMBER,
    sources: {
      etcd: '`etcd_server_quota_backend_bytes` of `/metrics` (`--quota-backend-bytes`)',
      nats: 'JetStream `max_storage` of `/varz`',
    },
  },

  // --- Proposals, fsync and commit latency ----------------------------------------------
  {
    name: 'quorum_proposals_committed_total',
    type: 'counter',
    help: 'Consensus proposals committed, as the member counts them.',
    labels: MEMBER,
    sources: { etcd: '`etcd_server_proposals_committed_total` of `/metrics`' },
  },
  {
    name: 'quorum_proposals_applied_total',
    type: 'counter',
    help: 'Consensus proposals applied, as the member counts them.',
    labels: MEMBER,
    sources: { etcd: '`etcd_server_proposals_applied_total` of `/metrics`' },
  },
  {
    name: 'quorum_proposals_failed_total',
    type: 'counter',
    help: 'Proposals that failed (lost leader, dropped, timed out), as the member counts them.',
    labels: MEMBER,
    sources: { etcd: '`etcd_server_proposals_failed_total` of `/metrics`' },
  },
  {
    name: 'quorum_proposals_pending',
    type: 'gauge',
    help: 'Proposals waiting to be committed.',
    labels: MEMBER,
    sources: { etcd: '`etcd_server_proposals_pending` of `/metrics`' },
  },
  {
    name: 'quorum_wal_fsync_duration_seconds',
    type: 'histogram',
    help: "Latency of the member's write-ahead-log fsyncs, with the source's own buckets (healthy disks: p99 under 10 ms).",
    labels: MEMBER,
    buckets: ETCD_DISK_BUCKETS_SECONDS,
    sources: {
      etcd: '`etcd_disk_wal_fsync_duration_seconds` of `/metrics`, buckets as etcd has them',
    },
  },
  {
    name: 'quorum_backend_commit_duration_seconds',
    type: 'histogram',
    help: "Latency of the member's commits to its backend database, with the source's own buckets.",
    labels: MEMBER,
    buckets: ETCD_DISK_BUCKETS_SECONDS,
    sources: {
      etcd: '`etcd_disk_backend_commit_duration_seconds` of `/metrics`, buckets as etcd has them',
    },
  },
  {
    name: 'quorum_commit_latency_seconds',
    type: 'gauge',
    help: 'Commit or request latency where the source has no buckets: quantile "avg" is the mean, "1" the maximum, since the source last reset it.',
    labels: MEMBER_QUANTILE,
    sources: {
      zookeeper: 'request latency `Latency min/avg/max` of `srvr` (ms, since start or `srst`)',
      kraft:
        'raft-metrics `commit-latency-avg` / `commit-latency-max` on a JMX-exporter page (not read by the agent yet)',
    },
  },
  {
    name: 'quorum_node_fsync_latency_seconds',
    type: 'gauge',
    help: "fdatasync latency measured by the agent's own probe on the node's data directory (etcd's fio recipe, bounded); quantile 0.5, 0.99 and 1 (max).",
    labels: CLUSTER_QUANTILE,
    sources: {
      etcd: 'the agent: `--probe-fsync DIR` (off by default)',
      zookeeper: 'the agent: `--probe-fsync DIR` (off by default)',
      kraft: 'the agent: `--probe-fsync DIR`; Kafka exposes no fsync metric',
      nats: 'the agent: `--probe-fsync DIR`; NATS exposes no fsync metric',
      tikv: 'the agent: `--probe-fsync DIR`',
      cockroach: 'the agent: `--probe-fsync DIR`',
      consul: 'the agent: `--probe-fsync DIR`',
    },
  },
  {
    name: 'quorum_node_filesystem_free_bytes',
    type: 'gauge',
    help: "Bytes available to unprivileged users on the filesystem of the node's data directory (`--probe-fsync DIR`).",
    labels: CLUSTER,
    sources: {
      etcd: 'the agent: statfs of the probed directory',
      zookeeper: 'the agent: statfs of the probed directory',
      kraft: 'the agent: statfs of the probed directory',
      nats: 'the agent: statfs of the probed directory',
      tikv: 'the agent: statfs of the probed directory',
      cockroach: 'the agent: statfs of the probed directory',
      consul: 'the agent: statfs of the probed directory',
    },
  },
  {
    name: 'quorum_node_filesystem_size_bytes',
    type: 'gauge',
    help: "Total size of the filesystem of the node's data directory (`--probe-fsync DIR`).",
    labels: CLUSTER,
    sources: {
      etcd: 'the agent: statfs of the probed directory',
      zookeeper: 'the agent: statfs of the probed directory',
      kraft: 'the agent: statfs of the probed directory',
      nats: 'the agent: statfs of the probed directory',
      tikv: 'the agent: statfs of the probed directory',
      cockroach: 'the agent: statfs of the probed directory',
      consul: 'the agent: statfs of the probed directory',
    },
  },

  {
    name: 'quorum_node_resident_memory_bytes',
    type: 'gauge',
    help: 'Resident memory of the consensus server process beside the agent (`--node-pid PID`, Linux /proc).',
    labels: CLUSTER,
    sources: {
      etcd: 'the agent: VmRSS of /proc/PID/status',
      zookeeper: 'the agent: VmRSS of /proc/PID/status (the JVM)',
      kraft: 'the agent: VmRSS of /proc/PID/status (the JVM)',
      nats: 'the agent: VmRSS of /proc/PID/status',
      tikv: 'the agent: VmRSS of /proc/PID/status',
      cockroach: 'the agent: VmRSS of /proc/PID/status',
      consul: 'the agent: VmRSS of /proc/PID/status',
    },
  },

  // --- Multi-Raft groups -----------------------------------------------------------------
  {
    name: 'quorum_raft_groups',
    type: 'gauge',
    help: 'Raft groups of a Multi-Raft system (streams, consumers, regions, ranges), by group type.',
    labels: GROUPS,
    sources: {
      nats: 'streams and consumers of `/jsz?accounts=true&streams=true&consumers=true`',
      tikv: 'PD region count (`/pd/api/v1/regions/count`)',
      cockroach: 'ranges of `/_status/nodes` (`ranges` metric of the stores)',
    },
  },
  {
    name: 'quorum_raft_groups_leaderless',
    type: 'gauge',
    help: 'Raft groups without a leader, by group type.',
    labels: GROUPS,
    sources: {
      nats: 'streams and consumers whose `cluster.leader` is empty',
      tikv: 'regions PD reports without a leader (`/pd/api/v1/regions/check/...`)',
      cockroach: '`unavailable` ranges of `/_status/problemranges`',
    },
  },
  {
    name: 'quorum_raft_groups_under_replicated',
    type: 'gauge',
    help: 'Raft groups with fewer healthy replicas than configured, by group type.',
    labels: GROUPS,
    sources: {
      nats: 'replicas not `current` or `offline` in `/jsz`',
      tikv: 'PD `down-peer`, `pending-peer` and `miss-peer` region checks',
      cockroach: '`underreplicated` ranges of `/_status/problemranges`',
    },
  },

  // --- Derived signals: computed by the agent, no exporter has them ----------------------
  {
    name: 'quorum_voters',
    type: 'gauge',
    help: 'Voting members in the configuration (learners and observers excluded).',
    labels: CLUSTER,
    derived: true,
    sources: EVERY_KIND_STATUS,
  },
  {
    name: 'quorum_healthy_voters',
    type: 'gauge',
    help: 'Voting members that answered the last poll.',
    labels: CLUSTER,
    derived: true,
    sources: EVERY_KIND_STATUS,
  },
  {
    name: 'quorum_margin',
    type: 'gauge',
    help: 'How many more voters may fail before the cluster loses quorum (healthy voters minus the majority); 0 means the next failure loses quorum, negative means it is lost.',
    labels: CLUSTER,
    derived: true,
    sources: EVERY_KIND_STATUS,
  },
  {
    name: 'quorum_db_fragmentation_ratio',
    type: 'gauge',
    help: 'Share of the database file that is free pages (1 - in use / size): what a defragmentation would return.',
    labels: MEMBER,
    derived: true,
    sources: { etcd: '`dbSize` and `dbSizeInUse` of `/v3/maintenance/status`' },
  },
  {
    name: 'quorum_quota_exhaustion_eta_seconds',
    type: 'gauge',
    help: "Seconds until the database reaches its quota at the growth rate of the recent samples (least-squares fit over the agent's window); +Inf when it is not growing.",
    labels: MEMBER,
    derived: true,
    sources: {
      etcd: 'db size and quota samples of the agent',
      nats: 'JetStream storage and `max_storage` samples of the agent',
    },
  },
  {
    name: 'quorum_leader_changes_per_second',
    type: 'gauge',
    help: "Leader changes per second over the agent's rate window (15 minutes by default), counted from its own polls.",
    labels: CLUSTER,
    derived: true,
    sources: EVERY_KIND_STATUS,
  },
  {
    name: 'quorum_election_gap_seconds',
    type: 'gauge',
    help: 'Length of the last leader change as the agent saw it: from the last poll with the old leader to the first with a leader again (an upper bound, one poll interval resolution).',
    labels: CLUSTER,
    derived: true,
    sources: EVERY_KIND_STATUS,
  },
  {
    name: 'quorum_leaderless_seconds',
    type: 'gauge',
    help: 'How long the cluster has been without a leader as the agent sees it right now (0 while one leads).',
    labels: CLUSTER,
    derived: true,
    sources: EVERY_KIND_STATUS,
  },
  {
    name: 'quorum_learner_catchup_ratio',
    type: 'gauge',
    help: "How far a learner has caught up: its index over the leader's commit index (1 = ready to promote).",
    labels: MEMBER,
    derived: true,
    sources: {
      etcd: "learner's `raftIndex` over the leader's",
      zookeeper: "observer's zxid over the leader's (same epoch)",
      kraft: "observer's log end offset over the leader's",
    },
  },
  {
    name: 'quorum_backup_age_seconds',
    type: 'gauge',
    help: 'Seconds since the newest verified backup finished; fed from backup manifests (absent until a backup source is configured).',
    labels: CLUSTER,
    derived: true,
    sources: {
      etcd: "backup manifests (the backup issue feeds them through the agent's backup hook)",
      zookeeper: "backup manifests (fed later, through the agent's backup hook)",
      kraft: "backup manifests (fed later, through the agent's backup hook)",
      nats: "backup manifests (fed later, through the agent's backup hook)",
    },
  },

  // --- The agent itself -----------------------------------------------------------------
  {
    name: 'quorum_poll_duration_seconds',
    type: 'gauge',
    help: 'How long the last poll of the cluster took.',
    labels: CLUSTER,
    sources: EVERY_KIND_STATUS,
  },
  {
    name: 'quorum_poll_failures_total',
    type: 'counter',
    help: 'Polls that got no status (cluster unreachable, refused credentials, timeout).',
    labels: CLUSTER,
    sources: EVERY_KIND_STATUS,
  },
] as const satisfies readonly MetricDefinition[];

/** The name of a catalog metric: code that sets a series names it through this type. */
export type CatalogMetricName = (typeof DEFINITIONS)[number]['name'];

export const METRIC_CATALOG: readonly MetricDefinition[] = DEFINITIONS;

const BY_NAME = new Map<string, MetricDefinition>(
  METRIC_CATALOG.map((metric) => [metric.name, metric]),
);

export function metricDefinition(name: CatalogMetricName): MetricDefinition {
  const metric = BY_NAME.get(name);
  if (metric === undefined) throw new Error(`metric ${name} is not in the catalog`);
  return metric;
}

export function isCatalogMetric(name: string): name is CatalogMetricName {
  return BY_NAME.has(name);
}
