/**
 * Node-local probes of the agent, each optional: fsync latency and filesystem space of the
 * node's data directory (ops/host's probes, with a small budget) and the node process's
 * resident memory.
 */
import { readFile } from 'node:fs/promises';
import { ETCD_BLOCK_SIZE_BYTES, filesystemSpace, runFsyncProbe } from '../ops/host/index.js';

/** Small enough to run every minute beside a busy server: at most 200 blocks or 1 s. */
export const AGENT_FSYNC_BUDGET = { maxBytes: 200 * ETCD_BLOCK_SIZE_BYTES, maxDurationMs: 1000 };

export interface FsyncLatencySeconds {
  p50: number;
  p99: number;
  max: number;
}

export async function probeFsyncLatency(
  directory: string,
  signal?: AbortSignal,
  budget = AGENT_FSYNC_BUDGET,
): Promise<FsyncLatencySeconds> {
  const measurement = await runFsyncProbe({
    directory,
    budget,
    ...(signal !== undefined && { signal }),
  });
  return {
    p50: measurement.datasync.p50Ms / 1000,
    p99: measurement.datasync.p99Ms / 1000,
    max: measurement.datasync.maxMs / 1000,
  };
}

export async function probeFilesystem(
  directory: string,
): Promise<{ freeBytes: number; totalBytes: number }> {
  const { freeBytes, totalBytes } = await filesystemSpace(directory);
  return { freeBytes, totalBytes };
}

/** `VmRSS:   123456 kB` of /proc/PID/status, in bytes (Linux). */
export function parseVmRssBytes(procStatus: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(procStatus);
  return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
}

/** Undefined when the process is gone or /proc is not there (not Linux). */
export async function processResidentBytes(pid: number): Promise<number | undefined> {
  try {
    return parseVmRssBytes(await readFile(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}
