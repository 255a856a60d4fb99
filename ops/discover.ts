/**
 * `quorumctl discover`: reads pods, StatefulSets and the ConfigMaps the recognisers ask for
 * through the KubernetesApi port, hands them to core's recognisers, and under --write merges
 * the clusters found into the inventory.
 */
import { configMapKey, configMapsToRead, recogniseClusters } from '../core/discovery/recognise.js';
import { inventoryEntryOf, type DiscoveryReport } from '../core/discovery/model.js';
import type { InventoryCluster } from '../core/inventory.js';
import { KubernetesForbiddenError } from '../core/kubernetes/errors.js';
import type { ConfigMap } from '../core/kubernetes/objects.js';
import type { KubernetesApi, NamespaceSelection } from '../core/kubernetes/port.js';
import type { InventoryLocation } from './inventory-location.js';
import { loadInventory, saveInventory } from './inventory-store.js';

export async function discover(
  api: KubernetesApi,
  options: { namespaces: NamespaceSelection; clusterDomain?: string },
): Promise<DiscoveryReport> {
  const selection = options.namespaces;
  const warnings: string[] = [];
  // A typo in -n must be a clear error, not an empty report (listing pods there gives []).
  // An account allowed to list pods but not to get its namespace searches on, warned.
  if (selection.all !== true) {
    try {
      await api.assertNamespace(selection.name);
    } catch (error) {
      if (!(error instanceof KubernetesForbiddenError)) throw error;
      warnings.push(
        `whether namespace "${selection.name}" exists was not checked (${error.message}): an empty result may mean a misspelt -n`,
      );
    }
  }
  const [pods, statefulSets] = await Promise.all([
    api.listPods(selection),
    api.listStatefulSets(selection),
  ]);
  const configMaps = new Map<string, ConfigMap | undefined>();
  for (const { namespace, name } of configMapsToRead(statefulSets))
    configMaps.set(configMapKey(namespace, name), await api.readConfigMap(namespace, name));
  const { clusters, skipped } = recogniseClusters({
    context: api.context,
    ...(options.clusterDomain !== undefined && { clusterDomain: options.clusterDomain }),
    pods,
    statefulSets,
    configMaps,
  });
  return {
    context: api.context,
    server: api.server,
    namespaces: selection.all === true ? 'all' : [selection.name],
    clusters,
    skipped,
    ...(warnings.length > 0 && { warnings }),
  };
}

export interface WrittenEntry {
  name: string;
  action: 'added' | 'replaced';
}

export interface InventoryWrite {
  path: string;
  entries: WrittenEntry[];
}

/**
 * Adds the discovered clusters to the inventory, replacing entries of the same name in place
 * (a rerun refreshes them); other clusters and the current context stay as they are.
 */
export async function writeDiscovered(
  location: InventoryLocation,
  report: DiscoveryReport,
): Promise<InventoryWrite> {
  const { inventory } = await loadInventory(location, { forWriting: true });
  const clusters: InventoryCluster[] = [...inventory.clusters];
  const entries: WrittenEntry[] = [];
  for (const discovered of report.clusters) {
    const entry: InventoryCluster = inventoryEntryOf(discovered);
    const index = clusters.findIndex((existing) => existing.name === entry.name);
    if (index === -1) clusters.push(entry);
    else clusters[index] = entry;
    entries.push({ name: entry.name, action: index === -1 ? 'added' : 'replaced' });
  }
  await saveInventory(location, {
    clusters,
    ...(inventory.currentContext !== undefined && { currentContext: inventory.currentContext }),
  });
  return { path: location.path, entries };
}

/** The report, and with --write which inventory entries were written where. */
export type DiscoveryOutcome = DiscoveryReport & { inventory?: InventoryWrite };
