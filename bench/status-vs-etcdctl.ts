// Benchmark (not a test): wall time of `quorumctl status -o json` next to
// `etcdctl endpoint status --cluster -w json` against a 3-member sandbox, median of N runs.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sandboxDown, sandboxUp } from '../sandbox/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function timeRun(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { env, encoding: 'utf8' });
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return elapsedMs;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-bench-'));
try {
  const record = await sandboxUp({ stateDir, name: 'bench', kind: 'etcd', members: 3 });
  const env = { ...process.env, ETCDCTL_API: '3', QUORUMCTL_CONFIG: join(stateDir, 'config.yaml') };
  const quorumctl = [
    join(ROOT, 'bin', 'quorumctl'),
    [
      'status',
      '-o',
      'json',
      '--endpoints',
      `etcd://${record.endpoints.map((url) => url.replace('http://', '')).join(',')}`,
    ],
  ] as const;
  const etcdctl = [
    'etcdctl',
    ['endpoint', 'status', '--cluster', '-w', 'json', '--endpoints', record.endpoints[0]!],
  ] as const;
  // Warm the page cache for both binaries before measuring.
  timeRun(quorumctl[0], [...quorumctl[1]], env);
  timeRun(etcdctl[0], [...etcdctl[1]], env);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    ours.push(timeRun(quorumctl[0], [...quorumctl[1]], env));
    theirs.push(timeRun(etcdctl[0], [...etcdctl[1]], env));
  }
  const [oursMedian, theirsMedian] = [median(ours), median(theirs)];
  process.stdout.write(
    [
      `| command | median of ${RUNS} (ms) | min (ms) |`,
      '|---|---|---|',
      `| quorumctl status -o json | ${oursMedian.toFixed(0)} | ${Math.min(...ours).toFixed(0)} |`,
      `| etcdctl endpoint status --cluster -w json | ${theirsMedian.toFixed(0)} | ${Math.min(...theirs).toFixed(0)} |`,
      `| ratio | ${(oursMedian / theirsMedian).toFixed(1)}x | |`,
      '',
    ].join('\n'),
  );
} finally {
  await sandboxDown(stateDir, 'bench', { graceMs: 1000 }).catch(() => undefined);
  await rm(stateDir, { recursive: true, force: true });
}
