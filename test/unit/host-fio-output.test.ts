// fio's JSON output (test/fixtures/host, recorded from fio 3.33) and the fio command line we run.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isQuorumctlError } from '../../core/errors.js';
import { FioOutputError, fioArguments, parseFioSyncLatency } from '../../ops/host/fio.js';
import { DEFAULT_FSYNC_BUDGET, resolveFsyncBudget } from '../../ops/host/fsync-probe.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const recorded = readFileSync(
  join(REPO_ROOT, 'test', 'fixtures', 'host', 'fio-3.33-etcd-recipe.json'),
  'utf8',
);

function edited(change: (document: { jobs: Record<string, unknown>[] }) => void): string {
  const document = JSON.parse(recorded) as { jobs: Record<string, unknown>[] };
  change(document);
  return JSON.stringify(document);
}

describe('parseFioSyncLatency', () => {
  test('reads the fdatasync percentiles of the recorded etcd recipe run, in ms', () => {
    const result = parseFioSyncLatency(recorded);
    assert.equal(result.fioVersion, 'fio-3.33');
    assert.deepEqual(result.datasync, {
      samples: 10029,
      p50Ms: 0.154624,
      p99Ms: 1.019904,
      maxMs: 67.425052,
    });
    assert.equal(result.bytesWritten, 10029 * 2300);
    assert.equal(result.runtimeMs, 2178);
  });

  test('skips the warnings fio prints before the JSON document', () => {
    const noisy = `fio: this platform does not support process shared mutexes\n${recorded}`;
    assert.equal(parseFioSyncLatency(noisy).datasync.p99Ms, 1.019904);
  });

  test('refuses output without JSON, with broken JSON, or without jobs', () => {
    assert.throws(() => parseFioSyncLatency('fio: failed parsing directory=/x\n'), FioOutputError);
    assert.throws(() => parseFioSyncLatency('{ "jobs": ['), /invalid JSON/);
    assert.throws(() => parseFioSyncLatency('{"jobs": []}'), /no job/);
  });

  test('refuses a failed job', () => {
    const failed = edited((document) => {
      document.jobs[0]!.error = 28;
    });
    assert.throws(() => parseFioSyncLatency(failed), /fio job failed with error 28/);
  });

  test('refuses output without sync latencies (run without --fdatasync, or an old fio)', () => {
    const withoutSync = edited((document) => {
      delete document.jobs[0]!.sync;
    });
    assert.throws(() => parseFioSyncLatency(withoutSync), /no sync latency percentiles/);
    const withoutP99 = edited((document) => {
      const sync = document.jobs[0]!.sync as { lat_ns: { percentile: Record<string, number> } };
      delete sync.lat_ns.percentile['99.000000'];
    });
    assert.throws(() => parseFioSyncLatency(withoutP99), /no sync latency percentiles/);
  });

  test('a bucketed percentile above the exact maximum is capped at it', () => {
    const few = edited((document) => {
      const sync = document.jobs[0]!.sync as {
        lat_ns: { max: number; percentile: Record<string, number> };
      };
      sync.lat_ns.max = 270_000;
      sync.lat_ns.percentile['99.000000'] = 272_384;
    });
    const { datasync } = parseFioSyncLatency(few);
    assert.equal(datasync.p99Ms, 0.27);
    assert.equal(datasync.maxMs, 0.27);
  });

  test('refuses a run that made no fdatasync', () => {
    const none = edited((document) => {
      const sync = document.jobs[0]!.sync as { lat_ns: { N: number } };
      sync.lat_ns.N = 0;
    });
    assert.throws(() => parseFioSyncLatency(none), /no fdatasync/);
  });
});

describe('fioArguments', () => {
  test('is the etcd recipe with our file, the byte and time budget, and JSON output', () => {
    assert.deepEqual(fioArguments('/var/lib/etcd/.probe', DEFAULT_FSYNC_BUDGET), [
      '--name=quorumctl-fsync',
      '--filename=/var/lib/etcd/.probe',
      '--rw=write',
      '--ioengine=sync',
      '--fdatasync=1',
      `--size=${10029 * 2300}`,
      '--bs=2300',
      '--runtime=10000ms',
      '--unlink=1',
      '--output-format=json',
    ]);
  });

  test('escapes colons, which fio reads as file name separators', () => {
    const args = fioArguments('/data/a:b/.probe', { maxBytes: 4600, maxDurationMs: 250.5 });
    assert.ok(args.includes('--filename=/data/a\\:b/.probe'));
    assert.ok(args.includes('--size=4600'));
    assert.ok(args.includes('--runtime=251ms'));
  });
});

describe('resolveFsyncBudget', () => {
  test('fills in the recipe defaults: 22 MiB and 10 s', () => {
    assert.deepEqual(resolveFsyncBudget(), { maxBytes: 23_068_672, maxDurationMs: 10_000 });
    assert.deepEqual(resolveFsyncBudget({ maxDurationMs: 200 }), {
      maxBytes: 23_068_672,
      maxDurationMs: 200,
    });
  });

  test('refuses a budget smaller than one write, or a time that is not positive', () => {
    for (const budget of [{ maxBytes: 2299 }, { maxDurationMs: 0 }, { maxBytes: Number.NaN }]) {
      assert.throws(
        () => resolveFsyncBudget(budget),
        (error: unknown) => isQuorumctlError(error) && error.code === 'FSYNC_BUDGET_INVALID',
      );
    }
  });
});
