/**
 * Use case: the status of many clusters at once (`status --all`). Clusters are read
 * concurrently; one that cannot be reached becomes an entry with its error, not a failure
 * of the whole read.
 */
import { describeCause, isQuorumctlError } from '../core/errors.js';
import { ExitCode, type ExitCodeValue } from '../core/exit-codes.js';
import type { ClusterStatus, SystemKind } from '../core/model.js';
import type { ClusterAdapter } from '../core/ports.js';

export interface ClusterStatusEntry {
  cluster: string;
  kind: SystemKind;
  /** inventory, or the Kubernetes context the cluster was discovered in. */
  source: string;
  status?: ClusterStatus;
  error?: { code: string; message: string; actions: readonly string[] };
}

export interface ClusterStatusList {
  clusters: ClusterStatusEntry[];
}

/** A cluster connected for one read; `release` closes what reaching it opened (tunnels). */
export interface ConnectedCluster {
  adapter: Pick<ClusterAdapter, 'status' | 'close'>;
  release(): Promise<void>;
}

export interface StatusSource {
  cluster: string;
  kind: SystemKind;
  source: string;
  connect(): Promise<ConnectedCluster>;
}

/** Clusters read at once: each may hold a port-forward tunnel per member. */
const DEFAULT_CONCURRENCY = 4;

export async function readStatuses(
  sources: readonly StatusSource[],
  concurrency = DEFAULT_CONCURRENCY,
): Promise<ClusterStatusList> {
  const entries: ClusterStatusEntry[] = new Array<ClusterStatusEntry>(sources.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sources.length) {
      const index = next++;
      entries[index] = await readOne(sources[index] as StatusSource);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, sources.length) }, worker));
  return { clusters: entries };
}

/** 0 when every cluster answered, 3 when none did, 5 (partial) otherwise. */
export function statusListExitCode(list: ClusterStatusList): ExitCodeValue {
  const failed = list.clusters.filter((entry) => entry.error !== undefined).length;
  if (failed === 0) return ExitCode.ok;
  return failed === list.clusters.length ? ExitCode.unreachable : ExitCode.partial;
}

async function readOne(source: StatusSource): Promise<ClusterStatusEntry> {
  const entry = { cluster: source.cluster, kind: source.kind, source: source.source };
  let connected: ConnectedCluster | undefined;
  try {
    connected = await source.connect();
    return { ...entry, status: await connected.adapter.status() };
  } catch (error) {
    return {
      ...entry,
      error: isQuorumctlError(error)
        ? { code: error.code, message: error.message, actions: error.actions }
        : { code: 'STATUS_FAILED', message: describeCause(error), actions: [] },
    };
  } finally {
    try {
      await connected?.adapter.close();
    } finally {
      await connected?.release();
    }
  }
}
