/**
 * The Chaos Mesh injector of an inventory cluster running in Kubernetes: the API its faults
 * are applied through (the entry's context unless --kube-context names another), the journal
 * scope, and the pods it may select (the entry's). Shared by `chaos drill` and `chaos inject`.
 */
import { resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { KubernetesApi, KubernetesConnectOptions } from '../../core/kubernetes/port.js';
import type { ResolvedTarget } from '../../ops/target.js';
import { chaosMeshTargetOf } from './drill-target.js';
import { ChaosMeshFaultInjector, kubernetesScope } from './injector.js';

/** Chaos Mesh lifts a fault by itself this long after its hold should end, should nobody delete it. */
export const SAFETY_MARGIN_MS = 120_000;

/** --kube-context / --kubeconfig; default: the reference's context, the default kubeconfig. */
export interface KubeSelection {
  context?: string;
  kubeconfig?: string;
  timeoutMs: number;
}

export type KubernetesApiOpener = (options: KubernetesConnectOptions) => Promise<KubernetesApi>;

export interface ClusterInjectorRequest {
  /** The inventory cluster (ops/target.ts) with its `kubernetes` reference. */
  resolved: ResolvedTarget;
  kube: KubeSelection;
  stateDir: string;
  /** Chaos Mesh lifts each fault by itself this long after it was applied, should nobody heal it. */
  safetyDurationMs?: number;
  /** Default: systems/kubernetes. */
  openApi?: KubernetesApiOpener;
}

export interface ClusterInjector {
  injector: ChaosMeshFaultInjector;
  /** The API the injector applies through; the caller closes it. */
  api: KubernetesApi;
}

export function notInKubernetes(cluster: string): UsageError {
  return new UsageError(
    'CLUSTER_NOT_IN_KUBERNETES',
    `cluster "${cluster}" has no kubernetes reference: Chaos Mesh cannot reach it`,
    { actions: ['add one with: quorumctl discover --write'] },
  );
}

export function openKubernetesApiFor(
  resolved: ResolvedTarget,
  kube: KubeSelection,
  openApi?: KubernetesApiOpener,
): Promise<KubernetesApi> {
  const context = kube.context ?? resolved.kubernetes?.context;
  const open =
    openApi ??
    (async (options: KubernetesConnectOptions) => {
      const { openKubernetes } = await import('../../systems/kubernetes/index.js');
      return openKubernetes(options);
    });
  return open({
    timeoutMs: kube.timeoutMs,
    ...(context !== undefined && { context }),
    ...(kube.kubeconfig !== undefined && { kubeconfig: resolve(kube.kubeconfig) }),
  });
}

export async function openClusterInjector(
  request: ClusterInjectorRequest,
  api?: KubernetesApi,
): Promise<ClusterInjector> {
  const { resolved } = request;
  const reference = resolved.kubernetes;
  if (reference === undefined) throw notInKubernetes(resolved.target.name);
  const opened = api ?? (await openKubernetesApiFor(resolved, request.kube, request.openApi));
  const kubeconfig =
    request.kube.kubeconfig === undefined ? undefined : resolve(request.kube.kubeconfig);
  return {
    api: opened,
    injector: new ChaosMeshFaultInjector({
      api: opened,
      stateDir: resolve(request.stateDir),
      scope: kubernetesScope(opened.context, reference.namespace, resolved.target.name),
      target: chaosMeshTargetOf(reference),
      ...(kubeconfig !== undefined && { kubeconfig }),
      ...(request.safetyDurationMs !== undefined && {
        safetyDurationMs: request.safetyDurationMs,
      }),
    }),
  };
}
