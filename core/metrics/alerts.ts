/**
 * The Prometheus alert rules quorumctl ships, over catalog metrics only: the etcd mixin's intent
 * with its known defects fixed, the same signals for every kind that provides them, and the
 * derived signals no exporter has. docs/alerts.md (the runbooks) is generated from this list.
 */
import type { AlertDefinition } from './catalog-types.js';

/** `docs/alerts.md#<anchor>`: the heading of each alert is its name, so the anchor is lower-case. */
const runbook = (name: string): string => `docs/alerts.md#${name.toLowerCase()}`;

// Aggregating with max/min by the model's labels drops `instance` and `job`: one agent per node
// exports the same cluster-wide series, and each alert must fire once, not once per agent. For
// health signals `max` is the best view any agent has, so one agent cut off from the cluster
// does not page on its own (QuorumClusterUnreachable and QuorumMemberDown say what it sees).
const BY_CLUSTER = 'cluster, kind';
const BY_MEMBER = 'cluster, kind, member';

const DEFINITIONS: readonly (AlertDefinition & { steps: readonly string[] })[] = [
  // --- Reachability, leadership, quorum --------------------------------------------------------
  {
    name: 'QuorumClusterUnreachable',
    expr: `max by (${BY_CLUSTER}) (quorum_up) == 0`,
    for: '2m',
    severity: 'critical',
    summary: '{{ $labels.kind }} cluster {{ $labels.cluster }} does not answer any agent',
    description:
      'No agent watching {{ $labels.kind }} cluster {{ $labels.cluster }} got a status from any member for 2 minutes: the whole cluster is down, or every agent is cut off from it.',
    runbook: runbook('QuorumClusterUnreachable'),
    rationale:
      'quorum_up is 0 when a poll got no status at all (the agent keeps serving and says why on /metrics and /events). Two minutes is 24 polls at the default 5 s interval: not a blip. Critical because clients see the same outage. The etcd mixin needs `up` of the scrape job for this; the agent reports it from the cluster side.',
    steps: [
      'Run `quorumctl status --cluster CLUSTER` from the agent host: the ERRORS column names the transport error of every member (refused, timeout, TLS, credentials).',
      'If members refuse connections, check the server processes and their logs (`journalctl -u etcd`, `zkServer.sh status`, `nats-server` logs).',
      'If only the agents fail (clients are fine), check the network path and credentials of the agents (`quorumctl agent` logs, firewall rules between agent and cluster).',
    ],
  },
  {
    name: 'QuorumMemberDown',
    expr: `max by (${BY_MEMBER}) (quorum_member_up) == 0`,
    for: '10m',
    severity: 'warning',
    summary:
      'Member {{ $labels.member }} of {{ $labels.kind }} cluster {{ $labels.cluster }} is down',
    description:
      'Member {{ $labels.member }} of {{ $labels.kind }} cluster {{ $labels.cluster }} has not answered any agent for 10 minutes. The cluster still has quorum while QuorumMarginZero and QuorumLost stay silent, but it tolerates one failure less.',
    runbook: runbook('QuorumMemberDown'),
    rationale:
      "The etcd mixin's etcdMembersDown waits 20 minutes; 10 minutes still rides out a rolling restart or a reboot and halves the time a cluster runs with less fault tolerance unnoticed. Warning, not critical: losing quorum is what QuorumMarginZero and QuorumLost are for.",
    steps: [
      'Run `quorumctl status --cluster CLUSTER`: the member row says whether it is unreachable and the error.',
      'Check the process and host of the member (service status, disk full, OOM kills in `dmesg`).',
      'Once it is back, `quorumctl status` shows its lag; wait for it to catch up before any other maintenance.',
    ],
  },
  {
    name: 'QuorumNoLeader',
    expr: `max by (${BY_CLUSTER}) (quorum_has_leader) == 0`,
    for: '1m',
    severity: 'critical',
    summary: '{{ $labels.kind }} cluster {{ $labels.cluster }} has no leader',
    description:
      'No agent has seen a leader in {{ $labels.kind }} cluster {{ $labels.cluster }} for 1 minute: writes fail (and, for most systems, linearizable reads too).',
    runbook: runbook('QuorumNoLeader'),
    rationale:
      "Same intent and timing as the etcd mixin's etcdNoLeader (has_leader == 0 for 1m, critical), for every kind: an election normally takes about one election timeout (1 s for etcd), so a minute without a leader is an outage, not an election.",
    steps: [
      'Run `quorumctl status --cluster CLUSTER`: how many voters answer? Without a majority no leader can be elected (see QuorumLost).',
      'If a majority answers, look for elections that never finish: terms climbing in `quorumctl status`, clock or network trouble between members, disks too slow to persist votes (QuorumWalFsyncSlow).',
      'For a Multi-Raft system this is the meta/controller group; per-group leaders are QuorumRaftGroupsLeaderless.',
    ],
  },
  {
    name: 'QuorumLost',
    expr: `max by (${BY_CLUSTER}) (quorum_margin) < 0`,
    for: '1m',
    severity: 'critical',
    summary: '{{ $labels.kind }} cluster {{ $labels.cluster }} has lost quorum',
    description:
      'Fewer than a majority of the voters of {{ $labels.kind }} cluster {{ $labels.cluster }} answer: the cluster cannot commit anything until enough voters return.',
    runbook: runbook('QuorumLost'),
    rationale:
      "The intent of the etcd mixin's etcdInsufficientMembers (answering members < (members + 1) / 2, critical), computed by the agent from the voters of the configuration (learners and observers do not count) instead of from scrape targets.",
    steps: [
      'Do not remove members or force a new cluster while members may still return: bring the stopped voters back first (`quorumctl status` lists which are unreachable).',
      'If a majority is permanently lost, follow the disaster-recovery procedure of the system (etcd: restore from a snapshot with `etcdutl snapshot restore`; ZooKeeper: restore the ensemble from backup).',
    ],
  },
  {
    name: 'QuorumMarginZero',
    expr: `max by (${BY_CLUSTER}) (quorum_margin) == 0 and on (${BY_CLUSTER}) max by (${BY_CLUSTER}) (quorum_voters) > 1`,
    for: '5m',
    severity: 'critical',
    summary: '{{ $labels.kind }} cluster {{ $labels.cluster }} cannot lose another voter',
    description:
      'The quorum margin of {{ $labels.kind }} cluster {{ $labels.cluster }} has been 0 for 5 minutes: the next voter to fail stops the cluster.',
    runbook: runbook('QuorumMarginZero'),
    rationale:
      'Derived signal (quorum_margin = healthy voters - majority); no exporter has it. Critical because one more failure, or any maintenance that restarts a voter, is an outage. A single-voter cluster has no margin by design and is left out (QuorumLost still covers it).',
    steps: [
      'Stop any planned maintenance on this cluster (rolling restarts, defragmentation, member changes).',
      'Bring the unreachable voters back (`quorumctl status` shows them) or replace them: add the replacement as a learner first, let it catch up, then promote it.',
    ],
  },
  {
    name: 'QuorumHighLeaderChanges',
    expr: `max by (${BY_CLUSTER}) (increase(quorum_leader_changes_total[15m])) >= 4`,
    for: '0m',
    severity: 'warning',
    summary:
      '{{ $labels.kind }} cluster {{ $labels.cluster }} changed leader 4 or more times in 15 minutes',
    description:
      'The agents saw 4 or more leader changes in {{ $labels.kind }} cluster {{ $labels.cluster }} within 15 minutes: every change stalls writes for about an election timeout.',
    runbook: runbook('QuorumHighLeaderChanges'),
    rationale:
      "The etcd mixin's etcdHighNumberOfLeaderChanges threshold (>= 4 in 15 minutes), on the agent's own count so that it also covers ZooKeeper, KRaft, NATS and the others, whose exporters have no such counter. The 15-minute window already demands persistence, so no extra `for`.",
    steps: [
      'Look for the cause on the members: slow disks (QuorumWalFsyncSlow), CPU starvation or long GC pauses, network loss between members.',
      'Check that election timeouts suit the round trip between members (`quorumctl preflight` checks heartbeat and election settings against the measured RTT).',
      "Watch leader changes live with the agent's /events stream (leader and term changes with timestamps).",
    ],
  },

  // --- Disk and commit latency ------------------------------------------------------------------
  {
    name: 'QuorumWalFsyncSlow',
    expr: `histogram_quantile(0.99, sum by (${BY_MEMBER}, le) (rate(quorum_wal_fsync_duration_seconds_bucket[5m]))) > 0.01`,
    for: '10m',
    severity: 'warning',
    summary: 'WAL fsync p99 of {{ $labels.member }} ({{ $labels.cluster }}) is above 10 ms',
    description:
      'The 99th percentile of write-ahead-log fsyncs on member {{ $labels.member }} of {{ $labels.kind }} cluster {{ $labels.cluster }} has been above 10 ms for 10 minutes: every write waits for this fsync.',
    runbook: runbook('QuorumWalFsyncSlow'),
    rationale:
      "Fixes the etcd mixin's etcdHighFsyncDurations, which warns only at p99 > 500 ms although etcd's own guidance for a healthy disk is p99 < 10 ms (etcd FAQ). 10 ms is also the pre-deployment gate of `quorumctl preflight --host`, so production is held to the standard the disk was accepted with.",
    steps: [
      'Compare with the disk of the other members (this dashboard row, per member): one slow member points at its host, all slow at the storage class.',
      'Check for noisy neighbours on the disk (`iostat -x 1`: await and utilisation), and that the WAL is not on a network or rotational disk.',
      'Measure the disk as etcd needs it: `quorumctl preflight --host --data-dir DIR` (fio recipe: fdatasync p99).',
    ],
  },
  {
    name: 'QuorumWalFsyncVerySlow',
    expr: `histogram_quantile(0.99, sum by (${BY_MEMBER}, le) (rate(quorum_wal_fsync_duration_seconds_bucket[5m]))) > 0.1`,
    for: '10m',
    severity: 'critical',
    summary: 'WAL fsync p99 of {{ $labels.member }} ({{ $labels.cluster }}) is above 100 ms',
    description:
      'The 99th percentile of WAL fsyncs on member {{ $labels.member }} of {{ $labels.kind }} cluster {{ $labels.cluster }} has been above 100 ms for 10 minutes: slower than the default heartbeat interval, so leadership is at risk.',
    runbook: runbook('QuorumWalFsyncVerySlow'),
    rationale:
      "The mixin's critical level is p99 > 1 s. At 100 ms (etcd's default heartbeat interval) a leader on this disk already logs 'failed to send out heartbeat on time ... likely from slow disk' and followers start elections, so waiting for 1 s means paging after the elections began.",
    steps: [
      'Follow the QuorumWalFsyncSlow runbook first.',
      'If the member is the leader, move leadership to a member with a healthy disk (`etcdctl move-leader ID`) while the disk is investigated.',
    ],
  },
  {
    name: 'QuorumNodeFsyncSlow',
    expr: `max by (${BY_CLUSTER}) (quorum_node_fsync_latency_seconds{quantile="0.99"}) > 0.01`,
    for: '10m',
    severity: 'warning',
    summary: "The agent's fsync probe on {{ $labels.cluster }} measures p99 above 10 ms",
    description:
      "The agent's own fdatasync probe on the data directory of {{ $labels.kind }} cluster {{ $labels.cluster }} has measured a p99 above 10 ms for 10 minutes.",
    runbook: runbook('QuorumNodeFsyncSlow'),
    rationale:
      "ZooKeeper, KRaft, NATS and the others do not export fsync latency buckets (ZooKeeper's fsynctime needs its Prometheus provider; KRaft and NATS have none), so the agent measures the filesystem itself with etcd's fio recipe (`--probe-fsync`). The same 10 ms guidance applies: every consensus write waits for the log fsync.",
    steps: [
      'Follow the QuorumWalFsyncSlow runbook (same disk checks).',
      'The probe writes small blocks with fdatasync on the same filesystem as the data directory; if it is slow while the server metrics look fine, check that the probe directory is on the same device.',
    ],
  },
  {
    name: 'QuorumBackendCommitSlow',
    expr: `histogram_quantile(0.99, sum by (${BY_MEMBER}, le) (rate(quorum_backend_commit_duration_seconds_bucket[5m]))) > 0.25`,
    for: '10m',
    severity: 'warning',
    summary: 'Backend commit p99 of {{ $labels.member }} ({{ $labels.cluster }}) is above 250 ms',
    description:
      'The 99th percentile of backend database commits on member {{ $labels.member }} of {{ $labels.kind }} cluster {{ $labels.cluster }} has been above 250 ms for 10 minutes.',
    runbook: runbook('QuorumBackendCommitSlow'),
    rationale:
      "Kept from the etcd mixin's etcdHighCommitDurations (p99 > 250 ms for 10m, warning): no defect is known in it. Backend commits are batched every 100 ms by default, so a p99 beyond 250 ms means the batches queue up.",
    steps: [
      'Check the disk as for QuorumWalFsyncSlow.',
      'A large, fragmented database makes commits slower: see QuorumDatabaseFragmented and defragment one member at a time.',
    ],
  },
  {
    name: 'QuorumCommitLatencyHigh',
    expr: `max by (${BY_MEMBER}) (quorum_commit_latency_seconds{quantile="avg"}) > 0.1`,
    for: '10m',
    severity: 'warning',
    summary:
      'Average commit latency of {{ $labels.member }} ({{ $labels.cluster }}) is above 100 ms',
    description:
      'Member {{ $labels.member }} of {{ $labels.kind }} cluster {{ $labels.cluster }} reports an average commit (ZooKeeper: request) latency above 100 ms for 10 minutes.',
    runbook: runbook('QuorumCommitLatencyHigh'),
    rationale:
      "For systems that only export averages: ZooKeeper's own example rule fires on avg_latency > 100 ms, and KRaft's commit-latency-avg is the same kind of signal. The threshold is ZooKeeper's; ZooKeeper's average runs since start (or the last `srst`), so it moves slowly.",
    steps: [
      'Check the disk (QuorumNodeFsyncSlow, fsync probe) and the JVM: long GC pauses show up as latency.',
      'ZooKeeper: `echo srst | nc HOST 2181` resets the statistics, so the average reflects the present again.',
      'KRaft: compare with `commit-latency-max` on the dashboard; a high max with a normal average is a single slow commit.',
    ],
  },

  // --- Proposals ---------------------------------------------------------------------------------
  {
    name: 'QuorumProposalsFailing',
    expr: `max by (${BY_MEMBER}) (increase(quorum_proposals_failed_total[30m])) > 5`,
    for: '0m',
    severity: 'warning',
    summary:
      'Member {{ $labels.member }} ({{ $labels.cluster }}) saw more than 5 failed proposals in 30 minutes',
    description:
      'Member {{ $labels.member }} of {{ $labels.kind }} cluster {{ $labels.cluster }} counted more than 5 failed Raft proposals within the last 30 minutes.',
    runbook: runbook('QuorumProposalsFailing'),
    rationale:
      "Fixes the etcd mixin's etcdHighNumberOfFailedProposals: its description says '5 proposal failures within the last 30 minutes' but its expression `rate(...[15m]) > 5` fires at 5 failures per second. This rule counts what the description promises: increase over 30 minutes > 5.",
    steps: [
      'Failed proposals follow leader elections and lost quorum: check QuorumHighLeaderChanges and QuorumNoLeader first.',
      'Without elections, look for members too slow to apply (QuorumBackendCommitSlow) and for clients sending oversized requests.',
    ],
  },

  // --- Storage and quota -------------------------------------------------------------------------
  {
    name: 'QuorumDatabaseQuotaLowSpace',
    expr: `max by (${BY_MEMBER}) (quorum_db_size_bytes / (quorum_quota_bytes > 0)) > 0.95`,
    for: '10m',
    severity: 'critical',
    summary: 'Database of {{ $labels.member }} ({{ $labels.cluster }}) is above 95% of its quota',
    description:
      'The database of member {{ $labels.member }} of {{ $labels.kind }} cluster {{ $labels.cluster }} uses more than 95% of its quota: at 100% the cluster stops accepting writes (etcd raises the NOSPACE alarm).',
    runbook: runbook('QuorumDatabaseQuotaLowSpace'),
    rationale:
      "The etcd mixin's etcdDatabaseQuotaLowSpace (size / quota > 95% for 10m, critical), also applied to NATS JetStream storage against max_storage. A quota of 0 (unlimited) is left out instead of dividing by zero.",
    steps: [
      'etcd: compact old revisions (`etcdctl compact REV`), then defragment one member at a time, followers first; raise `--quota-backend-bytes` only with the disk to back it (8 GiB is the suggested maximum).',
      'NATS: check streams without limits (`nats stream report`), set max bytes or age on them, or raise `max_file_store`.',
      'If the NOSPACE alarm is already raised, disarm it after freeing space (`etcdctl alarm disarm`).',
    ],
  },
  {
    name: 'QuorumQuotaExhaustionSoon',
    expr: `min by (${BY_MEMBER}) (quorum_quota_exhaustion_eta_seconds) < 4 * 3600`,
    for: '10m',
    severity: 'warning',
    summary:
      'Database of {{ $labels.member }} ({{ $labels.cluster }}) reaches its quota within 4 hours',
    description:
      'At its current growth rate the database of member {{ $labels.member }} of {{ $labels.kind }} cluster {{ $labels.cluster }} reaches its quota in under 4 hours.',
    runbook: runbook('QuorumQuotaExhaustionSoon'),
    rationale:
      "The intent of the etcd mixin's etcdExcessiveDatabaseGrowth (predict_linear over 4 h beyond the quota), on the agent's derived ETA, which also covers NATS JetStream and stays +Inf while the database does not grow. 4 hours leaves time to compact and defragment in working hours.",
    steps: [
      'Find what writes so much: request rates per client, or a job that stopped compacting.',
      'Then act as for QuorumDatabaseQuotaLowSpace (compact, defragment, or raise the quota with the disk to back it).',
    ],
  },
  {
    name: 'QuorumDatabaseFragmented',
    expr: `max by (${BY_MEMBER}) (quorum_db_fragmentation_ratio) > 0.5 and on (${BY_MEMBER}) max by (${BY_MEMBER}) (quorum_db_size_in_use_bytes) > 104857600`,
    for: '10m',
    severity: 'warning',
    summary:
      'Database of {{ $labels.member }} ({{ $labels.cluster }}) is more than half free pages',
    description:
      'More than half of the database file of member {{ $labels.member }} of {{ $labels.kind }} cluster {{ $labels.cluster }} is free pages, with over 100 MiB in use: a defragmentation would return the space.',
    runbook: runbook('QuorumDatabaseFragmented'),
    rationale:
      "The etcd mixin's etcdDatabaseHighFragmentationRatio (in use / size < 0.5 while in use > 100 MiB), written on the derived fragmentation ratio (1 - in use / size). Small databases are left out: defragmenting them gains nothing.",
    steps: [
      'Defragment one member at a time, followers first and the leader last (after moving leadership away): a member is blocked while it defragments.',
      'Check the health of the cluster between members (`quorumctl health`).',
    ],
  },
  {
    name: 'QuorumAlarmActive',
    expr: `max by (${BY_CLUSTER}) (quorum_alarms_active) > 0`,
    for: '1m',
    severity: 'critical',
    summary: '{{ $labels.kind }} cluster {{ $labels.cluster }} has an active alarm',
    description:
      '{{ $labels.kind }} cluster {{ $labels.cluster }} has raised an alarm (etcd: NOSPACE refuses writes, CORRUPT means a member diverged).',
    runbook: runbook('QuorumAlarmActive'),
    rationale:
      'etcd stops accepting writes on NOSPACE and a CORRUPT alarm means data diverged; neither clears by itself, and the mixin has no rule for them. Critical: writes are already failing, or data is at risk.',
    steps: [
      '`quorumctl status --cluster CLUSTER` (ERRORS column) or `etcdctl alarm list` names the alarm and the member.',
      'NOSPACE: free space as for QuorumDatabaseQuotaLowSpace, then `etcdctl alarm disarm`.',
      'CORRUPT: do not disarm; take the diverged member out of the cluster and restore it from a healthy member.',
    ],
  },
  {
    name: 'QuorumNodeFilesystemLow',
    expr: `min by (${BY_CLUSTER}) (quorum_node_filesystem_free_bytes / quorum_node_filesystem_size_bytes) < 0.15`,
    for: '10m',
    severity: 'warning',
    summary: 'Data filesystem of {{ $labels.cluster }} has less than 15% free',
    description:
      'The filesystem of the data directory the agent probes for {{ $labels.kind }} cluster {{ $labels.cluster }} has had less than 15% free space for 10 minutes.',
    runbook: runbook('QuorumNodeFilesystemLow'),
    rationale:
      "Strimzi's KafkaRunningOutOfSpace and ZookeeperRunningOutOfSpace rules warn on a nearly full data volume; 15% is Strimzi's Kafka threshold. A consensus member needs headroom beyond its quota: etcd's defragmentation writes a full copy of the database, snapshots and logs are written before old ones are purged.",
    steps: [
      'Find what fills the filesystem (`du -xsh DIR/*`): old snapshots and logs (ZooKeeper: enable autopurge), core dumps, other services.',
      'Grow the volume before the quota is raised or a defragmentation is started.',
    ],
  },

  // --- Lag and learners ----------------------------------------------------------------------------
  {
    name: 'QuorumFollowerLagging',
    expr: `max by (${BY_MEMBER}) (quorum_follower_lag_entries{kind="etcd"}) > 5000`,
    for: '5m',
    severity: 'warning',
    summary:
      'etcd member {{ $labels.member }} ({{ $labels.cluster }}) is more than 5000 entries behind',
    description:
      "etcd member {{ $labels.member }} of cluster {{ $labels.cluster }} has been more than 5000 entries behind the leader's commit index for 5 minutes: the leader may have to send it a whole snapshot.",
    runbook: runbook('QuorumFollowerLagging'),
    rationale:
      'etcd keeps 5000 entries in the Raft log after a compaction (DefaultSnapshotCatchUpEntries) for slow followers; one further behind needs a full snapshot transfer, which loads the leader and the network. Only etcd: entry counts of other systems (ZooKeeper zxids, KRaft offsets) have no such limit, so they are alerted on in seconds.',
    steps: [
      'Check the member: disk (QuorumWalFsyncSlow), CPU, and the network between it and the leader.',
      'A member that keeps falling behind drags every snapshot it needs through the leader: consider replacing it.',
    ],
  },
  {
    name: 'QuorumFollowerLagSeconds',
    expr: `max by (${BY_MEMBER}) (quorum_follower_lag_seconds) > 30`,
    for: '5m',
    severity: 'warning',
    summary: 'Member {{ $labels.member }} ({{ $labels.cluster }}) has not caught up for over 30 s',
    description:
      'Member {{ $labels.member }} of {{ $labels.kind }} cluster {{ $labels.cluster }} has not been caught up with the leader for more than 30 seconds, for 5 minutes.',
    runbook: runbook('QuorumFollowerLagSeconds'),
    rationale:
      "Where the system says how long a member has been behind (KRaft LastCaughtUpTimestamp, Consul LastContact). 30 s is far beyond both systems' own timeouts (KRaft controller.quorum.fetch.timeout.ms 2 s, Consul autopilot's last-contact threshold 200 ms): the member is not slow, it is not replicating.",
    steps: [
      'KRaft: `kafka-metadata-quorum.sh describe --replication` shows the lag and last fetch of every voter and observer.',
      'Consul: `consul operator autopilot state` shows the health of each server.',
      'Then check the member as for QuorumMemberDown.',
    ],
  },
  {
    name: 'QuorumLearnerStuck',
    expr: `max by (${BY_MEMBER}) (quorum_learner_catchup_ratio) < 0.9`,
    for: '30m',
    severity: 'warning',
    summary:
      'Learner {{ $labels.member }} ({{ $labels.cluster }}) has been below 90% caught up for 30 minutes',
    description:
      "Learner {{ $labels.member }} of {{ $labels.kind }} cluster {{ $labels.cluster }} has held less than 90% of the leader's log for 30 minutes: it cannot be promoted to voter.",
    runbook: runbook('QuorumLearnerStuck'),
    rationale:
      "Derived signal (learner index over the leader's commit index). A learner normally catches up through one snapshot in minutes; after half an hour it is stuck (network, disk, or a snapshot that keeps failing), and etcd refuses to promote a learner that is not in sync.",
    steps: [
      'Check the logs of the learner and the leader for failed snapshot transfers.',
      'Check the disk and network of the learner; remove it and add it again if it never progresses.',
    ],
  },

  // --- Multi-Raft groups -----------------------------------------------------------------------------
  {
    name: 'QuorumRaftGroupsLeaderless',
    expr: `max by (${BY_CLUSTER}, group_type) (quorum_raft_groups_leaderless) > 0`,
    for: '1m',
    severity: 'critical',
    summary:
      '{{ $labels.kind }} cluster {{ $labels.cluster }} has Raft groups ({{ $labels.group_type }}) without a leader',
    description:
      'Some {{ $labels.group_type }} groups of {{ $labels.kind }} cluster {{ $labels.cluster }} have had no leader for 1 minute: the data they hold cannot be written.',
    runbook: runbook('QuorumRaftGroupsLeaderless'),
    rationale:
      'The per-group equivalent of QuorumNoLeader for Multi-Raft systems (NATS streams and consumers, TiKV regions, CockroachDB ranges): the suggested NATS rules alert on a group without a leader and on offline replicas. One minute, as for the cluster leader.',
    steps: [
      '`quorumctl status --cluster CLUSTER` lists the worst groups by name.',
      'NATS: `nats stream report` and `nats server report jetstream`; a stream whose replicas are all offline needs its servers back.',
      'TiKV/CockroachDB: check the stores that host the groups (down peers).',
    ],
  },
  {
    name: 'QuorumRaftGroupsUnderReplicated',
    expr: `max by (${BY_CLUSTER}, group_type) (quorum_raft_groups_under_replicated) > 0`,
    for: '10m',
    severity: 'warning',
    summary:
      '{{ $labels.kind }} cluster {{ $labels.cluster }} has under-replicated Raft groups ({{ $labels.group_type }})',
    description:
      'Some {{ $labels.group_type }} groups of {{ $labels.kind }} cluster {{ $labels.cluster }} have had fewer healthy replicas than configured for 10 minutes.',
    runbook: runbook('QuorumRaftGroupsUnderReplicated'),
    rationale:
      "Like Strimzi's UnderReplicatedPartitions and the suggested NATS rule on replicas that are not current: the groups still work but tolerate fewer failures. Ten minutes rides out a rolling restart, after which replicas catch up.",
    steps: [
      '`quorumctl status --cluster CLUSTER` lists the worst groups; a single server behind most of them is the one to check.',
      'NATS: `nats stream info STREAM` shows replicas that are not current or offline.',
    ],
  },

  // --- Backups --------------------------------------------------------------------------------------
  {
    name: 'QuorumBackupTooOld',
    expr: `max by (${BY_CLUSTER}) (quorum_backup_age_seconds) > 25 * 3600`,
    for: '5m',
    severity: 'warning',
    summary: 'Newest verified backup of {{ $labels.cluster }} is older than 25 hours',
    description:
      'The newest verified backup of {{ $labels.kind }} cluster {{ $labels.cluster }} finished more than 25 hours ago: a daily backup has been missed.',
    runbook: runbook('QuorumBackupTooOld'),
    rationale:
      "Backup age is fed by the backup manifests. The catalog has no metric for each cluster's schedule yet, so the rule assumes the common daily schedule plus one hour of grace; change 25 * 3600 for other schedules. Only verified backups count, so a backup that ran but failed verification still alerts.",
    steps: [
      'Check the last backup runs (CronJob or `backup schedule` logs) for failures.',
      'Run a backup by hand and verify it; restore drills belong in the same routine.',
    ],
  },
];

export const ALERT_RULES: readonly AlertDefinition[] = DEFINITIONS.map(
  ({ steps: _steps, ...alert }) => alert,
);

/** What an operator does when the alert fires, in order; rendered into docs/alerts.md. */
export const ALERT_RUNBOOK_STEPS: ReadonlyMap<string, readonly string[]> = new Map(
  DEFINITIONS.map((alert) => [alert.name, alert.steps]),
);
