/** Flags of the Kubernetes features, defined once: which API, which namespaces, secrets. */
import { Flags } from '@oclif/core';
import type { KubernetesConnectOptions } from '../core/kubernetes/port.js';

/** Which API server and credentials: a kubeconfig context, or the pod's service account. */
export const kubeFlags = {
  'kube-context': Flags.string({
    description:
      "kubeconfig context to use (default: the kubeconfig's current-context; inside a pod without a kubeconfig: its service account).",
    helpGroup: 'KUBERNETES',
  }),
  kubeconfig: Flags.string({
    description: 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).',
    helpGroup: 'KUBERNETES',
  }),
};

/** Where to look: one namespace (default: the context's), or all of them. */
export const namespaceFlags = {
  namespace: Flags.string({
    char: 'n',
    description: "Namespace to search (default: the context's namespace).",
    helpGroup: 'KUBERNETES',
    exclusive: ['all-namespaces'],
  }),
  'all-namespaces': Flags.boolean({
    char: 'A',
    description: 'Search every namespace the credentials may list (needs a ClusterRole).',
    helpGroup: 'KUBERNETES',
  }),
};

/** How discovered members are named: their pod DNS names end in the cluster's domain. */
export const clusterDomainFlag = {
  'cluster-domain': Flags.string({
    default: 'cluster.local',
    description:
      "The cluster's DNS domain (kubelet --cluster-domain): endpoints are <pod>.<service>.<namespace>.svc.<domain>, and TLS names are checked against them.",
    helpGroup: 'KUBERNETES',
  }),
};

/** Reaching clusters `discover --write` put in the inventory. */
export const kubeReachFlags = {
  ...kubeFlags,
  'use-cluster-secrets': Flags.boolean({
    description:
      'Read the TLS material from the Secret the pods mount (held in memory, never written to disk). Needs "get secrets".',
    helpGroup: 'KUBERNETES',
  }),
};

export interface KubeFlagValues {
  'kube-context'?: string | undefined;
  kubeconfig?: string | undefined;
}

/**
 * How to open the API: --kube-context and --kubeconfig, else what an inventory entry or a
 * fault record names, else the kubeconfig's defaults.
 */
export function kubeConnectOptions(
  flags: KubeFlagValues,
  timeoutMs: number,
  recorded: { context?: string | undefined; kubeconfig?: string | undefined } = {},
): KubernetesConnectOptions {
  const context = flags['kube-context'] ?? recorded.context;
  const kubeconfig = flags.kubeconfig ?? recorded.kubeconfig;
  return {
    ...(context !== undefined && { context }),
    ...(kubeconfig !== undefined && { kubeconfig }),
    timeoutMs,
  };
}
