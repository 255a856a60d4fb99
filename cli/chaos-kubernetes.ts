/** What the chaos commands share for clusters in Kubernetes: which target a drill acts on, the API opener for heals. */
import { Flags } from '@oclif/core';
import type { KubeSelection } from '../chaos/kubernetes/cluster-injector.js';
import type { HealSelection } from '../chaos/kubernetes/heal.js';
import type { KubernetesApi } from '../core/kubernetes/port.js';
import { locateInventory } from '../ops/inventory-location.js';
import { resolveTarget, type ResolvedTarget } from '../ops/target.js';
import { kubeConnectOptions, type KubeFlagValues } from './kube-flags.js';

/** What a drill or an injected fault acts on: a sandbox, or an inventory cluster. */
export const chaosTargetFlags = {
  sandbox: Flags.string({
    char: 's',
    description: 'The sandbox. Default: the sandbox of the current context, else "local".',
    helpGroup: 'TARGET',
  }),
  cluster: Flags.string({
    char: 'c',
    description:
      'An inventory cluster: a sandbox, or one in Kubernetes (faults through Chaos Mesh).',
    helpGroup: 'TARGET',
    exclusive: ['sandbox'],
  }),
};

/** A sandbox by name, or an inventory cluster running in Kubernetes. */
export type DrillTargetChoice =
  { sandbox: string } | { kubernetes: ResolvedTarget } | { other: string };

/** --sandbox, else the inventory entry (--cluster or the current context): its sandbox, or its kubernetes reference. */
export async function chooseDrillTarget(flags: {
  sandbox?: string | undefined;
  cluster?: string | undefined;
  config?: string | undefined;
}): Promise<DrillTargetChoice> {
  if (flags.sandbox !== undefined) return { sandbox: flags.sandbox };
  const inventory = locateInventory(flags.config);
  const { loadInventory } = await import('../ops/inventory-store.js');
  const loaded = await loadInventory(inventory);
  const name = flags.cluster ?? loaded.inventory.currentContext;
  const cluster = loaded.inventory.clusters.find((candidate) => candidate.name === name);
  if (cluster?.sandbox !== undefined) return { sandbox: cluster.sandbox };
  if (cluster?.kubernetes !== undefined)
    return {
      kubernetes: await resolveTarget({
        cluster: cluster.name,
        inventory,
        tls: {},
        auth: {},
        timeoutMs: 3000,
      }),
    };
  if (flags.cluster === undefined) return { sandbox: 'local' };
  return { other: flags.cluster };
}

/** Budget of each Kubernetes API call the chaos commands make. */
const KUBE_API_TIMEOUT_MS = 10_000;

/** --kube-context / --kubeconfig as the Chaos Mesh injector takes them. */
export function kubeSelectionOf(flags: KubeFlagValues): KubeSelection {
  return {
    timeoutMs: KUBE_API_TIMEOUT_MS,
    ...(flags['kube-context'] !== undefined && { context: flags['kube-context'] }),
    ...(flags.kubeconfig !== undefined && { kubeconfig: flags.kubeconfig }),
  };
}

/** Opens the API a fault's resources were created through; --kube-context/--kubeconfig override the record. */
export function kubeApiOpener(
  flags: KubeFlagValues,
  timeoutMs = KUBE_API_TIMEOUT_MS,
): (connection: { context: string; kubeconfig?: string }) => Promise<KubernetesApi> {
  return async (connection) => {
    const { openKubernetes } = await import('../systems/kubernetes/index.js');
    return openKubernetes(kubeConnectOptions(flags, timeoutMs, connection));
  };
}

/** --sandbox, else --cluster, else every recorded scope: what chaos faults and chaos heal act on. */
export function healSelectionOf(flags: {
  sandbox?: string | undefined;
  cluster?: string | undefined;
}): HealSelection {
  if (flags.sandbox !== undefined) return { sandbox: flags.sandbox };
  return flags.cluster !== undefined ? { cluster: flags.cluster } : { all: true };
}
