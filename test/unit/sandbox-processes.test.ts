// Sandbox process handling against throwaway local processes: liveness with PID-reuse guard, stopping in waves with SIGKILL escalation, free ports, the not-ready error.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { allocatePorts } from '../../sandbox/ports.js';
import { environmentWithout, exists, isAlive, stopInWaves } from '../../sandbox/processes.js';
import { notReadyError } from '../../sandbox/readiness.js';
import type { SandboxRecord } from '../../sandbox/types.js';

/** A `sleep` whose command line carries a unique marker; `ignoreTerm` makes it survive SIGTERM. */
function sleeper(marker: string, ignoreTerm = false): number {
  // exec keeps the PID; an ignored signal stays ignored across exec.
  const script = `${ignoreTerm ? "trap '' TERM; " : ''}exec sleep 30 ${marker}`;
  // sleep accepts several durations and adds them up: the marker must be a number.
  const child = spawn('sh', ['-c', script], { stdio: 'ignore' });
  assert.ok(child.pid !== undefined);
  return child.pid;
}

describe('liveness', () => {
  test('alive only while the command line still has every marker', async () => {
    const pid = sleeper('0.0421');
    await new Promise((resolve) => setTimeout(resolve, 100)); // let sh exec sleep
    assert.equal(isAlive(pid, ['sleep', '0.0421']), true);
    assert.equal(isAlive(pid, ['sleep', 'another-sandbox']), false, 'a reused PID is not ours');
    process.kill(pid, 'SIGKILL');
    // Dead at once even before it is reaped: a zombie has an empty command line.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(isAlive(pid, 'sleep'), false);
  });

  test('a PID that never existed is dead', () => {
    assert.equal(exists(2 ** 22 + 1), false);
    assert.equal(isAlive(2 ** 22 + 1, 'etcd'), false);
  });
});

describe('stopping', () => {
  test('waves run in order; one that ignores SIGTERM gets SIGKILL when the grace is over', async () => {
    const polite = sleeper('0.0431');
    const stubborn = sleeper('0.0432', true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    const survivors = await stopInWaves(
      [[{ pid: polite, markers: ['0.0431'] }], [{ pid: stubborn, markers: ['0.0432'] }]],
      600,
    );
    const elapsed = Date.now() - started;
    assert.deepEqual(survivors, []);
    assert.equal(exists(polite), false);
    assert.equal(exists(stubborn), false);
    assert.ok(elapsed >= 550, `waited for the grace before SIGKILL (${elapsed} ms)`);
    assert.ok(elapsed < 3000, `then killed at once (${elapsed} ms)`);
  });

  test('a PID that is no longer ours is never signalled', async () => {
    const other = sleeper('0.0441');
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      assert.deepEqual(await stopInWaves([[{ pid: other, markers: ['etcd'] }]], 100), []);
      assert.equal(isAlive(other, '0.0441'), true, 'the unrelated process still runs');
    } finally {
      process.kill(other, 'SIGKILL');
    }
  });

  test('etcd settings in the environment are not passed on', () => {
    const env = environmentWithout('ETCD_', {
      PATH: '/bin',
      ETCD_QUOTA_BACKEND_BYTES: '4096',
      ETCDCTL_API: '3',
    });
    assert.deepEqual(env, { PATH: '/bin', ETCDCTL_API: '3' });
  });
});

describe('free ports', () => {
  test('distinct, in [20000, 32000), skipping taken ports and duplicates', async () => {
    // A "random" source walking 20000, 20000, 20001, 20001, ...: duplicates are skipped.
    let step = 0;
    const ports = await allocatePorts(3, new Set([20001]), () => Math.floor(step++ / 2) / 12000);
    assert.deepEqual(ports, [20000, 20002, 20003]);
    const many = await allocatePorts(30);
    assert.equal(new Set(many).size, 30);
    assert.ok(many.every((port) => port >= 20000 && port < 32000));
  });

  test('a port something already listens on is not handed out', async () => {
    const [busy] = await allocatePorts(1);
    assert.ok(busy !== undefined);
    const listener = createServer().listen({ port: busy, host: '127.0.0.1' });
    await once(listener, 'listening');
    try {
      let first = true;
      const [port] = await allocatePorts(
        1,
        new Set(),
        () => {
          if (!first) return Math.random();
          first = false;
          return (busy - 20000) / 12000; // offer the busy port first
        },
        () => Date.now() + 10 * 60_000, // past the hold: only the bind check can refuse it
      );
      assert.ok(port !== undefined && port !== busy, `got ${String(port)}, busy is ${busy}`);
    } finally {
      listener.close();
    }
  });

  test('concurrent calls never hand out the same port, until the hold expires', async () => {
    // Both calls walk the same sequence of offers; nothing listens on them yet.
    const offers = () => {
      let step = 0;
      return () => (4000 + step++) / 12000;
    };
    const [first, second] = await Promise.all([
      allocatePorts(5, new Set(), offers()),
      allocatePorts(5, new Set(), offers()),
    ]);
    assert.equal(new Set([...first, ...second]).size, 10, `${first.join()} / ${second.join()}`);
    const later = await allocatePorts(1, new Set(), offers(), () => Date.now() + 10 * 60_000);
    assert.deepEqual(later, [24000], 'held ports come back once the hold is over');
  });
});

describe('the not-ready error', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quorumctl-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('names the kind, the members, the logs to read, and carries their last 10 lines', async () => {
    const log = join(dir, 'n2.log');
    await writeFile(
      log,
      `${Array.from({ length: 25 }, (_, index) => `line ${index + 1}`).join('\n')}\n`,
    );
    const record: SandboxRecord = {
      name: 'demo',
      kind: 'etcd',
      version: 'unknown',
      createdAt: '2026-11-29T00:00:00.000Z',
      dir,
      members: ['n1', 'n2'].map((name) => ({
        name,
        pid: 1,
        clientUrl: 'http://127.0.0.1:20000',
        ports: {},
        dataDir: dir,
        logFile: join(dir, 'gone', `${name}.log`),
      })),
      endpoints: [],
    };
    const error = await notReadyError(
      record,
      record.members.slice(1),
      'exited during start-up',
      new Map([['n2', log]]),
    );
    assert.equal(error.code, 'SANDBOX_NOT_READY');
    assert.equal(error.exitCode, 3);
    assert.equal(error.message, `etcd sandbox "demo": n2 exited during start-up; read ${log}`);
    assert.deepEqual(error.details.notReady, ['n2']);
    assert.deepEqual(error.details.logTails, {
      n2: Array.from({ length: 10 }, (_, index) => `line ${index + 16}`),
    });
  });
});
