/**
 * The CLI's way to a cluster: resolve the target, and when the inventory entry lives in
 * Kubernetes (discover --write), open the API and reach the members through it. The client
 * is imported only then: commands against plain clusters never load client-node.
 */
import type { KubernetesApi } from '../core/kubernetes/port.js';
import type { ClusterTarget, ConnectOptions } from '../core/ports.js';
import { resolveTarget, type ResolvedTarget } from '../ops/target.js';
import { kubeConnectOptions } from './kube-flags.js';
import { targetRequestFrom, type TargetFlagValues } from './target-request.js';

/** The Kubernetes API budget per call: at least 5 s (API servers often sit behind a VPN). */
const MIN_KUBERNETES_TIMEOUT_MS = 5000;

export interface OpenedTarget {
  target: ClusterTarget;
  options: ConnectOptions;
  /** Closes tunnels and the API; a no-op for plain targets. Call it in a finally. */
  release: () => Promise<void>;
}

/** A resolved target reached through Kubernetes when it has a reference; as is otherwise. */
export async function reachResolved(
  resolved: ResolvedTarget,
  flags: TargetFlagValues,
): Promise<OpenedTarget> {
  const reference = resolved.kubernetes;
  if (reference === undefined) {
    return { target: resolved.target, options: resolved.options, release: () => Promise.resolve() };
  }
  const [{ openKubernetes }, { reachThroughKubernetes }] = await Promise.all([
    import('../systems/kubernetes/index.js'),
    import('../ops/kubernetes/reach.js'),
  ]);
  const api: KubernetesApi = await openKubernetes(
    kubeConnectOptions(flags, Math.max(resolved.options.timeoutMs, MIN_KUBERNETES_TIMEOUT_MS), {
      context: reference.context,
    }),
  );
  try {
    const reached = await reachThroughKubernetes(resolved, api, {
      useClusterSecrets: flags['use-cluster-secrets'] === true,
    });
    return {
      target: reached.target,
      options: reached.options,
      release: async () => {
        await reached.release();
        await api.close();
      },
    };
  } catch (error) {
    await api.close();
    throw error;
  }
}

/** resolveTarget + reaching through Kubernetes: what every command that talks to a cluster uses. */
export async function openTarget(
  flags: TargetFlagValues,
  signal?: AbortSignal,
): Promise<OpenedTarget> {
  return reachResolved(await resolveTarget(targetRequestFrom(flags, signal)), flags);
}
