// Sandboxes of real servers (etcd, ZooKeeper, NATS) on loopback: up, leader, refusals, a killed member, down leaves nothing.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { UnreachableError, UsageError } from '../../core/errors.js';
import {
  sandboxDown,
  sandboxList,
  sandboxLogPaths,
  sandboxUp,
  stopMember,
  type SandboxListing,
  type SandboxRecord,
} from '../../sandbox/index.js';
import { fourLetterWord } from '../../sandbox/probes.js';

/** Whether the PID is still in the process table (what an operator's `kill -0` would say). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** PIDs of processes whose command line mentions the path (the failed start records no PIDs we could keep). */
async function processesMentioning(path: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  const mentioning = await Promise.all(
    pids.map(async (pid) =>
      (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes(path)
        ? [Number(pid)]
        : [],
    ),
  );
  return mentioning.flat();
}

async function listed(stateDir: string, name: string): Promise<SandboxListing | undefined> {
  return (await sandboxList(stateDir)).find((listing) => listing.name === name);
}

function assertAllGone(record: SandboxRecord): void {
  for (const member of record.members)
    assert.throws(() => process.kill(member.pid, 0), `${member.name} (PID ${member.pid}) is gone`);
}

function usageError(code: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

async function json(url: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
  assert.equal(response.status, 200, url);
  return response.json();
}

describe('sandbox of real servers', { timeout: 60_000 }, () => {
  let stateDir: string;
  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-test-'));
  });
  // Runs even when an assertion failed half-way: no server may outlive the tests.
  after(async () => {
    for (const listing of await sandboxList(stateDir))
      await sandboxDown(stateDir, listing.name, { graceMs: 500 }).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  });

  test('etcd: 3 healthy members, refusals, a killed member shows dead, down leaves nothing', async () => {
    const progress: string[] = [];
    const record = await sandboxUp({
      stateDir,
      name: 'e3',
      kind: 'etcd',
      onProgress: (message) => progress.push(message),
    });
    assert.equal(progress[0], `starting 3 etcd members in ${record.dir}`);
    assert.equal(progress[1], 'waiting for a leader');
    assert.match(progress[2] ?? '', /^ready in \d+\.\d s$/);
    assert.equal(record.version, '3.4.23');
    assert.equal(record.dir, join(stateDir, 'sandboxes', 'e3'));
    assert.deepEqual(
      record.members.map((member) => member.name),
      ['n1', 'n2', 'n3'],
    );
    assert.deepEqual(
      record.endpoints,
      record.members.map((member) => member.clientUrl),
    );
    assert.deepEqual(record.monitorUrls, record.endpoints);
    const ports = record.members.flatMap((member) => [member.ports.client, member.ports.peer]);
    assert.equal(new Set(ports).size, 6, 'six distinct ports');
    assert.ok(ports.every((port) => port !== undefined && port >= 20000 && port < 32000));

    // The state file is the record, and every member is a live, healthy etcd.
    const stateFile: unknown = JSON.parse(await readFile(join(record.dir, 'sandbox.json'), 'utf8'));
    assert.deepEqual(stateFile, record);
    const listing = await listed(stateDir, 'e3');
    assert.equal(listing?.state, 'running');
    assert.deepEqual(
      listing.liveness.map((member) => member.alive),
      [true, true, true],
    );
    for (const endpoint of record.endpoints)
      assert.deepEqual(await json(`${endpoint}/health`), { health: 'true' });
    const metrics = await (await fetch(`${record.endpoints[0] ?? ''}/metrics`)).text();
    assert.match(
      metrics,
      /^etcd_server_quota_backend_bytes 2\.147483648e\+09$/m,
      'default 2 GiB quota',
    );

    // Refusals: the same name while it runs, an unknown name.
    await assert.rejects(sandboxUp({ stateDir, name: 'e3', kind: 'etcd' }), (error) => {
      usageError('SANDBOX_EXISTS')(error);
      assert.ok(error instanceof UsageError);
      assert.equal(
        error.message,
        `sandbox "e3" is already running (etcd, 3 members, state ${record.dir})`,
      );
      assert.ok(error.actions.includes('quorumctl sandbox down e3'));
      return true;
    });
    await assert.rejects(sandboxDown(stateDir, 'ghost'), (error) => {
      usageError('SANDBOX_NOT_FOUND')(error);
      assert.ok(error instanceof UsageError);
      assert.ok(error.actions.includes('existing sandboxes: e3'), error.actions.join('; '));
      return true;
    });

    const logs = await sandboxLogPaths(stateDir, 'e3');
    assert.deepEqual(
      logs.map((log) => log.member),
      ['n1', 'n2', 'n3'],
    );
    for (const log of logs)
      assert.match(await readFile(log.path, 'utf8'), /etcd Version: 3\.4\.23/);

    // One member killed: still recorded, reported dead, the sandbox degraded.
    const n2 = record.members[1]!;
    await stopMember(stateDir, 'e3', 'n2');
    assert.equal(pidExists(n2.pid), false);
    const degraded = await listed(stateDir, 'e3');
    assert.equal(degraded?.state, 'degraded');
    assert.deepEqual(degraded.liveness, [
      { name: 'n1', pid: record.members[0]!.pid, alive: true },
      { name: 'n2', pid: n2.pid, alive: false },
      { name: 'n3', pid: record.members[2]!.pid, alive: true },
    ]);

    // Followers first, then the leader: all exit on SIGTERM well within the grace period
    // (all at once, the leader hangs about 7 s trying to hand over leadership).
    const started = Date.now();
    await sandboxDown(stateDir, 'e3', { graceMs: 5000 });
    const elapsed = Date.now() - started;
    assertAllGone(record);
    assert.ok(
      elapsed < 5000,
      `stopped by SIGTERM, not by the SIGKILL after the grace (${elapsed} ms)`,
    );
    await assert.rejects(stat(record.dir), { code: 'ENOENT' });
    assert.equal(await listed(stateDir, 'e3'), undefined);
  });

  test('ZooKeeper: 3 servers, exactly one leader, AdminServer and logs, down leaves nothing', async () => {
    const record = await sandboxUp({ stateDir, name: 'zk', kind: 'zookeeper' });
    assert.equal(record.version, '3.8.0');
    const replies = await Promise.all(
      record.members.map((member) =>
        fourLetterWord('127.0.0.1', member.ports.client ?? 0, 'srvr', 2000),
      ),
    );
    const modes = replies.map((reply) => /^Mode: (\w+)$/m.exec(reply ?? '')?.[1]);
    assert.equal(modes.filter((mode) => mode === 'leader').length, 1, modes.join(','));
    assert.equal(modes.filter((mode) => mode === 'follower').length, 2, modes.join(','));
    assert.equal(
      record.members[0]?.clientUrl,
      `tcp://127.0.0.1:${record.members[0]?.ports.client}`,
    );

    // The AdminServer answers on its own port and agrees on the leader.
    const leaderIds = await Promise.all(
      (record.monitorUrls ?? []).map(async (url) => {
        const leader = (await json(`${url}/leader`)) as { leader_id?: number };
        return leader.leader_id;
      }),
    );
    assert.equal(leaderIds.length, 3);
    assert.equal(new Set(leaderIds).size, 1, `one leader id: ${leaderIds.join(',')}`);
    assert.equal(modes[(leaderIds[0] ?? 0) - 1], 'leader', 'server.N with N = leader_id leads');

    // log4j writes into the member log.
    const [log] = await sandboxLogPaths(stateDir, 'zk', 'n1');
    assert.match(
      await readFile(log?.path ?? '', 'utf8'),
      /Started AdminServer on address 127\.0\.0\.1/,
    );

    await sandboxDown(stateDir, 'zk', { graceMs: 3000 });
    assertAllGone(record);
    await assert.rejects(stat(record.dir), { code: 'ENOENT' });
  });

  test('NATS: 3 JetStream servers with a meta leader; all dead frees the name; down leaves nothing', async () => {
    const record = await sandboxUp({ stateDir, name: 'js', kind: 'nats' });
    assert.equal(record.version, '2.9.10');
    assert.deepEqual(
      record.monitorUrls,
      record.members.map((member) => `http://127.0.0.1:${member.ports.http}`),
    );
    for (const url of record.monitorUrls ?? [])
      assert.deepEqual(await json(`${url}/healthz`), { status: 'ok' });
    const jsz = (await json(`${record.monitorUrls?.[0] ?? ''}/jsz`)) as {
      meta_cluster?: { leader?: string; cluster_size?: number };
    };
    assert.ok(
      record.members.some((member) => member.name === jsz.meta_cluster?.leader),
      `meta leader ${jsz.meta_cluster?.leader ?? 'none'} is one of ours`,
    );
    assert.equal(jsz.meta_cluster?.cluster_size, 3);

    // Every member dead: the name may be reused, and the leftovers are replaced.
    for (const member of record.members) await stopMember(stateDir, 'js', member.name);
    const stopped = await listed(stateDir, 'js');
    assert.equal(stopped?.state, 'stopped');
    const again = await sandboxUp({ stateDir, name: 'js', kind: 'nats' });
    assert.ok(again.members.every((member, index) => member.pid !== record.members[index]?.pid));

    await sandboxDown(stateDir, 'js', { graceMs: 3000 });
    assertAllGone(again);
    await assert.rejects(stat(again.dir), { code: 'ENOENT' });
  });

  test('a start that is not ready in time is torn down and says which members and logs', async () => {
    let failure: UnreachableError | undefined;
    try {
      await sandboxUp({ stateDir, name: 'slow', kind: 'nats', readyTimeoutMs: 1 });
    } catch (error) {
      assert.ok(error instanceof UnreachableError, String(error));
      failure = error;
    }
    assert.equal(failure?.code, 'SANDBOX_NOT_READY');
    assert.match(failure.message, /^nats sandbox "slow": n1, n2, n3 not ready after 0\.0 s/);
    const logFiles = failure.details.logFiles as string[];
    assert.equal(logFiles.length, 3);
    assert.ok(failure.message.endsWith(`read ${logFiles.join(', ')}`));
    for (const logFile of logFiles) {
      assert.ok(logFile.startsWith(join(stateDir, 'failed-starts', 'slow-')), logFile);
      await stat(logFile); // kept for the operator although the sandbox dir is gone
    }
    await assert.rejects(stat(join(stateDir, 'sandboxes', 'slow')), { code: 'ENOENT' });
    assert.deepEqual(await processesMentioning(join(stateDir, 'sandboxes', 'slow')), []);
    assert.equal(await listed(stateDir, 'slow'), undefined);
  });
});
