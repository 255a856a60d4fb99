// Benchmark (not a test): what `quorumctl agent start --interval 1s` costs the node it runs
// on. CPU time (utime+stime of /proc/PID/stat) and resident memory (VmRSS, sampled every
// second) of the real agent process, measured after a warm-up, against (1) a single etcd
// member and (2) a 3-server NATS JetStream sandbox with 500 R3 streams.
//
//   BENCH_AGENT_SECONDS   measured duration per scenario (default 60; the figure: 600)
//   BENCH_AGENT_SCENARIOS comma-separated: etcd,nats (default both)
//   BENCH_STREAMS         NATS streams (default 500)
// Aim (issue 4): under 2% of one core and under 80 MB RSS.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { sandboxDown, sandboxUp, type SandboxRecord } from '../sandbox/index.js';
import { connect as connectNatsAdapter } from '../systems/nats/adapter.js';

const SECONDS = Number(process.env.BENCH_AGENT_SECONDS ?? 60);
const SCENARIOS = (process.env.BENCH_AGENT_SCENARIOS ?? 'etcd,nats').split(',');
const STREAMS = Number(process.env.BENCH_STREAMS ?? 500);
const WARM_UP_MS = 10_000;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

interface Measurement {
  scenario: string;
  seconds: number;
  cpuPercentOfOneCore: number;
  rssStartMiB: number;
  rssMaxMiB: number;
  rssEndMiB: number;
  polls: number;
  pollFailures: number;
  meanPollMs: number;
}

function cpuSeconds(pid: number): number {
  // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) / 1024;
}

interface Health {
  polls: number;
  pollFailures: number;
  up: boolean | null;
  lastPollDurationMs?: number;
}

async function health(port: number): Promise<Health> {
  return (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Health;
}

/** Starts the real CLI (bin/quorumctl execs node, so the PID is the agent's) and finds its port. */
async function startAgent(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    join(ROOT, 'bin', 'quorumctl'),
    ['agent', 'start', '--listen', '127.0.0.1:0', '--interval', '1s', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'], env: process.env },
  );
  let stderr = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`agent did not start: ${stderr}`));
    }, 20_000);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      const match = /on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.on('exit', (code) => {
      reject(new Error(`agent exited (${code}): ${stderr}`));
    });
  });
  return { child, port };
}

async function measureAgent(scenario: string, args: string[]): Promise<Measurement> {
  const { child, port } = await startAgent(args);
  const pid = child.pid!;
  try {
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
    const before = await health(port);
    if (before.up !== true) throw new Error(`${scenario}: the agent does not reach the cluster`);
    const cpuStart = cpuSeconds(pid);
    const rssStart = rssMiB(pid);
    let rssMax = rssStart;
    const started = Date.now();
    let pollMsSum = 0;
    let pollMsCount = 0;
    while (Date.now() - started < SECONDS * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      rssMax = Math.max(rssMax, rssMiB(pid));
      // /healthz is tiny; reading it every 10 s keeps the observer effect negligible.
      if ((Date.now() - started) % 10_000 < 1000) {
        const now = await health(port);
        if (now.lastPollDurationMs !== undefined) {
          pollMsSum += now.lastPollDurationMs;
          pollMsCount += 1;
        }
      }
    }
    const elapsed = (Date.now() - started) / 1000;
    const cpu = cpuSeconds(pid) - cpuStart;
    const after = await health(port);
    return {
      scenario,
      seconds: Math.round(elapsed),
      cpuPercentOfOneCore: (cpu / elapsed) * 100,
      rssStartMiB: rssStart,
      rssMaxMiB: rssMax,
      rssEndMiB: rssMiB(pid),
      polls: after.polls - before.polls,
      pollFailures: after.pollFailures - before.pollFailures,
      meanPollMs: pollMsCount === 0 ? NaN : pollMsSum / pollMsCount,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

async function etcdScenario(stateDir: string): Promise<Measurement> {
  const record = await sandboxUp({ stateDir, name: 'agent-etcd', kind: 'etcd', members: 1 });
  try {
    const endpoint = record.endpoints[0]!.replace('http://', 'etcd://');
    return await measureAgent('etcd, 1 member', ['--endpoints', endpoint]);
  } finally {
    await sandboxDown(stateDir, 'agent-etcd', { graceMs: 2000 }).catch(() => undefined);
  }
}

async function createStreams(record: SandboxRecord): Promise<void> {
  const nc = await connectNats({ servers: record.endpoints, timeout: 10_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 30_000 });
    // Adding an identical stream again succeeds, so a request that timed out on a busy meta
    // leader is simply sent again.
    const add = async (index: number) => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await jsm.streams.add({ name: `A${index}`, subjects: [`a${index}.>`], num_replicas: 3 });
          return;
        } catch (error) {
          if (attempt >= 5) throw error;
        }
      }
    };
    const batch = 10;
    for (let first = 0; first < STREAMS; first += batch)
      await Promise.all(
        Array.from({ length: Math.min(batch, STREAMS - first) }, (_, offset) =>
          add(first + offset),
        ),
      );
  } finally {
    await nc.close();
  }
  const monitorUrls = record.monitorUrls ?? [];
  for (let settled = 0, deadline = Date.now() + 180_000; settled < 3;) {
    const status = await connectNatsAdapter(
      { name: 'bench', kind: 'nats', endpoints: monitorUrls },
      { timeoutMs: 10_000 },
    ).status();
    const groups = status.groups;
    settled =
      groups?.total === STREAMS && groups.leaderless === 0 && groups.underReplicated === 0
        ? settled + 1
        : 0;
    if (Date.now() > deadline) throw new Error(`streams not settled: ${JSON.stringify(groups)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function natsScenario(stateDir: string): Promise<Measurement> {
  const record = await sandboxUp({ stateDir, name: 'agent-nats', kind: 'nats', members: 3 });
  try {
    await createStreams(record);
    const endpoints = `nats://${(record.monitorUrls ?? []).map((url) => url.replace('http://', '')).join(',')}`;
    return await measureAgent(`NATS, 3 servers, ${STREAMS} R3 streams`, [
      '--endpoints',
      endpoints,
      '--timeout',
      '5s',
    ]);
  } finally {
    await sandboxDown(stateDir, 'agent-nats', { graceMs: 3000 }).catch(() => undefined);
  }
}

const mib = (value: number) => value.toFixed(0);
const row = (result: Measurement) =>
  `| ${result.scenario} | ${result.cpuPercentOfOneCore.toFixed(2)} | ${mib(result.rssStartMiB)} / ${mib(result.rssMaxMiB)} / ${mib(result.rssEndMiB)} | ${result.polls} | ${result.pollFailures} | ${result.meanPollMs.toFixed(0)} |\n`;

const stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-bench-agent-'));
try {
  process.env.QUORUMCTL_CONFIG = join(stateDir, 'config.yaml');
  process.stdout.write(
    [
      `agent overhead at a 1 s interval, ${SECONDS} s measured after a ${WARM_UP_MS / 1000} s warm-up (NODE_OPTIONS=${process.env.NODE_OPTIONS ?? ''}); aim: under 2% of one core and under 80 MB RSS`,
      '',
      '| scenario | CPU (% of one core) | RSS start / max / end (MiB) | polls | failed | mean poll (ms) |',
      '|---|---|---|---|---|---|',
      '',
    ].join('\n'),
  );
  // Each row as soon as it is measured: a later scenario failing does not lose it.
  if (SCENARIOS.includes('etcd')) process.stdout.write(row(await etcdScenario(stateDir)));
  if (SCENARIOS.includes('nats')) process.stdout.write(row(await natsScenario(stateDir)));
} finally {
  await rm(stateDir, { recursive: true, force: true });
}
