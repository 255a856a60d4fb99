#!/usr/bin/env node
/**
 * Regenerates docs/images/dashboard.svg from a real run: starts etcd, ZooKeeper and NATS
 * sandboxes in a throwaway home, writes to etcd so the latency charts have something to
 * show, runs `quorumctl dashboard --all` in tmux (120x40), kills the etcd leader so the
 * timeline and log show a leader change, captures the pane with its colours
 * (`tmux capture-pane -e -p`) and renders it with scripts/ansi-to-svg.mjs.
 *
 * Usage (after `npm run build`; needs tmux): node scripts/capture-tui.mjs [OUT.svg]
 */
/* global fetch, AbortController */
import { Buffer } from 'node:buffer';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ansiToSvg } from './ansi-to-svg.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = process.argv[2] ?? join(ROOT, 'docs', 'images', 'dashboard.svg');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const home = await mkdtemp(join(tmpdir(), 'quorumctl-capture-'));
const env = {
  ...process.env,
  QUORUMCTL_CONFIG: join(home, 'config.yaml'),
  XDG_STATE_HOME: join(home, 'state'),
  XDG_CONFIG_HOME: join(home, 'config'),
  LANG: 'C.UTF-8',
};
const cli = async (...args) =>
  (await run(join(ROOT, 'bin', 'quorumctl'), args, { env, timeout: 120_000 })).stdout;
const socket = `quorumctl-capture-${process.pid}`;
const config = join(home, 'tmux.conf');
const tmux = async (...args) => (await run('tmux', ['-L', socket, '-f', config, ...args])).stdout;
const sandboxes = [
  ['prod-etcd', 'etcd'],
  ['orders-zk', 'zookeeper'],
  ['events-js', 'nats'],
];

/** Puts keys through etcd's JSON gateway until `signal` aborts: commits for the charts. */
async function writeLoad(endpoint, signal) {
  const b64 = (text) => Buffer.from(text).toString('base64');
  for (let i = 0; !signal.aborted; i += 1) {
    await fetch(`${endpoint}/v3/kv/put`, {
      method: 'POST',
      body: JSON.stringify({ key: b64(`/demo/key-${i % 500}`), value: b64('x'.repeat(512)) }),
      // Without a leader etcd holds a put until it gives up: the load must not stall with it.
      signal: AbortSignal.any([signal, AbortSignal.timeout(1000)]),
    }).catch(() => undefined);
    await sleep(20);
  }
}

const load = new AbortController();
try {
  await writeFile(config, 'set -g default-terminal "tmux-256color"\nset -g status off\n');
  const records = {};
  for (const [name, kind] of sandboxes) {
    process.stderr.write(`starting ${kind} sandbox ${name}...\n`);
    records[name] = JSON.parse(
      await cli('sandbox', 'up', name, '--kind', kind, '--members', '3', '-o', 'json'),
    ).result;
  }
  const etcd = records['prod-etcd'];
  const loads = etcd.endpoints.map((endpoint) => writeLoad(endpoint, load.signal));
  const variables = ['QUORUMCTL_CONFIG', 'XDG_STATE_HOME', 'XDG_CONFIG_HOME', 'LANG'].flatMap(
    (key) => ['-e', `${key}=${env[key]}`],
  );
  await tmux(
    'new-session',
    '-d',
    '-s',
    'capture',
    '-x',
    '120',
    '-y',
    '40',
    ...variables,
    `${join(ROOT, 'bin', 'quorumctl')} dashboard --all --interval 1s; sleep 600`,
  );
  await sleep(20_000);
  const status = JSON.parse(await cli('status', '-c', 'sandbox-prod-etcd', '-o', 'json')).result;
  const leader = status.members.find((member) => member.id === status.leaderId);
  if (leader !== undefined) {
    process.stderr.write(`stopping the etcd leader ${leader.name}...\n`);
    const { stopMember } = await import(join(ROOT, 'dist', 'sandbox', 'index.js'));
    await stopMember(join(home, 'state', 'quorumctl'), 'prod-etcd', leader.name, 'SIGKILL');
  }
  await sleep(15_000);
  const capture = await tmux('capture-pane', '-e', '-p', '-t', 'capture');
  await writeFile(
    OUT,
    ansiToSvg(capture, {
      title: 'quorumctl dashboard --all  (120x40, etcd + ZooKeeper + NATS sandboxes)',
    }),
  );
  process.stderr.write(`wrote ${OUT}\n`);
  load.abort();
  await Promise.all(loads);
} finally {
  load.abort();
  await tmux('kill-server').catch(() => undefined);
  for (const [name] of sandboxes) await cli('sandbox', 'down', name).catch(() => undefined);
  await rm(home, { recursive: true, force: true });
}
