// The built-in fsync probe and fio on a real temporary directory: bounds, abort, errors, and no file left behind.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { runFioProbe } from '../../ops/host/fio.js';
import { runFsyncProbe, type FsyncMeasurement } from '../../ops/host/fsync-probe.js';

let directory: string;
/** Outside the probed directory, which must stay empty. */
let tools: string;
let failingFio: string;

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'quorumctl-fsync-it-'));
  tools = await mkdtemp(join(tmpdir(), 'quorumctl-fsync-tools-'));
  failingFio = join(tools, 'fio');
  await writeFile(failingFio, '#!/bin/sh\necho "fio: pretend failure" >&2\nexit 1\n', {
    mode: 0o755,
  });
});

afterEach(async () => {
  // Every probe must clean up after itself, whatever happened.
  assert.deepEqual(await readdir(directory), []);
});

after(async () => {
  await rm(directory, { recursive: true, force: true });
  await rm(tools, { recursive: true, force: true });
});

function assertSaneLatencies(measurement: FsyncMeasurement): void {
  const { datasync } = measurement;
  assert.ok(datasync.p50Ms > 0, `p50 ${datasync.p50Ms}`);
  assert.ok(datasync.p50Ms <= datasync.p99Ms && datasync.p99Ms <= datasync.maxMs);
  assert.ok(datasync.maxMs < 10_000, `max ${datasync.maxMs} ms`);
}

const abortSoon = (afterMs: number): AbortSignal => AbortSignal.timeout(afterMs);

describe('built-in fsync probe', () => {
  test('stops at the byte budget: one 2300-byte write and fdatasync per block', async () => {
    const measurement = await runFsyncProbe({
      directory,
      budget: { maxBytes: 2300 * 60 + 100, maxDurationMs: 20_000 },
    });
    assert.equal(measurement.probe, 'builtin');
    assert.equal(measurement.stoppedBy, 'bytes');
    assert.equal(measurement.writes, 60);
    assert.equal(measurement.bytesWritten, 60 * 2300);
    assert.equal(measurement.datasync.samples, 60);
    assert.equal(measurement.writeAndDatasync?.samples, 60);
    assert.ok(measurement.writeAndDatasync.p50Ms >= measurement.datasync.p50Ms);
    assertSaneLatencies(measurement);
  });

  test('stops at the time budget when bytes remain', async () => {
    const started = Date.now();
    const measurement = await runFsyncProbe({ directory, budget: { maxDurationMs: 150 } });
    assert.equal(measurement.stoppedBy, 'time');
    assert.ok(measurement.writes > 0 && measurement.writes < 10_029);
    assert.ok(measurement.durationMs >= 150);
    assert.ok(Date.now() - started < 3000, 'bounded in time');
    assertSaneLatencies(measurement);
  });

  test('an abort mid-run rejects with the reason and removes the file', async () => {
    const started = Date.now();
    await assert.rejects(
      runFsyncProbe({ directory, budget: { maxDurationMs: 10_000 }, signal: abortSoon(100) }),
      { name: 'TimeoutError' },
    );
    assert.ok(Date.now() - started < 3000);
  });

  test('an already aborted signal writes nothing', async () => {
    await assert.rejects(runFsyncProbe({ directory, signal: AbortSignal.abort() }), {
      name: 'AbortError',
    });
  });

  test('a directory that does not exist is the file system error', async () => {
    await assert.rejects(runFsyncProbe({ directory: join(directory, 'missing') }), {
      code: 'ENOENT',
    });
  });
});

describe('fio probe (the etcd recipe run by fio)', () => {
  test('stops at the byte budget and reports fio sync latencies', async () => {
    const measurement = await runFioProbe({
      directory,
      budget: { maxBytes: 2300 * 60, maxDurationMs: 20_000 },
    });
    assert.equal(measurement.probe, 'fio');
    assert.equal(measurement.stoppedBy, 'bytes');
    assert.equal(measurement.bytesWritten, 60 * 2300);
    assert.ok(measurement.datasync.samples >= 59, `${measurement.datasync.samples} fdatasyncs`);
    assertSaneLatencies(measurement);
  });

  test('stops at the time budget', async () => {
    const started = Date.now();
    const measurement = await runFioProbe({ directory, budget: { maxDurationMs: 200 } });
    assert.equal(measurement.stoppedBy, 'time');
    assert.ok(measurement.bytesWritten < 22 * 1024 * 1024);
    assert.ok(Date.now() - started < 5000);
    assertSaneLatencies(measurement);
  });

  test('an abort kills fio, rejects with the reason and removes the file', async () => {
    const started = Date.now();
    await assert.rejects(
      runFioProbe({ directory, budget: { maxDurationMs: 10_000 }, signal: abortSoon(300) }),
      { name: 'TimeoutError' },
    );
    assert.ok(Date.now() - started < 3000);
  });

  test('a missing directory is not created (fio would); a failing or missing fio is an error', async () => {
    await assert.rejects(runFioProbe({ directory: join(directory, 'missing') }), {
      code: 'ENOENT',
    });
    await assert.rejects(runFioProbe({ directory, fioPath: failingFio }), {
      message: 'fio exited with code 1: fio: pretend failure',
    });
    await assert.rejects(runFioProbe({ directory, fioPath: join(tools, 'no-fio-here') }), {
      code: 'ENOENT',
    });
  });
});
