// ClusterStatus + metric sample -> catalog series -> prom-client text, and etcd's /metrics
// (test/fixtures/etcd-3.4.23/metrics.txt, recorded from etcd 3.4.23) -> the metric sample.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createCatalogRegistry, indexSeries } from '../../agent/prom-registry.js';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { METRIC_CATALOG } from '../../core/metrics/catalog.js';
import {
  observationSeries,
  type AgentObservation,
  type Series,
} from '../../core/metrics/mapping.js';
import type { MemberStatus } from '../../core/model.js';
import { etcdMemberSample, pastLastFamily } from '../../systems/etcd/metric-sample.js';
import { findSample, parsePromText } from '../../systems/transport/prometheus-text.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ETCD_METRICS = readFileSync(
  join(REPO_ROOT, 'test', 'fixtures', 'etcd-3.4.23', 'metrics.txt'),
  'utf8',
);

function member(name: string, fields: Partial<MemberStatus>): MemberStatus {
  return {
    id: `id-${name}`,
    name,
    endpoint: `http://${name}:2379`,
    role: 'follower',
    voter: true,
    reachable: true,
    alarms: [],
    ...fields,
  };
}

const etcdStatus = assembleClusterStatus({
  cluster: 'prod',
  kind: 'etcd',
  members: [
    member('n1', {
      role: 'leader',
      term: 7,
      commitIndex: 1000,
      appliedIndex: 1000,
      dbSizeBytes: 400,
      dbSizeInUseBytes: 100,
      quotaBytes: 2048,
    }),
    member('n2', { term: 7, commitIndex: 990, appliedIndex: 985, dbSizeBytes: 400 }),
    member('n3', { reachable: false, role: 'unknown', error: { code: 'TIMEOUT', message: 't' } }),
    member('n4', { role: 'learner', voter: false, term: 7, commitIndex: 250, appliedIndex: 250 }),
  ],
  alarms: [{ memberId: 'id-n2', alarm: 'NOSPACE' }],
  observedAt: new Date('2026-01-01T00:00:00Z'),
});

function baseObservation(fields: Partial<AgentObservation>): AgentObservation {
  return {
    cluster: 'prod',
    kind: 'etcd',
    up: true,
    leaderChangesTotal: 2,
    pollFailuresTotal: 1,
    ...fields,
  };
}

function valueOf(series: readonly Series[], name: string, labels: Record<string, string> = {}) {
  const found = series.filter(
    (entry) =>
      entry.name === name &&
      Object.entries(labels).every(([key, value]) => entry.labels[key] === value),
  );
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches ${found.length} series`);
  return found[0]?.value;
}

describe('etcd metric sample from /metrics', () => {
  it("keeps etcd's histograms with their own buckets and reads the proposal counters", () => {
    const sample = etcdMemberSample('id-n1', ETCD_METRICS);
    const fsync = sample.histograms.quorum_wal_fsync_duration_seconds;
    assert.ok(fsync);
    assert.equal(fsync.buckets.length, 15);
    assert.deepEqual(fsync.buckets[0], { le: 0.001, count: 10 });
    assert.deepEqual(fsync.buckets.at(-1), { le: Infinity, count: 12 });
    assert.equal(fsync.count, 12);
    assert.equal(fsync.sum, 0.008403238);
    assert.equal(sample.histograms.quorum_backend_commit_duration_seconds?.count, 7);
    assert.deepEqual(sample.values, {
      quorum_proposals_committed_total: 12,
      quorum_proposals_applied_total: 12,
      quorum_proposals_failed_total: 0,
      quorum_proposals_pending: 0,
    });
  });

  it('stops reading once a complete line sorts after the last family it needs', () => {
    const cut = ETCD_METRICS.indexOf('\netcd_server_quota_backend_bytes ');
    assert.ok(cut > 0);
    assert.equal(pastLastFamily(ETCD_METRICS.slice(0, cut + 1)), false);
    const lineEnd = ETCD_METRICS.indexOf('\n', cut + 1);
    assert.equal(pastLastFamily(ETCD_METRICS.slice(0, lineEnd + 1)), true);
    // A half-received line is not judged.
    assert.equal(pastLastFamily(ETCD_METRICS.slice(0, lineEnd - 3)), false);
    assert.equal(pastLastFamily('etcd_server_proposals_pending 0\n'), false);
    // What the cut-off page still holds is the whole sample.
    assert.deepEqual(
      etcdMemberSample('x', ETCD_METRICS.slice(0, lineEnd + 1)),
      etcdMemberSample('x', ETCD_METRICS),
    );
  });
});

describe('status to catalog series', () => {
  const { values } = observationSeries(
    baseObservation({
      status: etcdStatus,
      quotaEtaSeconds: new Map([['id-n1', 3600]]),
      leaderChangesPerSecond: 0.001,
      electionGapSeconds: 1.5,
      leaderlessSeconds: 0,
    }),
  );

  it('labels every series with cluster and kind, members by name', () => {
    for (const series of values) {
      assert.equal(series.labels.cluster, 'prod');
      assert.equal(series.labels.kind, 'etcd');
    }
    assert.equal(valueOf(values, 'quorum_up'), 1);
    assert.equal(valueOf(values, 'quorum_is_leader', { member: 'n1' }), 1);
    assert.equal(valueOf(values, 'quorum_is_leader', { member: 'n2' }), 0);
    assert.equal(valueOf(values, 'quorum_has_leader'), 1);
    assert.equal(valueOf(values, 'quorum_term', { member: 'n2' }), 7);
  });

  it('an unreachable member is down with no stale numbers', () => {
    assert.equal(valueOf(values, 'quorum_member_up', { member: 'n3' }), 0);
    assert.equal(valueOf(values, 'quorum_is_leader', { member: 'n3' }), 0);
    assert.equal(valueOf(values, 'quorum_term', { member: 'n3' }), undefined);
  });

  it('lag, sizes, quota and the derived signals', () => {
    assert.equal(valueOf(values, 'quorum_follower_lag_entries', { member: 'n2' }), 10);
    assert.equal(valueOf(values, 'quorum_follower_lag_entries', { member: 'n1' }), 0);
    assert.equal(valueOf(values, 'quorum_applied_index', { member: 'n2' }), 985);
    assert.equal(valueOf(values, 'quorum_quota_bytes', { member: 'n1' }), 2048);
    assert.equal(valueOf(values, 'quorum_db_fragmentation_ratio', { member: 'n1' }), 0.75);
    assert.equal(valueOf(values, 'quorum_quota_exhaustion_eta_seconds', { member: 'n1' }), 3600);
    assert.equal(valueOf(values, 'quorum_learner_catchup_ratio', { member: 'n4' }), 0.25);
    assert.equal(valueOf(values, 'quorum_learner_catchup_ratio', { member: 'n2' }), undefined);
    assert.equal(valueOf(values, 'quorum_is_voter', { member: 'n4' }), 0);
    // 3 voters, 2 reachable: majority 2, margin 0.
    assert.equal(valueOf(values, 'quorum_voters'), 3);
    assert.equal(valueOf(values, 'quorum_healthy_voters'), 2);
    assert.equal(valueOf(values, 'quorum_margin'), 0);
    assert.equal(valueOf(values, 'quorum_alarms_active'), 1);
    assert.equal(valueOf(values, 'quorum_leader_changes_total'), 2);
    assert.equal(valueOf(values, 'quorum_election_gap_seconds'), 1.5);
    assert.equal(valueOf(values, 'quorum_backup_age_seconds'), undefined);
  });

  it('ZooKeeper latency attributes become quantile gauges in seconds', () => {
    const zk = assembleClusterStatus({
      cluster: 'zk',
      kind: 'zookeeper',
      members: [
        member('server.1', { role: 'leader', attributes: { latencyAvgMs: 2, latencyMaxMs: 40 } }),
      ],
      observedAt: new Date(),
    });
    const series = observationSeries({
      ...baseObservation({ status: zk }),
      cluster: 'zk',
      kind: 'zookeeper',
    });
    assert.equal(
      valueOf(series.values, 'quorum_commit_latency_seconds', { quantile: 'avg' }),
      0.002,
    );
    assert.equal(valueOf(series.values, 'quorum_commit_latency_seconds', { quantile: '1' }), 0.04);
  });

  it('Multi-Raft groups by group type', () => {
    const nats = {
      ...assembleClusterStatus({
        cluster: 'js',
        kind: 'nats',
        members: [member('n1', { role: 'leader' })],
        observedAt: new Date(),
      }),
      groups: {
        total: 30,
        leaderless: 1,
        underReplicated: 3,
        byType: [
          { type: 'stream', total: 20, leaderless: 1, underReplicated: 2 },
          { type: 'consumer', total: 10, leaderless: 0, underReplicated: 1 },
        ],
        worst: [],
      },
    };
    const series = observationSeries({ ...baseObservation({ status: nats }), kind: 'nats' });
    assert.equal(valueOf(series.values, 'quorum_raft_groups', { group_type: 'stream' }), 20);
    assert.equal(
      valueOf(series.values, 'quorum_raft_groups_under_replicated', { group_type: 'consumer' }),
      1,
    );
    assert.equal(
      valueOf(series.values, 'quorum_raft_groups_leaderless', { group_type: 'stream' }),
      1,
    );
  });

  it('a failed poll: up 0, the members last seen are down, nothing else about them', () => {
    const series = observationSeries(
      baseObservation({ up: false, lastKnownMembers: etcdStatus.members, pollFailuresTotal: 3 }),
    );
    assert.equal(valueOf(series.values, 'quorum_up'), 0);
    assert.equal(valueOf(series.values, 'quorum_poll_failures_total'), 3);
    assert.equal(valueOf(series.values, 'quorum_member_up', { member: 'n1' }), 0);
    assert.equal(valueOf(series.values, 'quorum_has_leader'), undefined);
    assert.ok(!series.values.some((entry) => entry.name === 'quorum_is_leader'));
  });
});

describe('the prom-client registry built from the catalog', () => {
  const sample = etcdMemberSample('id-n1', ETCD_METRICS);
  const set = observationSeries(
    baseObservation({ status: etcdStatus, sample: { members: [sample], errors: [] } }),
  );
  const registry = createCatalogRegistry(() => indexSeries(set), { processMetrics: true });

  it('declares every catalog metric with its help and type', async () => {
    const text = await registry.metrics();
    for (const metric of METRIC_CATALOG) {
      assert.ok(text.includes(`# TYPE ${metric.name} ${metric.type}\n`), metric.name);
      assert.ok(text.includes(`# HELP ${metric.name} `), metric.name);
    }
    assert.match(text, /^process_resident_memory_bytes \d+/m);
  });

  it("prints the etcd histogram with etcd's buckets and the member's labels", async () => {
    const samples = parsePromText(await registry.metrics());
    const labels = { cluster: 'prod', member: 'n1', kind: 'etcd' };
    assert.equal(
      findSample(samples, 'quorum_wal_fsync_duration_seconds_bucket', { ...labels, le: '0.002' }),
      11,
    );
    assert.equal(
      findSample(samples, 'quorum_wal_fsync_duration_seconds_bucket', { ...labels, le: '+Inf' }),
      12,
    );
    assert.equal(findSample(samples, 'quorum_wal_fsync_duration_seconds_count', labels), 12);
    assert.equal(
      findSample(samples, 'quorum_backend_commit_duration_seconds_sum', labels),
      0.004367796,
    );
    assert.equal(findSample(samples, 'quorum_proposals_committed_total', labels), 12);
    assert.equal(findSample(samples, 'quorum_leader_changes_total', { cluster: 'prod' }), 2);
    assert.equal(findSample(samples, 'quorum_is_leader', labels), 1);
  });

  it('Infinity stays a valid exposition value', async () => {
    const infinite = observationSeries(
      baseObservation({ status: etcdStatus, quotaEtaSeconds: new Map([['id-n1', Infinity]]) }),
    );
    const text = await createCatalogRegistry(() => indexSeries(infinite), {
      processMetrics: false,
    }).metrics();
    assert.match(text, /^quorum_quota_exhaustion_eta_seconds\{[^}]*member="n1"[^}]*\} \+Inf$/m);
  });
});
