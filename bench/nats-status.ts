// Benchmark (not a test): `quorumctl status -o json` of a 3-server NATS JetStream sandbox with
// 500 R3 streams, wall time and peak memory, next to `curl` of every server's /jsz (natscli is
// not installed), and the adapter's own status() in process. Median of N runs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { sandboxDown, sandboxUp } from '../sandbox/index.js';
import { connect } from '../systems/nats/adapter.js';
import { JSZ_GROUPS_PATH } from '../systems/nats/monitoring.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 500);
/** R3: every stream is a Raft group on all three servers, the case the group summary is for. */
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 3);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Sample {
  wallMs: number;
  peakRssKiB?: number;
}

/** Loaded into quorumctl's Node with --import: writes the process's peak RSS when it exits. */
const PEAK_RSS_HOOK = `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  writeFileSync(process.env.BENCH_PEAK_RSS_FILE, String(process.resourceUsage().maxRSS));
});
`;

/** GNU time, where installed, reports a child's peak RSS (curl's, here). */
const GNU_TIME = '/usr/bin/time';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function runQuorumctl(args: string[], env: NodeJS.ProcessEnv, hook: string): Promise<Sample> {
  const peakFile = join(tmpdir(), `quorumctl-bench-peak-${process.pid}`);
  const started = process.hrtime.bigint();
  const result = spawnSync(join(ROOT, 'bin', 'quorumctl'), args, {
    env: {
      ...env,
      NODE_OPTIONS: `--import ${pathToFileURL(hook).href}`,
      BENCH_PEAK_RSS_FILE: peakFile,
    },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0)
    throw new Error(`quorumctl ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  const peakRssKiB = Number(await readFile(peakFile, 'utf8'));
  await rm(peakFile, { force: true });
  return { wallMs, peakRssKiB };
}

function runCurl(urls: string[]): Sample {
  const withTime = existsSync(GNU_TIME);
  const args = ['-sf', ...urls.flatMap((url) => ['-o', '/dev/null', url])];
  const started = process.hrtime.bigint();
  const result = withTime
    ? spawnSync(GNU_TIME, ['-f', '%M', 'curl', ...args], { encoding: 'utf8' })
    : spawnSync('curl', args, { encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`curl failed (${result.status}): ${result.stderr}`);
  const sample: Sample = { wallMs };
  if (withTime) sample.peakRssKiB = Number(result.stderr.trim().split('\n').at(-1));
  return sample;
}

async function inProcessStatusMs(monitorUrls: string[]): Promise<number> {
  const adapter = connect(
    { name: 'bench', kind: 'nats', endpoints: monitorUrls },
    { timeoutMs: 10_000 },
  );
  const started = process.hrtime.bigint();
  const status = await adapter.status();
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (status.members.some((member) => !member.reachable)) throw new Error('a member is down');
  return elapsedMs;
}

async function createStreams(clientUrls: string[]): Promise<number> {
  const nc = await connectNats({ servers: clientUrls, timeout: 10_000 });
  const started = Date.now();
  try {
    const jsm = await jetstreamManager(nc, { timeout: 30_000 });
    // A few at a time: the meta leader proposes each one through its Raft log.
    const batch = 25;
    for (let first = 0; first < STREAMS; first += batch)
      await Promise.all(
        Array.from({ length: Math.min(batch, STREAMS - first) }, (_, offset) => {
          const index = first + offset;
          return jsm.streams.add({
            name: `B${index}`,
            subjects: [`b${index}.>`],
            num_replicas: REPLICAS,
          });
        }),
      );
  } finally {
    await nc.close();
  }
  return Date.now() - started;
}

async function measure(label: string, monitorUrls: string[], env: NodeJS.ProcessEnv, hook: string) {
  const endpoints = `nats://${monitorUrls.map((url) => url.replace('http://', '')).join(',')}`;
  const statusArgs = ['status', '-o', 'json', '--timeout', '10s', '--endpoints', endpoints];
  const jszUrls = monitorUrls.map((url) => url + JSZ_GROUPS_PATH);
  // Warm the compile cache and the page cache before measuring.
  await runQuorumctl(statusArgs, env, hook);
  runCurl(jszUrls);
  await inProcessStatusMs(monitorUrls);
  const ours: Sample[] = [];
  const curl: Sample[] = [];
  const inProcess: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    ours.push(await runQuorumctl(statusArgs, env, hook));
    curl.push(runCurl(jszUrls));
    inProcess.push(await inProcessStatusMs(monitorUrls));
  }
  const jszBytes = (
    await Promise.all(
      jszUrls.map(async (url) => (await (await fetch(url)).arrayBuffer()).byteLength),
    )
  ).reduce((sum, bytes) => sum + bytes, 0);
  const peak = (samples: Sample[]) => {
    const values = samples.flatMap((sample) =>
      sample.peakRssKiB === undefined ? [] : [sample.peakRssKiB],
    );
    return values.length === 0 ? 'n/a' : `${(median(values) / 1024).toFixed(0)} MiB`;
  };
  return [
    `### ${label}: /jsz of the 3 servers totals ${(jszBytes / 1024).toFixed(0)} KiB`,
    '',
    `| command | median of ${RUNS} (ms) | min (ms) | peak RSS (median) |`,
    '|---|---|---|---|',
    `| quorumctl status -o json | ${median(ours.map((s) => s.wallMs)).toFixed(0)} | ${Math.min(...ours.map((s) => s.wallMs)).toFixed(0)} | ${peak(ours)} |`,
    `| adapter status() in process | ${median(inProcess).toFixed(0)} | ${Math.min(...inProcess).toFixed(0)} | |`,
    `| curl of the 3 servers' /jsz (raw, unmerged) | ${median(curl.map((s) => s.wallMs)).toFixed(0)} | ${Math.min(...curl.map((s) => s.wallMs)).toFixed(0)} | ${peak(curl)} |`,
    '',
  ].join('\n');
}

const stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-bench-nats-'));
const hook = join(stateDir, 'peak-rss-hook.mjs');
await writeFile(hook, PEAK_RSS_HOOK);
try {
  const record = await sandboxUp({ stateDir, name: 'bench', kind: 'nats', members: 3 });
  const monitorUrls = record.monitorUrls ?? [];
  const env = { ...process.env, QUORUMCTL_CONFIG: join(stateDir, 'config.yaml') };
  const empty = await measure('no streams', monitorUrls, env, hook);
  const creationMs = await createStreams(record.endpoints);
  // Timing starts once every stream has a leader and full replicas three polls in a row:
  // right after creation the servers are still busy with 1500 elections.
  for (let settled = 0, deadline = Date.now() + 120_000; settled < 3;) {
    const status = await connect(
      { name: 'bench', kind: 'nats', endpoints: monitorUrls },
      { timeoutMs: 10_000 },
    ).status();
    const groups = status.groups;
    const ready =
      groups?.total === STREAMS && groups.leaderless === 0 && groups.underReplicated === 0;
    settled = ready ? settled + 1 : 0;
    if (Date.now() > deadline) throw new Error(`groups not settled: ${JSON.stringify(groups)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const loaded = await measure(`${STREAMS} R${REPLICAS} streams`, monitorUrls, env, hook);
  process.stdout.write(
    [
      `nats-server ${record.version}, ${STREAMS} R${REPLICAS} streams created in ${(creationMs / 1000).toFixed(1)} s`,
      '',
      empty,
      loaded,
    ].join('\n'),
  );
} finally {
  await sandboxDown(stateDir, 'bench', { graceMs: 3000 }).catch(() => undefined);
  await rm(stateDir, { recursive: true, force: true });
}
