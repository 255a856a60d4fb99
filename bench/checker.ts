// Benchmark (not a test): the linearizability checker on the external dataset
// (../shared/datasets/linearizability), next to the reference figures its README gives for
// Porcupine (Go) on a 2-core machine. Parsing is not timed; each figure is the checker alone.
//
//   BENCH_RUNS   timed runs after one warm-up run (default 5); medians are printed
//
// Cold: the first run in a fresh process, as `quorumctl chaos check` sees it (JIT not warm).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  checkHistory,
  readHistoryFile,
  type RecordedHistory,
  type Verdict,
} from '../chaos/checker/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DATASET = join(ROOT, '..', 'shared', 'datasets', 'linearizability');
const BUDGET_MS = 60_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function timeCheck(history: RecordedHistory, expected: Verdict): number {
  const started = performance.now();
  const result = checkHistory(history, { timeoutMs: BUDGET_MS });
  const elapsedMs = performance.now() - started;
  if (result.verdict !== expected) throw new Error(`expected ${expected}, got ${result.verdict}`);
  return elapsedMs;
}

const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(0));

if (!existsSync(DATASET)) throw new Error(`the dataset is missing: ${DATASET}`);
const etcdDir = join(DATASET, 'jepsen-etcd');
const etcd = await Promise.all(
  readFileSync(join(etcdDir, 'EXPECTED.tsv'), 'utf8')
    .trim()
    .split('\n')
    .map(async (line) => {
      const [file = '', verdict = ''] = line.split('\t');
      const { history } = await readHistoryFile(join(etcdDir, file), { format: 'auto' });
      return { file, history, expected: verdict.trim() as Verdict };
    }),
);
const kv = await Promise.all(
  ['c01-ok', 'c01-bad', 'c10-ok', 'c10-bad'].map(async (name) => {
    const nested = join(DATASET, 'kv', `${name}.txt`);
    const path = existsSync(nested) ? nested : join(DATASET, `${name}.txt`);
    const { history } = await readHistoryFile(path, { format: 'auto' });
    const expected: Verdict = name.endsWith('-ok') ? 'linearizable' : 'not-linearizable';
    return { name, history, expected };
  }),
);

const allEtcd = () =>
  etcd.reduce((sum, { history, expected }) => sum + timeCheck(history, expected), 0);
const coldAllMs = allEtcd();
const coldKv = kv.map(({ history, expected }) => timeCheck(history, expected));
const allRuns: number[] = [];
const perFile = etcd.map(() => [] as number[]);
const kvRuns = kv.map(() => [] as number[]);
for (let run = 0; run < RUNS; run++) {
  let total = 0;
  etcd.forEach(({ history, expected }, index) => {
    const elapsed = timeCheck(history, expected);
    perFile[index]!.push(elapsed);
    total += elapsed;
  });
  allRuns.push(total);
  kv.forEach(({ history, expected }, index) => kvRuns[index]!.push(timeCheck(history, expected)));
}
const perFileMedians = perFile.map(median);
const slowest = etcd[perFileMedians.indexOf(Math.max(...perFileMedians))]!.file;

const REFERENCE: Record<string, string> = {
  'c01-ok': '0.10 ms',
  'c10-ok': '0.68 ms (1.59 s unpartitioned)',
};
const rows = [
  [
    `all ${etcd.length} jepsen-etcd`,
    `${ms(median(allRuns))} ms`,
    `${ms(coldAllMs)} ms`,
    'all 102: 390 ms',
  ],
  [
    'jepsen-etcd per history',
    `median ${ms(median(perFileMedians))}, p90 ${ms(quantile(perFileMedians, 0.9))}, max ${ms(Math.max(...perFileMedians))} ms (${slowest})`,
    '',
    'median 0.12, p90 0.41, max 149 ms',
  ],
  ...kv.map(({ name, history }, index) => [
    `${name} (${history.operations.length} ops)`,
    `${ms(median(kvRuns[index]!))} ms`,
    `${ms(coldKv[index]!)} ms`,
    REFERENCE[name] ?? '-',
  ]),
];
const headers = ['HISTORY', `CHECK (median of ${RUNS})`, 'COLD', 'PORCUPINE (README)'];
const widths = headers.map((header, column) =>
  Math.max(header.length, ...rows.map((row) => row[column]!.length)),
);
for (const row of [headers, ...rows]) {
  console.log(
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
}
console.log(`\nnode ${process.version}, every verdict as expected`);
