/**
 * `status --all`: the status of every cluster at once: each inventory entry, or each cluster
 * discovered live in a Kubernetes context (nothing written). Clusters are read concurrently;
 * one that cannot be reached is an entry with its error, not a failed command.
 */
import { inventoryEntryOf } from '../core/discovery/model.js';
import { describeCause, isQuorumctlError } from '../core/errors.js';
import { ExitCode, type ExitCodeValue } from '../core/exit-codes.js';
import type { ClusterStatus, SystemKind } from '../core/model.js';
import type { KubernetesApi, NamespaceSelection } from '../core/kubernetes/port.js';
import { locateInventory } from '../ops/inventory-location.js';
import { loadInventory } from '../ops/inventory-store.js';
import { connectAdapter } from '../systems/registry.js';
import { openTarget, type OpenedTarget } from './kubernetes-reach.js';
import type { TargetFlagValues } from './target-request.js';

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

export interface StatusAllFlags extends TargetFlagValues {
  namespace?: string | undefined;
  'all-namespaces'?: boolean | undefined;
}

interface StatusSource {
  cluster: string;
  kind: SystemKind;
  source: string;
  open: () => Promise<OpenedTarget>;
}

/** Clusters read at once: each may hold a port-forward tunnel per member. */
const CONCURRENCY = 4;

/** Every cluster's status; with --kube-context/--kubeconfig, the clusters discovered there. */
export async function statusOfAll(
  flags: StatusAllFlags,
  timeoutMs: number,
): Promise<ClusterStatusList> {
  const discovering = flags['kube-context'] !== undefined || flags.kubeconfig !== undefined;
  if (!discovering) return readAll(await inventorySources(flags));
  const { openKubernetes } = await import('../systems/kubernetes/index.js');
  const api = await openKubernetes({
    ...(flags['kube-context'] !== undefined && { context: flags['kube-context'] }),
    ...(flags.kubeconfig !== undefined && { kubeconfig: flags.kubeconfig }),
    timeoutMs: Math.max(timeoutMs, 5000),
  });
  try {
    return await readAll(await discoveredSources(api, flags, timeoutMs));
  } finally {
    await api.close();
  }
}

/** 0 when every cluster answered, 3 when none did, 5 (partial) otherwise. */
export function statusListExitCode(list: ClusterStatusList): ExitCodeValue {
  const failed = list.clusters.filter((entry) => entry.error !== undefined).length;
  if (failed === 0) return ExitCode.ok;
  return failed === list.clusters.length ? ExitCode.unreachable : ExitCode.partial;
}

async function inventorySources(flags: StatusAllFlags): Promise<StatusSource[]> {
  const { inventory } = await loadInventory(locateInventory(flags.config));
  return inventory.clusters.map((cluster) => ({
    cluster: cluster.name,
    kind: cluster.kind,
    source: 'inventory',
    open: () => openTarget({ ...flags, cluster: cluster.name, endpoints: undefined }),
  }));
}

async function discoveredSources(
  api: KubernetesApi,
  flags: StatusAllFlags,
  timeoutMs: number,
): Promise<StatusSource[]> {
  const [{ discover }, { reachThroughKubernetes }] = await Promise.all([
    import('../ops/discover.js'),
    import('../ops/kubernetes/reach.js'),
  ]);
  // Everything the credentials may see, unless one namespace is named.
  const namespaces: NamespaceSelection =
    flags.namespace === undefined ? { all: true } : { name: flags.namespace };
  const report = await discover(api, { namespaces });
  return report.clusters.map((discovered) => {
    const entry = inventoryEntryOf(discovered);
    return {
      cluster: entry.name,
      kind: entry.kind,
      source: `kubernetes:${report.context}`,
      open: async () => {
        const reached = await reachThroughKubernetes(
          {
            target: { name: entry.name, kind: entry.kind, endpoints: entry.endpoints },
            options: { timeoutMs },
            kubernetes: entry.kubernetes,
          },
          api,
          { useClusterSecrets: flags['use-cluster-secrets'] === true },
        );
        return reached;
      },
    };
  });
}

async function readAll(sources: StatusSource[]): Promise<ClusterStatusList> {
  const entries: ClusterStatusEntry[] = new Array<ClusterStatusEntry>(sources.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < sources.length) {
      const index = next++;
      const source = sources[index] as StatusSource;
      entries[index] = await readOne(source);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, sources.length) }, worker));
  return { clusters: entries };
}

async function readOne(source: StatusSource): Promise<ClusterStatusEntry> {
  const entry = { cluster: source.cluster, kind: source.kind, source: source.source };
  let opened: OpenedTarget | undefined;
  try {
    opened = await source.open();
    const adapter = await connectAdapter(opened.target, opened.options);
    try {
      return { ...entry, status: await adapter.status() };
    } finally {
      await adapter.close();
    }
  } catch (error) {
    return {
      ...entry,
      error: isQuorumctlError(error)
        ? { code: error.code, message: error.message, actions: error.actions }
        : { code: 'STATUS_FAILED', message: describeCause(error), actions: [] },
    };
  } finally {
    await opened?.release();
  }
}
