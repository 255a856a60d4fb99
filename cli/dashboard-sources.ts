/**
 * Which clusters `quorumctl dashboard` watches and how each is read: through its agents when
 * the inventory names them (unless --direct), otherwise through its adapter. The composition
 * root of the dashboard: the only place that picks adapters and the exposition parser.
 */
import { describeCause, isQuorumctlError, UsageError } from '../core/errors.js';
import { findCluster, type InventoryCluster } from '../core/inventory.js';
import type { AgentSourceOptions } from '../ops/dashboard/agent-source.js';
import { agentSource } from '../ops/dashboard/agent-source.js';
import { adapterSource, type ClusterSource } from '../ops/dashboard/poller.js';
import type { InventoryLocation } from '../ops/inventory-location.js';
import { resolveTarget } from '../ops/target.js';
import { connectAdapter } from '../systems/registry.js';
import { reachResolved } from './kubernetes-reach.js';
import { parsePromText } from '../systems/transport/prometheus-text.js';

export interface DashboardSelection {
  clusters: string[];
  all: boolean;
  direct: boolean;
  inventory: InventoryLocation;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface DashboardSources {
  sources: ClusterSource[];
  agentEvents: AgentSourceOptions[];
}

export async function dashboardSources(selection: DashboardSelection): Promise<DashboardSources> {
  const { loadInventory } = await import('../ops/inventory-store.js');
  const { inventory } = await loadInventory(selection.inventory);
  const chosen = chooseClusters(inventory.clusters, inventory.currentContext, selection);
  const sources: ClusterSource[] = [];
  const agentEvents: AgentSourceOptions[] = [];
  for (const cluster of chosen) {
    if (!selection.direct && cluster.agents !== undefined && cluster.agents.length > 0) {
      const options: AgentSourceOptions = {
        cluster: cluster.name,
        kind: cluster.kind,
        agents: cluster.agents,
        parseExposition: parsePromText,
      };
      sources.push(agentSource(options));
      agentEvents.push(options);
      continue;
    }
    sources.push(await directSource(cluster, selection));
  }
  return { sources, agentEvents };
}

function chooseClusters(
  clusters: readonly InventoryCluster[],
  currentContext: string | undefined,
  selection: DashboardSelection,
): InventoryCluster[] {
  if (selection.all && selection.clusters.length > 0) {
    throw new UsageError('TARGET_AMBIGUOUS', '--all and --cluster both choose the clusters', {
      actions: ['pass --all for every inventory cluster, or one --cluster per cluster'],
    });
  }
  const names =
    selection.clusters.length > 0
      ? selection.clusters
      : selection.all || currentContext === undefined
        ? clusters.map((cluster) => cluster.name)
        : [currentContext];
  if (names.length === 0) {
    throw new UsageError(
      'NO_TARGET',
      `no clusters to watch: ${selection.inventory.path} lists none`,
      {
        actions: [
          'start a local sandbox: quorumctl sandbox up',
          'or add a cluster: quorumctl config add-cluster NAME --kind etcd --endpoints http://HOST:2379',
        ],
        details: { inventory: selection.inventory.path },
      },
    );
  }
  const inventory = { clusters: [...clusters] };
  return [...new Set(names)].map((name) => findCluster(inventory, name, selection.inventory.path));
}

/**
 * A cluster read through its adapter. A cluster that cannot even be connected to (a secret
 * variable unset, a TLS file missing) is still listed: every poll fails with the reason.
 */
async function directSource(
  cluster: InventoryCluster,
  selection: DashboardSelection,
): Promise<ClusterSource> {
  try {
    const resolved = await resolveTarget({
      cluster: cluster.name,
      inventory: selection.inventory,
      tls: {},
      auth: {},
      timeoutMs: selection.timeoutMs,
      signal: selection.signal,
    });
    // A cluster discover --write found in Kubernetes: watched through port-forward tunnels.
    const { target, options, release } = await reachResolved(resolved, {});
    try {
      const source = adapterSource(cluster.name, await connectAdapter(target, options));
      return {
        ...source,
        close: async () => {
          try {
            await source.close();
          } finally {
            await release();
          }
        },
      };
    } catch (error) {
      await release();
      throw error;
    }
  } catch (error) {
    const failure = isQuorumctlError(error) ? error : new Error(describeCause(error));
    return {
      name: cluster.name,
      kind: cluster.kind,
      via: 'direct',
      read: () => Promise.reject(failure),
      close: () => Promise.resolve(),
    };
  }
}
