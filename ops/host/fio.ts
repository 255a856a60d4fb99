/**
 * The etcd fio recipe run by fio itself (when installed), bounded like the built-in probe,
 * and the parser of its JSON output.
 */
import { spawn } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ETCD_BLOCK_SIZE_BYTES,
  probeFileName,
  resolveFsyncBudget,
  type FsyncBudget,
  type FsyncMeasurement,
} from './fsync-probe.js';
import type { LatencySummary } from './percentiles.js';

/** fio ran but its output does not hold the sync latencies we asked for. */
export class FioOutputError extends Error {
  override readonly name = 'FioOutputError';
}

export interface FioSyncResult {
  fioVersion?: string;
  writes: number;
  bytesWritten: number;
  runtimeMs: number;
  datasync: LatencySummary;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Reads `jobs[0].sync.lat_ns` (fio >= 3.5 with `--fdatasync`): the fdatasync latencies in
 * nanoseconds, percentiles keyed "50.000000" and "99.000000". fio prints warnings such as
 * "fio: ..." before the JSON document on stdout, so parsing starts at the first "{" line.
 */
export function parseFioSyncLatency(stdout: string): FioSyncResult {
  const start = stdout.search(/^\{/m);
  if (start < 0) throw new FioOutputError('fio printed no JSON document');
  let document: unknown;
  try {
    document = JSON.parse(stdout.slice(start));
  } catch (error) {
    throw new FioOutputError('fio printed invalid JSON', { cause: error });
  }
  const root = record(document);
  const jobs = root?.jobs;
  const job = Array.isArray(jobs) ? record(jobs[0]) : undefined;
  if (job === undefined) throw new FioOutputError('fio output has no job');
  const jobError = finiteNumber(job.error);
  if (jobError !== undefined && jobError !== 0)
    throw new FioOutputError(`fio job failed with error ${jobError}`);
  const latencyNs = record(record(job.sync)?.lat_ns);
  const percentiles = record(latencyNs?.percentile);
  const samples = finiteNumber(latencyNs?.N);
  const p50Ns = finiteNumber(percentiles?.['50.000000']);
  const p99Ns = finiteNumber(percentiles?.['99.000000']);
  const maxNs = finiteNumber(latencyNs?.max);
  if (samples === undefined || p50Ns === undefined || p99Ns === undefined || maxNs === undefined)
    throw new FioOutputError(
      'fio output has no sync latency percentiles (fio older than 3.5, or run without --fdatasync)',
    );
  if (samples === 0) throw new FioOutputError('fio measured no fdatasync');
  const write = record(job.write);
  const version = root?.['fio version'];
  return {
    ...(typeof version === 'string' ? { fioVersion: version } : {}),
    writes: finiteNumber(write?.total_ios) ?? samples,
    bytesWritten: finiteNumber(write?.io_bytes) ?? 0,
    runtimeMs: finiteNumber(job.job_runtime) ?? 0,
    // fio's percentiles are bucket values (up to ~1.5% high), so they may exceed the exact max.
    datasync: {
      samples,
      p50Ms: Math.min(p50Ns, maxNs) / 1e6,
      p99Ms: Math.min(p99Ns, maxNs) / 1e6,
      maxMs: maxNs / 1e6,
    },
  };
}

/**
 * The recipe from the etcd docs (`--rw=write --ioengine=sync --fdatasync=1 --size=22m
 * --bs=2300`) with our own file name, a time cap and JSON output. fio splits file names on
 * ":", so colons in the path are escaped.
 */
export function fioArguments(
  file: string,
  budget: Required<FsyncBudget>,
  blockSizeBytes = ETCD_BLOCK_SIZE_BYTES,
): string[] {
  return [
    '--name=quorumctl-fsync',
    `--filename=${file.replaceAll(':', '\\:')}`,
    '--rw=write',
    '--ioengine=sync',
    '--fdatasync=1',
    `--size=${Math.floor(budget.maxBytes / blockSizeBytes) * blockSizeBytes}`,
    `--bs=${blockSizeBytes}`,
    `--runtime=${Math.ceil(budget.maxDurationMs)}ms`,
    '--unlink=1',
    '--output-format=json',
  ];
}

export interface FioProbeOptions {
  directory: string;
  budget?: FsyncBudget;
  blockSizeBytes?: number;
  signal?: AbortSignal;
  /** The fio executable (default `fio` on PATH). */
  fioPath?: string;
}

/** fio's own start-up and clean-up on top of the time budget before it is killed. */
const FIO_GRACE_MS = 15_000;

interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runProcess(
  command: string,
  args: string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
      ...(signal === undefined ? {} : { signal }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => {
      reject(signal?.aborted ? (signal.reason as Error) : error);
    });
    child.on('close', (code, killedBy) => {
      if (signal?.aborted) reject(signal.reason as Error);
      else if (killedBy !== null)
        reject(new Error(`${command} was killed (${killedBy}) after ${timeoutMs} ms`));
      else resolve({ code, stdout, stderr });
    });
  });
}

/** True when `fio --version` runs. */
export async function isFioInstalled(fioPath = 'fio'): Promise<boolean> {
  try {
    return (await runProcess(fioPath, ['--version'], 5000)).code === 0;
  } catch {
    return false;
  }
}

/**
 * Runs fio on a temporary file of `directory`. Throws when fio is missing or fails, when
 * its output cannot be read, and the signal's reason when aborted (fio is killed); the file
 * is removed in every case (fio unlinks it itself when it finishes normally).
 */
export async function runFioProbe(options: FioProbeOptions): Promise<FsyncMeasurement> {
  const blockSizeBytes = options.blockSizeBytes ?? ETCD_BLOCK_SIZE_BYTES;
  const budget = resolveFsyncBudget(options.budget, blockSizeBytes);
  options.signal?.throwIfAborted();
  // fio creates missing parent directories of --filename; a probe must not.
  const directory = await stat(options.directory);
  if (!directory.isDirectory())
    throw Object.assign(new Error(`${options.directory} is not a directory`), { code: 'ENOTDIR' });
  const file = join(options.directory, probeFileName('fio'));
  const fio = options.fioPath ?? 'fio';
  let result: ProcessResult;
  try {
    result = await runProcess(
      fio,
      fioArguments(file, budget, blockSizeBytes),
      budget.maxDurationMs + FIO_GRACE_MS,
      options.signal,
    );
  } finally {
    await rm(file, { force: true });
  }
  if (result.code !== 0) {
    const reason = result.stderr.trim().split('\n').at(-1) ?? '';
    throw new Error(`fio exited with code ${result.code}${reason === '' ? '' : `: ${reason}`}`);
  }
  const parsed = parseFioSyncLatency(result.stdout);
  const plannedBytes = Math.floor(budget.maxBytes / blockSizeBytes) * blockSizeBytes;
  return {
    probe: 'fio',
    directory: options.directory,
    blockSizeBytes,
    writes: parsed.writes,
    bytesWritten: parsed.bytesWritten,
    durationMs: parsed.runtimeMs,
    stoppedBy: parsed.bytesWritten < plannedBytes ? 'time' : 'bytes',
    datasync: parsed.datasync,
  };
}
