import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricLabel } from '../../core/metrics/catalog-types.js';
import {
  ETCD_DISK_BUCKETS_SECONDS,
  METRIC_CATALOG,
  isCatalogMetric,
  metricDefinition,
} from '../../core/metrics/catalog.js';
import { SYSTEM_KINDS } from '../../core/model.js';

const ALLOWED_LABELS: readonly MetricLabel[] = [
  'cluster',
  'member',
  'kind',
  'group_type',
  'quantile',
];
/** Prometheus base units: seconds and bytes, never ms, minutes, KB or percent. */
const NON_BASE_UNITS =
  /_(ms|milliseconds|microseconds|minutes|hours|days|kb|kilobytes|mb|megabytes|gb|percent|pct)(_|$)/;
const TIME_WORDS = /_(latency|duration|age|gap|eta)_/;

describe('metric catalog', () => {
  it('names are quorum_-prefixed snake_case and unique', () => {
    const names = METRIC_CATALOG.map((metric) => metric.name);
    assert.equal(new Set(names).size, names.length, 'duplicate names');
    for (const name of names) {
      assert.match(name, /^quorum_[a-z][a-z0-9]*(_[a-z0-9]+)*$/, name);
    }
  });

  it('puts _total on counters and only on counters', () => {
    for (const metric of METRIC_CATALOG) {
      assert.equal(
        metric.name.endsWith('_total'),
        metric.type === 'counter',
        `${metric.name} is a ${metric.type}`,
      );
    }
  });

  it('uses base units, and says the unit of every time or size', () => {
    for (const metric of METRIC_CATALOG) {
      assert.doesNotMatch(metric.name, NON_BASE_UNITS, metric.name);
      if (TIME_WORDS.test(metric.name)) assert.match(metric.name, /_seconds$/, metric.name);
      if (/_(size|free)(_|$)/.test(metric.name) || metric.name === 'quorum_quota_bytes')
        assert.match(metric.name, /_bytes$/, metric.name);
    }
  });

  it('allows only the catalog labels, each once, always with cluster and kind', () => {
    for (const metric of METRIC_CATALOG) {
      assert.equal(new Set(metric.labels).size, metric.labels.length, metric.name);
      for (const label of metric.labels) assert.ok(ALLOWED_LABELS.includes(label), label);
      assert.ok(metric.labels.includes('cluster'), `${metric.name} lacks cluster`);
      assert.ok(metric.labels.includes('kind'), `${metric.name} lacks kind`);
      if (metric.labels.includes('quantile')) assert.equal(metric.type, 'gauge', metric.name);
    }
  });

  it('gives histograms ascending buckets and nothing else buckets', () => {
    for (const metric of METRIC_CATALOG) {
      if (metric.type !== 'histogram') {
        assert.equal(metric.buckets, undefined, metric.name);
        continue;
      }
      const buckets = metric.buckets ?? [];
      assert.ok(buckets.length > 0, metric.name);
      for (let index = 1; index < buckets.length; index += 1)
        assert.ok((buckets[index] ?? 0) > (buckets[index - 1] ?? 0), metric.name);
      assert.doesNotMatch(metric.name, /_(bucket|sum|count)$/, metric.name);
    }
    // etcd's ExponentialBuckets(0.001, 2, 14), exactly as /metrics prints them.
    assert.deepEqual(
      ETCD_DISK_BUCKETS_SECONDS.map((bound) => Number(bound.toPrecision(6))),
      [
        0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096,
        8.192,
      ],
    );
  });

  it('has help text and a source for at least one kind on every metric', () => {
    for (const metric of METRIC_CATALOG) {
      assert.ok(metric.help.length > 10 && !metric.help.includes('\n'), metric.name);
      const kinds = Object.keys(metric.sources);
      assert.ok(kinds.length > 0, `${metric.name} has no source`);
      for (const kind of kinds) assert.ok((SYSTEM_KINDS as readonly string[]).includes(kind), kind);
      for (const text of Object.values(metric.sources)) assert.ok((text ?? '').length > 0);
    }
  });

  it('has what issue 4 asks for, and the derived signals are marked derived', () => {
    const required = [
      'quorum_up',
      'quorum_is_leader',
      'quorum_has_leader',
      'quorum_leader_changes_total',
      'quorum_term',
      'quorum_commit_index',
      'quorum_applied_index',
      'quorum_follower_lag_entries',
      'quorum_follower_lag_seconds',
      'quorum_wal_fsync_duration_seconds',
      'quorum_backend_commit_duration_seconds',
      'quorum_commit_latency_seconds',
      'quorum_db_size_bytes',
      'quorum_db_size_in_use_bytes',
      'quorum_quota_bytes',
      'quorum_proposals_failed_total',
      'quorum_proposals_pending',
      'quorum_raft_groups',
      'quorum_raft_groups_leaderless',
      'quorum_raft_groups_under_replicated',
    ];
    for (const name of required) assert.ok(isCatalogMetric(name), name);
    const derived = [
      'quorum_margin',
      'quorum_db_fragmentation_ratio',
      'quorum_quota_exhaustion_eta_seconds',
      'quorum_leader_changes_per_second',
      'quorum_election_gap_seconds',
      'quorum_backup_age_seconds',
      'quorum_learner_catchup_ratio',
    ] as const;
    for (const name of derived) assert.equal(metricDefinition(name).derived, true, name);
    assert.deepEqual(metricDefinition('quorum_raft_groups').labels, [
      'cluster',
      'kind',
      'group_type',
    ]);
    assert.ok(metricDefinition('quorum_commit_latency_seconds').labels.includes('quantile'));
    assert.ok(!isCatalogMetric('etcd_server_has_leader'));
  });
});
