// sampleValue on a real etcd 3.4.23 /metrics answer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sampleValue } from '../../systems/etcd/metrics.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const METRICS = readFileSync(
  join(REPO_ROOT, 'test', 'fixtures', 'etcd-3.4.23', 'metrics.txt'),
  'utf8',
);

describe('sampleValue on recorded etcd metrics', () => {
  test('etcd_server_quota_backend_bytes is 2 GiB (written as 2.147483648e+09)', () => {
    assert.equal(sampleValue(METRICS, 'etcd_server_quota_backend_bytes'), 2147483648);
  });

  test('plain and labelled samples', () => {
    assert.equal(sampleValue(METRICS, 'etcd_mvcc_db_total_size_in_bytes'), 20480);
    assert.equal(sampleValue(METRICS, 'etcd_mvcc_db_total_size_in_use_in_bytes'), 16384);
    assert.equal(sampleValue(METRICS, 'etcd_server_is_leader'), 1);
    assert.equal(sampleValue(METRICS, 'etcd_server_id'), 1);
    assert.equal(
      sampleValue(METRICS, 'go_gc_duration_seconds'),
      1.7557e-5,
      'first labelled sample',
    );
  });

  test('a metric that is a prefix of another is not confused with it', () => {
    assert.equal(sampleValue(METRICS, 'go_memstats_alloc_bytes'), 20375912);
    assert.equal(sampleValue(METRICS, 'go_memstats_alloc_bytes_total'), 23433672);
    assert.equal(sampleValue(METRICS, 'go_gc_duration_seconds_count'), 4);
    // Only longer names exist: these must not pick one of them up.
    assert.equal(sampleValue(METRICS, 'etcd_server_quota_backend'), undefined);
    assert.equal(sampleValue(METRICS, 'etcd_mvcc_db_total_size_in'), undefined);
  });

  test('the longer name listed first does not shadow the shorter one', () => {
    const text = 'x_total_foo 7\nx_total{a="b"} 3\n';
    assert.equal(sampleValue(text, 'x_total'), 3);
    assert.equal(sampleValue(text, 'x_total_foo'), 7);
  });

  test('missing metrics, HELP/TYPE lines and empty input are undefined', () => {
    assert.equal(sampleValue(METRICS, 'etcd_no_such_metric'), undefined);
    assert.equal(sampleValue('# HELP x_total x\n# TYPE x_total counter\n', 'x_total'), undefined);
    assert.equal(sampleValue('', 'x_total'), undefined);
  });

  test('a trailing timestamp is ignored; NaN is NaN; garbage is undefined', () => {
    assert.equal(sampleValue('x 12 1700000000000\n', 'x'), 12);
    assert.ok(Number.isNaN(sampleValue('x NaN\n', 'x')));
    assert.equal(sampleValue('x abc\n', 'x'), undefined);
  });
});
