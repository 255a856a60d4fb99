/**
 * Which API server and credentials: a kubeconfig context, or the pod's service account.
 * Every way this can go wrong is a usage error that says what to do, before any request.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describeCause, UsageError } from '../../core/errors.js';
import type { KubernetesConnectOptions } from '../../core/kubernetes/port.js';

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A loaded configuration and the names messages use. */
export interface LoadedKubeConfig {
  config: KubeConfig;
  /** The context in use, or "in-cluster". */
  context: string;
  server: string;
  defaultNamespace: string;
  /** The kubeconfig user name (for 403 messages), absent in a pod. */
  user?: string;
  /** Where it came from: a file list, or the service account directory. */
  source: string;
}

/** Running in a pod with a mounted service account token. */
export function inClusterAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    env['KUBERNETES_SERVICE_HOST'] !== undefined && existsSync(join(SERVICE_ACCOUNT_DIR, 'token'))
  );
}

/** The kubeconfig files that would be read: the flag, then $KUBECONFIG, then ~/.kube/config. */
export function kubeconfigPaths(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  if (explicit !== undefined) return [explicit];
  const fromEnv = env['KUBECONFIG'];
  if (fromEnv !== undefined && fromEnv !== '') {
    return fromEnv.split(delimiter).filter((path) => path !== '');
  }
  return [join(homedir(), '.kube', 'config')];
}

export function loadKubeConfig(options: KubernetesConnectOptions): LoadedKubeConfig {
  const useCluster =
    options.inCluster === true ||
    (options.kubeconfig === undefined &&
      !kubeconfigPaths(undefined).some((path) => existsSync(path)) &&
      inClusterAvailable());
  return useCluster ? loadInCluster() : loadFromFiles(options);
}

function loadInCluster(): LoadedKubeConfig {
  if (!inClusterAvailable()) {
    throw new UsageError(
      'KUBERNETES_NOT_IN_CLUSTER',
      `in-cluster configuration asked for, but this process does not run in a pod with a service account (no $KUBERNETES_SERVICE_HOST or no ${SERVICE_ACCOUNT_DIR}/token)`,
      {
        actions: ['run inside a pod with a service account, or pass --kubeconfig / --kube-context'],
      },
    );
  }
  const config = new KubeConfig();
  config.loadFromCluster();
  const cluster = config.getCurrentCluster();
  const namespace = config.getContextObject(config.getCurrentContext())?.namespace?.trim();
  return {
    config,
    context: 'in-cluster',
    server: cluster?.server ?? 'https://kubernetes.default.svc',
    defaultNamespace: namespace === undefined || namespace === '' ? 'default' : namespace,
    source: SERVICE_ACCOUNT_DIR,
  };
}

function loadFromFiles(options: KubernetesConnectOptions): LoadedKubeConfig {
  const paths = kubeconfigPaths(options.kubeconfig);
  const present = paths.filter((path) => existsSync(path));
  const source = paths.join(delimiter);
  if (present.length === 0) {
    throw new UsageError(
      'KUBECONFIG_NOT_FOUND',
      options.kubeconfig === undefined
        ? `no kubeconfig found (looked at ${source}) and not running in a pod`
        : `kubeconfig ${options.kubeconfig} does not exist`,
      {
        actions: [
          'pass --kubeconfig FILE or set $KUBECONFIG',
          'create one with your cloud CLI (e.g. aws eks update-kubeconfig, gcloud container clusters get-credentials)',
        ],
        details: { looked: paths },
      },
    );
  }
  const config = new KubeConfig();
  try {
    if (present.length === 1 && present[0] !== undefined) {
      config.loadFromFile(present[0]);
    } else {
      // Several files in $KUBECONFIG: client-node merges them as kubectl does.
      config.loadFromDefault();
    }
  } catch (error) {
    throw new UsageError(
      'KUBECONFIG_INVALID',
      `cannot read kubeconfig ${source}: ${describeCause(error)}`,
      {
        actions: [
          'check the file with: kubectl config view --kubeconfig ' + (present[0] ?? source),
        ],
        cause: error,
      },
    );
  }
  const contexts = config.getContexts().map((context) => context.name);
  if (options.context !== undefined) {
    if (!contexts.includes(options.context)) {
      throw new UsageError(
        'KUBE_CONTEXT_NOT_FOUND',
        `context "${options.context}" is not in kubeconfig ${source}; its contexts: ${contexts.length === 0 ? '(none)' : contexts.join(', ')}`,
        {
          actions: [
            `pick one with --kube-context (${contexts.join(', ')})`,
            'list them: kubectl config get-contexts',
          ],
          details: { kubeconfig: source, contexts },
        },
      );
    }
    config.setCurrentContext(options.context);
  }
  const current = config.getCurrentContext();
  const context = current === '' ? undefined : config.getContextObject(current);
  const cluster = config.getCurrentCluster();
  if (context === undefined || context === null || cluster === null) {
    throw new UsageError(
      'KUBE_CONTEXT_NOT_SET',
      `kubeconfig ${source} has no usable current-context${contexts.length === 0 ? '' : `; its contexts: ${contexts.join(', ')}`}`,
      {
        actions: ['pass --kube-context NAME', 'or set one: kubectl config use-context NAME'],
        details: { kubeconfig: source, contexts },
      },
    );
  }
  const user = config.getCurrentUser()?.name;
  return {
    config,
    context: context.name,
    server: cluster.server,
    defaultNamespace: context.namespace ?? 'default',
    ...(user !== undefined && { user }),
    source,
  };
}
