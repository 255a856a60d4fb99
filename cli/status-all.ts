/**
 * `status --all`, the composition: which clusters (each inventory entry, or each cluster
 * discovered live in a Kubernetes context, nothing written) and how each is connected; the
 * concurrent read itself is ops/status-all.ts.
 */
import { inventoryEntryOf } from '../core/discovery/model.js';
import { parseClusterDomain } from '../core/discovery/workload.js';
import type { KubernetesApi, NamespaceSelection } from '../core/kubernetes/port.js';
import { locateInventory } from '../ops/inventory-location.js';
import { loadInventory } from '../ops/inventory-store.js';
import {
  readStatuses,
  type ClusterStatusList,
  type ConnectedCluster,
  type StatusSource,
} from '../ops/status-all.js';
import { connectAdapter } from '../systems/registry.js';
import { openTarget, type OpenedTarget } from './kubernetes-reach.js';
import { kubeConnectOptions } from './kube-flags.js';
import type { TargetFlagValues } from './target-request.js';

export interface StatusAllFlags extends TargetFlagValues {
  namespace?: string | undefined;
  'all-namespaces'?: boolean | undefined;
  'cluster-domain'?: string | undefined;
}

/** Every cluster's status; with --kube-context/--kubeconfig, the clusters discovered there. */
export async function statusOfAll(
  flags: StatusAllFlags,
  timeoutMs: number,
): Promise<ClusterStatusList> {
  const discovering = flags['kube-context'] !== undefined || flags.kubeconfig !== undefined;
  if (!discovering) return readStatuses(await inventorySources(flags));
  const { openKubernetes } = await import('../systems/kubernetes/index.js');
  const api = await openKubernetes(kubeConnectOptions(flags, Math.max(timeoutMs, 5000)));
  try {
    return await readStatuses(await discoveredSources(api, flags, timeoutMs));
  } finally {
    await api.close();
  }
}

/** The adapter of a reached target; the target is released if connecting fails. */
async function connectOpened(opened: OpenedTarget): Promise<ConnectedCluster> {
  try {
    return {
      adapter: await connectAdapter(opened.target, opened.options),
      release: opened.release,
    };
  } catch (error) {
    await opened.release();
    throw error;
  }
}

async function inventorySources(flags: StatusAllFlags): Promise<StatusSource[]> {
  const { inventory } = await loadInventory(locateInventory(flags.config));
  return inventory.clusters.map((cluster) => ({
    cluster: cluster.name,
    kind: cluster.kind,
    source: 'inventory',
    connect: async () =>
      connectOpened(await openTarget({ ...flags, cluster: cluster.name, endpoints: undefined })),
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
  const report = await discover(api, {
    namespaces,
    ...(flags['cluster-domain'] !== undefined && {
      clusterDomain: parseClusterDomain(flags['cluster-domain']),
    }),
  });
  return report.clusters.map((discovered) => {
    const entry = inventoryEntryOf(discovered);
    return {
      cluster: entry.name,
      kind: entry.kind,
      source: `kubernetes:${report.context}`,
      connect: async () =>
        connectOpened(
          await reachThroughKubernetes(
            {
              target: { name: entry.name, kind: entry.kind, endpoints: entry.endpoints },
              options: { timeoutMs },
              kubernetes: entry.kubernetes,
            },
            api,
            { useClusterSecrets: flags['use-cluster-secrets'] === true },
          ),
        ),
    };
  });
}
