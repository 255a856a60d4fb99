// The Prometheus text parser on a real etcd 3.4.23 /metrics answer and on edge cases.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { histogramQuantile } from '../../core/histogram.js';
import {
  findHistogram,
  findSample,
  parsePromText,
} from '../../systems/transport/prometheus-text.js';
import { REPO_ROOT } from '../support/cli.js';

const ETCD_METRICS = readFileSync(join(REPO_ROOT, 'test/fixtures/etcd-3.4.23/metrics.txt'), 'utf8');

describe('parsePromText', () => {
  test('reads a recorded etcd exposition: gauges, labelled samples and histograms', () => {
    const samples = parsePromText(ETCD_METRICS);
    assert.equal(findSample(samples, 'etcd_server_quota_backend_bytes'), 2147483648);
    assert.equal(findSample(samples, 'etcd_server_has_leader'), 1);
    const fsync = findHistogram(samples, 'etcd_disk_wal_fsync_duration_seconds');
    assert.ok(fsync);
    assert.equal(fsync.count, 12);
    assert.equal(fsync.buckets.length, 15);
    assert.equal(fsync.buckets.at(-1)?.le, Infinity);
    // 10 of 12 fsyncs took <= 1 ms, 11 <= 2 ms: p90 interpolates to 1.8 ms.
    assert.ok(Math.abs((histogramQuantile(0.9, fsync) ?? 0) - 0.0018) < 1e-12);
  });

  test('labels with escapes, special values, timestamps; junk lines are skipped', () => {
    const samples = parsePromText(
      [
        '# HELP x help',
        'x{path="a\\"b",le="+Inf"} 3 1700000000000',
        'y NaN',
        'z -Inf',
        'not a sample line',
        'w{broken="x} 1',
        '',
      ].join('\n'),
    );
    assert.deepEqual(samples[0], { name: 'x', labels: { path: 'a"b', le: '+Inf' }, value: 3 });
    assert.ok(Number.isNaN(samples[1]?.value));
    assert.equal(samples[2]?.value, -Infinity);
    assert.equal(samples.length, 3);
    assert.equal(findSample(samples, 'x', { path: 'other' }), undefined);
  });
});
