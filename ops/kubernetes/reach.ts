/**
 * Reaching a cluster that runs in Kubernetes: one port-forward tunnel per member pod (and one
 * per monitoring URL on another pod port), the endpoints rewritten to the local ports (scheme
 * kept), and the certificate names kept so TLS still verifies against the pod's DNS name.
 * Optionally, the TLS material comes from the Secret the pods mount, held in memory only.
 * Written against the KubernetesApi port.
 */
import { UsageError } from '../../core/errors.js';
import type { KubernetesReference } from '../../core/inventory.js';
import type { KubernetesApi, Tunnel } from '../../core/kubernetes/port.js';
import { podsMisaligned } from '../../core/kubernetes/errors.js';
import type { Secret } from '../../core/kubernetes/objects.js';
import type { ClusterTarget, ConnectOptions, TlsOptions } from '../../core/ports.js';
import type { ResolvedTarget } from '../target.js';

export interface ReachOptions {
  /** Read `kubernetes.tlsSecret` into the TLS options (needs "get secrets"). */
  useClusterSecrets: boolean;
}

export interface ReachedTarget {
  target: ClusterTarget;
  options: ConnectOptions;
  /** Closes the tunnels; safe to call twice. */
  release: () => Promise<void>;
}

/** An endpoint split where its authority is: `[scheme://]host:port[/rest]`. */
export function splitEndpoint(endpoint: string): {
  prefix: string;
  host: string;
  port: string;
  rest: string;
} {
  const match = /^((?:[a-z][a-z0-9+.-]*:\/\/)?)(\[[^\]]+\]|[^/:]+):(\d+)(.*)$/i.exec(endpoint);
  if (match === null) {
    throw new UsageError('ENDPOINT_INVALID', `endpoint "${endpoint}" is not [SCHEME://]HOST:PORT`);
  }
  const [, prefix = '', host = '', port = '', rest = ''] = match;
  return { prefix, host, port, rest };
}

/** The endpoint with its host:port replaced by 127.0.0.1:<localPort>, scheme and path kept. */
export function localEndpoint(endpoint: string, localPort: number): string {
  const { prefix, rest } = splitEndpoint(endpoint);
  return `${prefix}127.0.0.1:${localPort}${rest}`;
}

function decode(secret: Secret, key: string): string | undefined {
  const value = secret.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/**
 * TLS material of a Secret: kubernetes.io/tls (ca.crt, tls.crt, tls.key) or a Strimzi
 * KafkaUser (ca.crt, user.crt, user.key). PEM strings in memory; nothing is written.
 */
export function tlsFromSecret(secret: Secret): TlsOptions {
  const ca = decode(secret, 'ca.crt');
  const cert = decode(secret, 'tls.crt') ?? decode(secret, 'user.crt');
  const key = decode(secret, 'tls.key') ?? decode(secret, 'user.key');
  if (ca === undefined && cert === undefined) {
    throw new UsageError(
      'KUBERNETES_SECRET_NOT_TLS',
      `Secret "${secret.metadata.name}" has none of ca.crt, tls.crt, user.crt`,
      {
        actions: [
          'point kubernetes.tlsSecret of the inventory entry at the Secret the pods mount for TLS',
        ],
        details: { secret: secret.metadata.name, keys: Object.keys(secret.data ?? {}) },
      },
    );
  }
  return {
    ...(ca !== undefined && { ca }),
    ...(cert !== undefined && key !== undefined && { cert, key }),
  };
}

/** Flags and inventory files win; the Secret fills what they left unset. */
function mergeTls(given: TlsOptions | undefined, fromSecret: TlsOptions): TlsOptions {
  return {
    ...fromSecret,
    ...Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined)),
  };
}

/** One tunnel per pod, to the port given for it; all or none (a half-open set leaks ports). */
async function openTunnels(
  api: KubernetesApi,
  namespace: string,
  targets: readonly { pod: string; port: number }[],
): Promise<Tunnel[]> {
  const tunnels: Tunnel[] = [];
  try {
    for (const { pod, port } of targets) tunnels.push(await api.portForward(namespace, pod, port));
    return tunnels;
  } catch (error) {
    await Promise.allSettled(tunnels.map((tunnel) => tunnel.close()));
    throw error;
  }
}

/**
 * The monitoring URLs (ZooKeeper's AdminServer, a JMX exporter) of a port-forwarded cluster, one per pod as
 * discover writes them, rewritten to tunnels of their own (or to the endpoint's tunnel when
 * they share its port). URLs that do not pair with the pods were set by hand: kept as given.
 */
async function forwardMonitorUrls(
  api: KubernetesApi,
  reference: KubernetesReference,
  monitorUrls: readonly string[] | undefined,
  endpointTunnels: readonly Tunnel[],
): Promise<{ monitorUrls?: string[]; tunnels: Tunnel[] }> {
  if (monitorUrls === undefined) return { tunnels: [] };
  if (monitorUrls.length !== reference.pods.length)
    return { monitorUrls: [...monitorUrls], tunnels: [] };
  const ports = monitorUrls.map((url) => Number(splitEndpoint(url).port));
  const own = ports.flatMap((port, index) =>
    port === reference.port ? [] : [{ index, pod: reference.pods[index] ?? '', port }],
  );
  const tunnels = await openTunnels(api, reference.namespace, own);
  const localPorts = new Map(own.map((target, at) => [target.index, tunnels[at]?.localPort]));
  return {
    tunnels,
    monitorUrls: monitorUrls.map((url, index) =>
      localEndpoint(url, localPorts.get(index) ?? endpointTunnels[index]?.localPort ?? 0),
    ),
  };
}

export async function reachThroughKubernetes(
  resolved: ResolvedTarget,
  api: KubernetesApi,
  options: ReachOptions,
): Promise<ReachedTarget> {
  const reference = resolved.kubernetes;
  let tls = resolved.options.tls;
  if (reference !== undefined && options.useClusterSecrets && reference.tlsSecret !== undefined) {
    tls = mergeTls(
      tls,
      tlsFromSecret(await api.readSecret(reference.namespace, reference.tlsSecret)),
    );
  }
  const withTls: ConnectOptions = { ...resolved.options, ...(tls !== undefined && { tls }) };
  if (reference === undefined || reference.reach === 'direct') {
    return { target: resolved.target, options: withTls, release: () => Promise.resolve() };
  }
  const endpoints = resolved.target.endpoints;
  if (reference.pods.length !== endpoints.length) {
    throw podsMisaligned(resolved.target.name, endpoints, reference.pods);
  }
  const tunnels = await openTunnels(
    api,
    reference.namespace,
    reference.pods.map((pod) => ({ pod, port: reference.port })),
  );
  let monitor: Awaited<ReturnType<typeof forwardMonitorUrls>>;
  try {
    monitor = await forwardMonitorUrls(api, reference, resolved.target.monitorUrls, tunnels);
  } catch (error) {
    await Promise.allSettled(tunnels.map((tunnel) => tunnel.close()));
    throw error;
  }
  const allTunnels = [...tunnels, ...monitor.tunnels];
  const serverNames: Record<string, string> = { ...(tls?.serverNames ?? {}) };
  const rewritten = endpoints.map((endpoint, index) => {
    const localPort = tunnels[index]?.localPort ?? 0;
    serverNames[`127.0.0.1:${localPort}`] = splitEndpoint(endpoint).host.replace(/^\[|\]$/g, '');
    return localEndpoint(endpoint, localPort);
  });
  let released: Promise<void> | undefined;
  return {
    target: {
      ...resolved.target,
      endpoints: rewritten,
      ...(monitor.monitorUrls !== undefined && { monitorUrls: monitor.monitorUrls }),
    },
    options: { ...withTls, tls: { ...(tls ?? {}), serverNames } },
    release: () => {
      released ??= Promise.allSettled(allTunnels.map((tunnel) => tunnel.close())).then(
        () => undefined,
      );
      return released;
    },
  };
}
