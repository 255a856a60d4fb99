/** Resolves which cluster a command talks to (--endpoints, --cluster, current context) and how. */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { findCluster, type InventoryCluster, type KubernetesReference } from '../core/inventory.js';
import type { SystemKind } from '../core/model.js';
import type { AuthOptions, ClusterTarget, ConnectOptions, TlsOptions } from '../core/ports.js';
import { parseEndpoints } from '../core/targets.js';
import type { InventoryLocation } from './inventory-location.js';

export interface TargetRequest {
  cluster?: string;
  endpoints?: string;
  /** Comma-separated HTTP monitoring URLs; override the inventory's. */
  monitorUrls?: string;
  kind?: SystemKind;
  inventory: InventoryLocation;
  /** Flag values override the inventory's references. */
  tls: { cacert?: string; cert?: string; key?: string; insecureSkipVerify?: boolean };
  auth: { user?: string; passwordEnv?: string; tokenEnv?: string };
  timeoutMs: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedTarget {
  target: ClusterTarget;
  options: ConnectOptions;
  /** Set for clusters `discover --write` found in Kubernetes: the CLI reaches them through it. */
  kubernetes?: KubernetesReference;
}

export async function resolveTarget(request: TargetRequest): Promise<ResolvedTarget> {
  const env = request.env ?? process.env;
  let cluster: InventoryCluster;
  if (request.endpoints !== undefined) {
    if (request.cluster !== undefined) {
      throw new UsageError(
        'TARGET_AMBIGUOUS',
        '--cluster and --endpoints name two targets: pass one of them',
        {
          actions: [
            'drop --endpoints to use the inventory entry, or drop --cluster for an ad-hoc target',
          ],
        },
      );
    }
    const parsed = parseEndpoints(request.endpoints, request.kind);
    // Named as the user wrote it: `zookeeper://h:2181` reads better than the URL it maps to.
    const name = request.endpoints
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .join(',');
    cluster = { name, kind: parsed.kind, endpoints: parsed.endpoints };
  } else {
    // Loaded only when needed: ad-hoc --endpoints runs skip the YAML parser entirely.
    const { loadInventory } = await import('./inventory-store.js');
    const { inventory, exists } = await loadInventory(request.inventory);
    const name = request.cluster ?? inventory.currentContext;
    if (name === undefined) {
      throw new UsageError(
        'NO_TARGET',
        exists
          ? `${request.inventory.path} has no current context and no --cluster was given`
          : 'no cluster to talk to: no inventory file and no --cluster or --endpoints',
        {
          actions: [
            'start a local sandbox and use it: quorumctl sandbox up',
            'or name a cluster: --endpoints etcd://HOST:2379',
            'or add one: quorumctl config add-cluster NAME --kind etcd --endpoints http://HOST:2379',
          ],
          details: { inventory: request.inventory.path },
        },
      );
    }
    cluster = findCluster(inventory, name, request.inventory.path);
  }

  const options: ConnectOptions = { timeoutMs: request.timeoutMs };
  const tls = await readTls(cluster, request.tls);
  if (tls !== undefined) options.tls = tls;
  const auth = readAuth(cluster, request.auth, env);
  if (auth !== undefined) options.auth = auth;
  if (request.signal !== undefined) options.signal = request.signal;
  return {
    target: {
      name: cluster.name,
      kind: cluster.kind,
      endpoints: cluster.endpoints,
      ...monitorUrlsOf(request.monitorUrls, cluster.monitorUrls),
    },
    options,
    ...(cluster.kubernetes !== undefined && { kubernetes: cluster.kubernetes }),
  };
}

async function readTls(
  cluster: InventoryCluster,
  flags: TargetRequest['tls'],
): Promise<TlsOptions | undefined> {
  const paths = {
    ca: flags.cacert ?? cluster.tls?.ca,
    cert: flags.cert ?? cluster.tls?.cert,
    key: flags.key ?? cluster.tls?.key,
  };
  const insecure = flags.insecureSkipVerify ?? cluster.tls?.insecureSkipVerify ?? false;
  if (paths.ca === undefined && paths.cert === undefined && paths.key === undefined && !insecure)
    return undefined;
  if ((paths.cert === undefined) !== (paths.key === undefined)) {
    throw new UsageError(
      'TLS_INCOMPLETE',
      `cluster "${cluster.name}": a client certificate needs both --cert and --key`,
      {
        actions: ['pass both --cert and --key, or neither'],
      },
    );
  }
  const tls: TlsOptions = {};
  for (const [field, path] of Object.entries(paths) as [
    'ca' | 'cert' | 'key',
    string | undefined,
  ][]) {
    if (path !== undefined) tls[field] = await readPem(path, field, cluster.name);
  }
  if (insecure) tls.insecureSkipVerify = true;
  return tls;
}

async function readPem(path: string, field: string, cluster: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new UsageError(
      'TLS_FILE_UNREADABLE',
      `cluster "${cluster}": cannot read TLS ${field} file ${path}: ${(cause as Error).message}`,
      {
        actions: ['check the path and its permissions'],
        cause,
      },
    );
  }
}

function readAuth(
  cluster: InventoryCluster,
  flags: TargetRequest['auth'],
  env: NodeJS.ProcessEnv,
): AuthOptions | undefined {
  const username = flags.user ?? cluster.auth?.username;
  const passwordEnv = flags.passwordEnv ?? cluster.auth?.passwordEnv;
  const tokenEnv = flags.tokenEnv ?? cluster.auth?.tokenEnv;
  const auth: AuthOptions = {};
  if (tokenEnv !== undefined) auth.token = requireEnv(env, tokenEnv, cluster.name, 'token');
  if (username !== undefined) {
    auth.username = username;
    auth.password = requireEnv(env, passwordEnv ?? 'QUORUMCTL_PASSWORD', cluster.name, 'password');
  }
  return Object.keys(auth).length > 0 ? auth : undefined;
}

function requireEnv(env: NodeJS.ProcessEnv, name: string, cluster: string, what: string): string {
  const value = env[name];
  if (value === undefined) {
    throw new UsageError(
      'SECRET_ENV_MISSING',
      `cluster "${cluster}": the ${what} is read from $${name}, which is not set`,
      {
        actions: [
          `export ${name}=... before running quorumctl (secrets are never stored in the inventory)`,
        ],
      },
    );
  }
  return value;
}

function monitorUrlsOf(
  flag: string | undefined,
  fromInventory: string[] | undefined,
): { monitorUrls?: string[] } {
  if (flag === undefined) return fromInventory === undefined ? {} : { monitorUrls: fromInventory };
  const urls = flag
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const url of urls) {
    if (!/^https?:$/.test(URL.parse(url)?.protocol ?? '')) {
      throw new UsageError(
        'MONITOR_URL_INVALID',
        `--monitor-urls: "${url}" is not an http(s) URL`,
        {
          actions: [
            'e.g. --monitor-urls http://10.0.0.1:8080/commands,http://10.0.0.2:8080/commands',
          ],
        },
      );
    }
  }
  return { monitorUrls: urls };
}
