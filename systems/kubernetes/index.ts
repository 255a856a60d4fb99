/**
 * The Kubernetes API on @kubernetes/client-node, behind core's KubernetesApi port. Loaded
 * lazily by the commands that need it: the client takes ~0.5 s to import.
 */
import type { KubernetesApi, KubernetesConnectOptions } from '../../core/kubernetes/port.js';

export async function openKubernetes(options: KubernetesConnectOptions): Promise<KubernetesApi> {
  const { openClientNodeApi } = await import('./client.js');
  return openClientNodeApi(options);
}
