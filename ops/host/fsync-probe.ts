/**
 * quorumctl's own fsync probe: the etcd fio recipe (sequential 2300-byte writes, fdatasync
 * after each) in a temporary file of a directory, bounded by bytes and by time.
 */
import { randomBytes } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { summarizeLatencies, type LatencySummary } from './percentiles.js';

/** etcd's WAL appends are about this size; the etcd docs' fio recipe uses it (`--bs=2300`). */
export const ETCD_BLOCK_SIZE_BYTES = 2300;

export interface FsyncBudget {
  /** Stop after writing this much (default 22 MiB, the recipe's `--size=22m`). */
  maxBytes?: number;
  /** Stop after this long even when bytes remain (default 10 s). */
  maxDurationMs?: number;
}

export const DEFAULT_FSYNC_BUDGET: Required<FsyncBudget> = {
  maxBytes: 22 * 1024 * 1024,
  maxDurationMs: 10_000,
};

export interface FsyncMeasurement {
  probe: 'builtin' | 'fio';
  directory: string;
  blockSizeBytes: number;
  writes: number;
  bytesWritten: number;
  durationMs: number;
  /** Which bound ended the run. */
  stoppedBy: 'bytes' | 'time';
  /**
   * fdatasync alone: what fio reports as `sync` latency and etcd exports as
   * `etcd_disk_wal_fsync_duration_seconds`, so this is the number judged against 10 ms.
   */
  datasync: LatencySummary;
  /** write plus fdatasync, as one WAL append costs (built-in probe only). */
  writeAndDatasync?: LatencySummary;
}

export interface FsyncProbeOptions {
  directory: string;
  budget?: FsyncBudget;
  blockSizeBytes?: number;
  signal?: AbortSignal;
}

/** Budget with defaults filled in; a budget that cannot take one block is the caller's error. */
export function resolveFsyncBudget(
  budget: FsyncBudget = {},
  blockSizeBytes = ETCD_BLOCK_SIZE_BYTES,
): Required<FsyncBudget> {
  const resolved = { ...DEFAULT_FSYNC_BUDGET, ...budget };
  if (!Number.isFinite(resolved.maxBytes) || resolved.maxBytes < blockSizeBytes)
    throw new UsageError(
      'FSYNC_BUDGET_INVALID',
      `the fsync probe's byte budget (${resolved.maxBytes}) must hold at least one ${blockSizeBytes}-byte write`,
      { actions: [`Give a byte budget of at least ${blockSizeBytes}.`] },
    );
  if (!Number.isFinite(resolved.maxDurationMs) || resolved.maxDurationMs <= 0)
    throw new UsageError(
      'FSYNC_BUDGET_INVALID',
      `the fsync probe's time budget (${resolved.maxDurationMs} ms) must be positive`,
      { actions: ['Give a time budget in milliseconds, e.g. 10000.'] },
    );
  return resolved;
}

/** A name no other probe (or a concurrent one) uses, dot-prefixed to stay out of listings. */
export function probeFileName(kind: 'builtin' | 'fio'): string {
  return `.quorumctl-fsync-${kind}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

const elapsedMs = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e6;

/**
 * Measures fdatasync latency in `directory`. Throws the file system's error when the
 * directory cannot be written, and the signal's reason when aborted; the probe file is
 * removed in every case. A single fdatasync cannot be interrupted, so on a stalling disk
 * the run can overshoot the time budget by one call.
 */
export async function runFsyncProbe(options: FsyncProbeOptions): Promise<FsyncMeasurement> {
  const blockSizeBytes = options.blockSizeBytes ?? ETCD_BLOCK_SIZE_BYTES;
  const budget = resolveFsyncBudget(options.budget, blockSizeBytes);
  options.signal?.throwIfAborted();
  const plannedWrites = Math.floor(budget.maxBytes / blockSizeBytes);
  const file = join(options.directory, probeFileName('builtin'));
  const block = Buffer.alloc(blockSizeBytes, 0x71);
  const datasyncMs: number[] = [];
  const writeAndDatasyncMs: number[] = [];
  let handle: FileHandle | undefined;
  let failure: unknown;
  const started = process.hrtime.bigint();
  let stoppedBy: FsyncMeasurement['stoppedBy'] = 'bytes';
  try {
    handle = await open(file, 'wx', 0o600);
    // fio preallocates its file and etcd preallocates WAL segments, so the file size is set
    // up front: each fdatasync then persists data and block allocation, not a growing size.
    await handle.truncate(plannedWrites * blockSizeBytes);
    for (let write = 0; write < plannedWrites; write += 1) {
      options.signal?.throwIfAborted();
      if (write > 0 && elapsedMs(started) >= budget.maxDurationMs) {
        stoppedBy = 'time';
        break;
      }
      const writeStarted = process.hrtime.bigint();
      await handle.write(block, 0, blockSizeBytes, null);
      const syncStarted = process.hrtime.bigint();
      await handle.datasync();
      datasyncMs.push(elapsedMs(syncStarted));
      writeAndDatasyncMs.push(elapsedMs(writeStarted));
    }
  } catch (error) {
    failure = error;
  } finally {
    await handle?.close().catch(() => undefined);
    try {
      await rm(file, { force: true });
    } catch (error) {
      // A leftover file in a data directory matters more than the measurement.
      failure = new Error(`could not remove the fsync probe file ${file}`, {
        cause: failure ?? error,
      });
    }
  }
  if (failure !== undefined)
    throw failure instanceof Error
      ? failure
      : new Error('the fsync probe failed', { cause: failure });
  const datasync = summarizeLatencies(datasyncMs);
  const writeAndDatasync = summarizeLatencies(writeAndDatasyncMs);
  if (datasync === undefined) throw new Error(`the fsync probe made no write in ${file}`);
  return {
    probe: 'builtin',
    directory: options.directory,
    blockSizeBytes,
    writes: datasyncMs.length,
    bytesWritten: datasyncMs.length * blockSizeBytes,
    durationMs: elapsedMs(started),
    stoppedBy,
    datasync,
    ...(writeAndDatasync === undefined ? {} : { writeAndDatasync }),
  };
}
