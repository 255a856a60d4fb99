// Benchmark (not a test): p99 fdatasync latency of quorumctl's built-in probe next to fio running
// the same etcd recipe (2300-byte sequential writes, fdatasync each, 22 MiB), alternately, on the
// same directory. The acceptance (issue 5): the probe's p99 is within a factor of 3 of fio's.
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { runFioProbe } from '../ops/host/fio.js';
import { filesystemSpace } from '../ops/host/filesystem.js';
import { runFsyncProbe, type FsyncMeasurement } from '../ops/host/fsync-probe.js';
import { median } from '../ops/host/percentiles.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** A cap so a slow disk cannot keep the bench for minutes; both probes get the same one. */
const BUDGET = {
  maxBytes: 22 * 1024 * 1024,
  maxDurationMs: Number(process.env.BENCH_FSYNC_MAX_MS ?? 30_000),
};
const ACCEPTED_FACTOR = 3;

const directories = [...new Set([tmpdir(), '/var/tmp'].map((path) => realpathSync(path)))];

interface Run {
  measurement: FsyncMeasurement;
  wallMs: number;
}

async function timed(probe: () => Promise<FsyncMeasurement>): Promise<Run> {
  const started = process.hrtime.bigint();
  const measurement = await probe();
  return { measurement, wallMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

const ms = (value: number): string => value.toFixed(value < 10 ? 3 : 1);
const lines: string[] = [
  `| directory (fs) | probe | p99 per round (ms) | median p99 (ms) | median p50 (ms) | writes per run | wall time per run (s) |`,
  '|---|---|---|---|---|---|---|',
];
const verdicts: string[] = [];
let accepted = true;
for (const directory of directories) {
  const { filesystemType } = await filesystemSpace(directory);
  const runs: Record<'fio' | 'builtin', Run[]> = { fio: [], builtin: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    // Alternate so drift in the disk's state (cache, other tenants) hits both alike.
    runs.fio.push(await timed(() => runFioProbe({ directory, budget: BUDGET })));
    runs.builtin.push(await timed(() => runFsyncProbe({ directory, budget: BUDGET })));
  }
  const medianP99 = (probe: 'fio' | 'builtin'): number =>
    median(runs[probe].map((run) => run.measurement.datasync.p99Ms)) ?? Number.NaN;
  for (const probe of ['fio', 'builtin'] as const) {
    const probeRuns = runs[probe];
    lines.push(
      [
        '',
        `${directory} (${filesystemType})`,
        probe === 'fio' ? 'fio' : 'quorumctl built-in',
        probeRuns.map((run) => ms(run.measurement.datasync.p99Ms)).join(', '),
        ms(medianP99(probe)),
        ms(median(probeRuns.map((run) => run.measurement.datasync.p50Ms)) ?? Number.NaN),
        probeRuns.map((run) => run.measurement.writes).join(', '),
        probeRuns.map((run) => (run.wallMs / 1000).toFixed(1)).join(', '),
        '',
      ].join(' | '),
    );
  }
  const ratio = medianP99('builtin') / medianP99('fio');
  const within = ratio <= ACCEPTED_FACTOR && ratio >= 1 / ACCEPTED_FACTOR;
  accepted &&= within;
  const roundRatios = runs.builtin.map(
    (run, round) =>
      run.measurement.datasync.p99Ms / (runs.fio[round]?.measurement.datasync.p99Ms ?? Number.NaN),
  );
  verdicts.push(
    `${directory}: built-in/fio p99 = ${ratio.toFixed(2)} (rounds: ${roundRatios.map((value) => value.toFixed(2)).join(', ')}): ${within ? 'within' : 'NOT within'} a factor of ${ACCEPTED_FACTOR}`,
  );
}
process.stdout.write(
  [...lines.map((line) => line.trim()), '', ...verdicts.map((line) => `- ${line}`), ''].join('\n'),
);
if (!accepted && process.env.BENCH_STRICT === '1') process.exitCode = 1;
