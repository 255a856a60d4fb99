// gatherHostFacts on this host: a real data directory, fio or the built-in probe, tmpfs, and TCP RTT to a local server and a closed port.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gatherHostFacts } from '../../ops/host/index.js';
import { measurePeerRtt } from '../../ops/host/peer-rtt.js';

const SMALL_BUDGET = { maxDurationMs: 200 };

let root: string;
let server: Server;
let openPeer: string;
let closedPeer: string;
let silentPeer: string;
let stoppedListener: ChildProcess;
const queueFillers: Socket[] = [];

function listen(target: Server): Promise<number> {
  return new Promise((resolve) => {
    target.listen(0, '127.0.0.1', () => {
      resolve((target.address() as AddressInfo).port);
    });
  });
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'quorumctl-host-it-'));
  server = createServer((socket) => socket.destroy());
  openPeer = `127.0.0.1:${await listen(server)}`;
  // A port that was just free and is closed again: connects are refused.
  const closed = createServer();
  closedPeer = `127.0.0.1:${await listen(closed)}`;
  await new Promise((resolve) => closed.close(resolve));
  // A stopped process listening with a backlog of 1: once two connects fill its accept
  // queue, Linux drops further SYNs, so a connect gets no answer at all (like a firewall).
  stoppedListener = spawn(
    process.execPath,
    [
      '-e',
      "const s = require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, " +
        "() => { console.log(s.address().port); process.kill(process.pid, 'SIGSTOP'); });",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const silentPort = await new Promise<string>((resolve) => {
    stoppedListener.stdout?.once('data', (chunk: Buffer) => {
      resolve(chunk.toString().trim());
    });
  });
  silentPeer = `127.0.0.1:${silentPort}`;
  for (let filler = 0; filler < 3; filler += 1)
    queueFillers.push(connect(Number(silentPort), '127.0.0.1').on('error', () => undefined));
  await new Promise((resolve) => setTimeout(resolve, 200));
});

after(async () => {
  for (const filler of queueFillers) filler.destroy();
  stoppedListener.kill('SIGKILL');
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

describe('gatherHostFacts', () => {
  test('every fact of an existing data directory, with the built-in probe and peer RTTs', async () => {
    const dataDir = join(root, 'etcd');
    await mkdir(dataDir);
    await chmod(dataDir, 0o700);
    const facts = await gatherHostFacts({
      dataDir,
      peers: [openPeer, closedPeer],
      fsync: 'builtin',
      fsyncBudget: SMALL_BUDGET,
    });
    assert.equal(facts.dataDir, dataDir);
    assert.equal(facts.dataDirExists, true);
    assert.equal(facts.dataDirMode, 0o700);
    assert.equal(facts.fsyncProbe, 'builtin');
    assert.ok(facts.fsyncP99Ms !== undefined && facts.fsyncP99Ms > 0);
    assert.equal(facts.fsyncP99Ms, facts.fsync?.datasync.p99Ms);
    assert.ok(facts.freeBytes !== undefined && facts.totalBytes !== undefined);
    assert.ok(facts.freeBytes > 0 && facts.freeBytes <= facts.totalBytes);
    assert.ok(facts.memoryTotalBytes !== undefined && facts.memoryTotalBytes > 0);
    assert.equal(typeof facts.swapTotalBytes, 'number');
    assert.ok(facts.cpuCount !== undefined && facts.cpuCount >= 1);
    assert.ok(facts.hostname.length > 0);
    assert.ok(facts.filesystemType !== undefined);
    const [open, closed] = facts.peerRtts ?? [];
    assert.equal(open?.peer, openPeer);
    assert.equal(open?.error, undefined);
    assert.ok(open?.rttMs !== undefined && open.rttMs > 0 && open.rttMs < 500);
    assert.equal(closed?.rttMs, undefined);
    assert.match(closed?.error ?? '', /3 of 3 connects failed: .*ECONNREFUSED/);
    assert.deepEqual(await readdir(dataDir), [], 'the probe file is gone');
  });

  test('auto uses fio when installed', async () => {
    const facts = await gatherHostFacts({ dataDir: root, fsyncBudget: SMALL_BUDGET });
    assert.equal(facts.fsyncProbe, 'fio');
    assert.ok(facts.fsyncP99Ms !== undefined && facts.fsyncP99Ms > 0);
    assert.equal(facts.peerRtts, undefined);
  });

  test('without fio: auto falls back to the built-in probe, fio-only says it is missing', async () => {
    const fioPath = join(root, 'no-fio');
    const auto = await gatherHostFacts({ dataDir: root, fsyncBudget: SMALL_BUDGET, fioPath });
    assert.equal(auto.fsyncProbe, 'builtin');
    const fioOnly = await gatherHostFacts({ dataDir: root, fsync: 'fio', fioPath });
    assert.equal(fioOnly.fsyncP99Ms, undefined);
    assert.ok(fioOnly.notes.some((note) => /fio is not installed/.test(note)));
  });

  test('a missing data directory probes its nearest existing parent and says so', async () => {
    const facts = await gatherHostFacts({ dataDir: join(root, 'not', 'yet'), fsync: 'off' });
    assert.equal(facts.dataDir, root);
    assert.equal(facts.dataDirExists, false);
    assert.equal(facts.dataDirMode, undefined);
    assert.equal(facts.fsyncP99Ms, undefined);
    assert.ok(facts.freeBytes !== undefined);
    assert.ok(facts.notes.some((note) => note.includes(`nearest existing parent ${root}`)));
  });

  test('tmpfs is reported, and fsync is not measured on it', async (context) => {
    if (!existsSync('/dev/shm')) {
      context.skip('no /dev/shm');
      return;
    }
    const facts = await gatherHostFacts({ dataDir: '/dev/shm', fsyncBudget: SMALL_BUDGET });
    assert.equal(facts.filesystemType, 'tmpfs');
    assert.equal(facts.fsyncP99Ms, undefined);
    assert.equal(facts.rotational, undefined);
    assert.ok(facts.notes.some((note) => /tmpfs keeps files in memory/.test(note)));
  });

  test('missing /sys and /proc leave facts undefined with notes instead of throwing', async () => {
    const empty = join(root, 'empty-root');
    await mkdir(empty);
    const facts = await gatherHostFacts({
      dataDir: root,
      fsync: 'off',
      sysRoot: join(empty, 'sys'),
      procRoot: join(empty, 'proc'),
    });
    assert.equal(facts.memoryTotalBytes, undefined);
    assert.equal(facts.rotational, undefined);
    assert.ok(facts.notes.some((note) => /memory and swap unknown/.test(note)));
    assert.ok(facts.notes.some((note) => /rotational unknown/.test(note)));
  });

  test('an aborted signal rejects', async () => {
    await assert.rejects(gatherHostFacts({ dataDir: root, signal: AbortSignal.abort() }), {
      name: 'AbortError',
    });
  });
});

describe('measurePeerRtt', () => {
  test('median of the connects to a listening server', async () => {
    const rtt = await measurePeerRtt(openPeer, { attempts: 5 });
    assert.deepEqual(Object.keys(rtt).sort(), ['peer', 'rttMs']);
    assert.ok(rtt.rttMs !== undefined && rtt.rttMs > 0 && rtt.rttMs < 500);
  });

  test('a closed port, a name that does not resolve and junk are errors, not exceptions', async () => {
    const closed = await measurePeerRtt(closedPeer, { attempts: 2 });
    assert.equal(closed.rttMs, undefined);
    assert.match(closed.error ?? '', /^2 of 2 connects failed: connect ECONNREFUSED/);
    const unresolved = await measurePeerRtt('no-such-peer.invalid:2380');
    assert.match(unresolved.error ?? '', /cannot resolve no-such-peer\.invalid/);
    assert.deepEqual(await measurePeerRtt('2380'), {
      peer: '2380',
      error: 'not host:port or a URL with a port',
    });
  });

  test('a peer that does not answer times out per connect', async () => {
    const started = Date.now();
    const silent = await measurePeerRtt(silentPeer, { attempts: 2, timeoutMs: 200 });
    assert.deepEqual(silent, {
      peer: silentPeer,
      error: '2 of 2 connects failed: no answer within 200 ms',
    });
    assert.ok(Date.now() - started < 2000);
  });
});
