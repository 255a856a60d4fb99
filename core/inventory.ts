/** The cluster inventory (quorumctl.yaml): its model, parsing with positioned errors, and edits. */
import { isMap, isSeq, LineCounter, parseDocument, stringify, type Node, type YAMLMap } from 'yaml';
import { UsageError } from './errors.js';
import { isSystemKind, SYSTEM_KINDS, type SystemKind } from './model.js';

export interface TlsReference {
  /** Paths to PEM files, read only when a command connects. */
  ca?: string;
  cert?: string;
  key?: string;
  insecureSkipVerify?: boolean;
}

export interface AuthReference {
  username?: string;
  /** Name of the environment variable holding the password: secrets never live in the file. */
  passwordEnv?: string;
  tokenEnv?: string;
}

/**
 * Where a cluster runs in Kubernetes (written by `quorumctl discover --write`): how to reach
 * its pods through port-forward, which Secret holds its TLS material, and the labels Chaos
 * Mesh selects its pods by.
 */
export interface KubernetesReference {
  /** kubeconfig context; absent: the current context (or the in-cluster service account). */
  context?: string;
  namespace: string;
  /** `StatefulSet/zk`, `StaticPods/etcd`: what the members belong to. */
  workload: string;
  /** Pod of each member, in the order of `endpoints`. */
  pods: string[];
  /** The pod port `endpoints` point at. */
  port: number;
  labels: Record<string, string>;
  /** The server container in each pod. */
  container?: string;
  /** port-forward (default): through the API server; direct: the endpoints answer as they are. */
  reach?: 'direct' | 'port-forward';
  /** Secret with ca.crt/tls.crt/tls.key, read only with --use-cluster-secrets. */
  tlsSecret?: string;
}

export interface InventoryCluster {
  name: string;
  kind: SystemKind;
  endpoints: string[];
  tls?: TlsReference;
  auth?: AuthReference;
  agents?: string[];
  /** HTTP monitoring URLs apart from the client port (ZooKeeper AdminServer, Kafka JMX-exporter pages), one per member. */
  monitorUrls?: string[];
  /** Set when `quorumctl sandbox up` registered the cluster. */
  sandbox?: string;
  kubernetes?: KubernetesReference;
}

export interface Inventory {
  currentContext?: string;
  clusters: InventoryCluster[];
}

export const EMPTY_INVENTORY: Inventory = { clusters: [] };

const INVENTORY_SHAPE = `expected:
  current-context: NAME            # optional
  clusters:
    - name: NAME
      kind: ${SYSTEM_KINDS.join('|')}
      endpoints: [http://HOST:PORT, ...]
      tls: {ca: PATH, cert: PATH, key: PATH}          # optional
      auth: {username: USER, passwordEnv: ENV_VAR}    # optional
      agents: [http://HOST:PORT, ...]                 # optional
      monitorUrls: [http://HOST:PORT/..., ...]       # optional (AdminServer, JMX exporter)
      kubernetes: {context: C, namespace: NS, workload: StatefulSet/NAME, pods: [POD, ...],
                   port: PORT, labels: {...}, reach: port-forward|direct}   # optional (discover --write)`;

interface Located {
  node: Node | undefined;
}

/** Parses inventory text; every problem is a UsageError naming file, line and column. */
export function parseInventory(text: string, source: string): Inventory {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const fail = (problem: string, node: Node | undefined, offset?: number): never => {
    const position = offset ?? node?.range?.[0] ?? 0;
    const { line, col } = lineCounter.linePos(position);
    throw new UsageError('INVENTORY_INVALID', `${source}:${line}:${col}: ${problem}`, {
      actions: [
        `fix ${source} (${INVENTORY_SHAPE})`,
        'quorumctl config view --config FILE shows how a valid file reads',
      ],
      details: { file: source, line, column: col },
    });
  };

  const syntaxError = document.errors[0];
  if (syntaxError !== undefined)
    fail(`YAML syntax error: ${firstLine(syntaxError.message)}`, undefined, syntaxError.pos[0]);
  if (document.contents === null) return { clusters: [] };
  const root = document.contents;
  if (!isMap(root)) return fail('the inventory must be a mapping with a "clusters" list', root);

  const pairOf = (key: string, map: YAMLMap) =>
    map.items.find((pair) => String((pair.key as { value?: unknown } | null)?.value) === key);
  const located = (key: string, map: YAMLMap): Located => ({
    node: pairOf(key, map)?.value as Node | undefined,
  });
  /** Unknown keys are reported where the key is written, not where its value starts. */
  const keyNode = (key: string, map: YAMLMap): Node | undefined =>
    pairOf(key, map)?.key as Node | undefined;
  const plain = root.toJSON() as Record<string, unknown>;
  for (const key of Object.keys(plain)) {
    if (!['apiVersion', 'kind', 'current-context', 'clusters'].includes(key)) {
      fail(`unknown key "${key}"`, keyNode(key, root));
    }
  }

  const clustersNode = located('clusters', root).node;
  const clusters: InventoryCluster[] = [];
  if (clustersNode !== undefined && !isSeq(clustersNode))
    fail('"clusters" must be a list', clustersNode);
  const seen = new Set<string>();
  for (const item of isSeq(clustersNode) ? clustersNode.items : []) {
    const itemNode = item as Node;
    if (!isMap(itemNode))
      return fail('each cluster must be a mapping with name, kind and endpoints', itemNode);
    const raw = itemNode.toJSON() as Record<string, unknown>;
    const at = (key: string): Node | undefined => located(key, itemNode).node ?? itemNode;
    for (const key of Object.keys(raw)) {
      if (
        ![
          'name',
          'kind',
          'endpoints',
          'tls',
          'auth',
          'agents',
          'monitorUrls',
          'sandbox',
          'kubernetes',
        ].includes(key)
      ) {
        fail(`unknown key "${key}" in a cluster`, keyNode(key, itemNode) ?? itemNode);
      }
    }
    const name = raw.name;
    if (typeof name !== 'string' || name === '')
      return fail('a cluster needs a "name" (a string)', at('name'));
    if (seen.has(name)) fail(`cluster "${name}" is defined twice`, at('name'));
    seen.add(name);
    const kind = raw.kind;
    if (typeof kind !== 'string' || !isSystemKind(kind)) {
      return fail(
        `cluster "${name}": "kind" must be one of ${SYSTEM_KINDS.join(', ')}, ${kind === undefined ? 'and is missing' : `got ${JSON.stringify(kind)}`}`,
        at('kind'),
      );
    }
    const endpoints = raw.endpoints;
    if (!isStringList(endpoints) || endpoints.length === 0) {
      return fail(
        `cluster "${name}": "endpoints" must be a non-empty list of URLs`,
        at('endpoints'),
      );
    }
    const endpointsNode = at('endpoints');
    endpoints.forEach((endpoint, index) => {
      if (!isUrl(endpoint)) {
        const entryNode = isSeq(endpointsNode)
          ? (endpointsNode.items[index] as Node)
          : endpointsNode;
        fail(
          `cluster "${name}": endpoint "${endpoint}" is not a URL (e.g. http://127.0.0.1:2379)`,
          entryNode,
        );
      }
    });
    const cluster: InventoryCluster = { name, kind, endpoints };
    if (raw.tls !== undefined)
      cluster.tls = parseTls(raw.tls, () =>
        fail(
          `cluster "${name}": "tls" takes ca, cert, key (file paths) and insecureSkipVerify`,
          at('tls'),
        ),
      );
    if (raw.auth !== undefined)
      cluster.auth = parseAuth(raw.auth, () =>
        fail(
          `cluster "${name}": "auth" takes username, passwordEnv and tokenEnv (environment variable names)`,
          at('auth'),
        ),
      );
    if (raw.agents !== undefined) {
      if (!isStringList(raw.agents) || !raw.agents.every(isUrl))
        return fail(`cluster "${name}": "agents" must be a list of URLs`, at('agents'));
      cluster.agents = raw.agents;
    }
    if (raw.monitorUrls !== undefined) {
      if (!isStringList(raw.monitorUrls) || !raw.monitorUrls.every(isUrl))
        return fail(`cluster "${name}": "monitorUrls" must be a list of URLs`, at('monitorUrls'));
      cluster.monitorUrls = raw.monitorUrls;
    }
    if (raw.sandbox !== undefined) {
      if (typeof raw.sandbox !== 'string')
        return fail(`cluster "${name}": "sandbox" must be a sandbox name`, at('sandbox'));
      cluster.sandbox = raw.sandbox;
    }
    if (raw.kubernetes !== undefined) {
      const reference = parseKubernetesReference(raw.kubernetes, endpoints.length);
      if (typeof reference === 'string')
        return fail(`cluster "${name}": "kubernetes" ${reference}`, at('kubernetes'));
      cluster.kubernetes = reference;
    }
    clusters.push(cluster);
  }

  const currentContext = plain['current-context'];
  const inventory: Inventory = { clusters };
  if (currentContext !== undefined && currentContext !== null) {
    if (typeof currentContext !== 'string')
      return fail(
        '"current-context" must be a cluster name',
        located('current-context', root).node,
      );
    if (!seen.has(currentContext)) {
      fail(
        `"current-context" names "${currentContext}", which is not among the clusters (${[...seen].join(', ') || 'none'})`,
        located('current-context', root).node,
      );
    }
    inventory.currentContext = currentContext;
  }
  return inventory;
}

export function serializeInventory(inventory: Inventory): string {
  const document: Record<string, unknown> = { apiVersion: 'quorumctl/v1', kind: 'Inventory' };
  if (inventory.currentContext !== undefined)
    document['current-context'] = inventory.currentContext;
  document.clusters = inventory.clusters;
  return stringify(document);
}

/** Adds or replaces a cluster by name; the first cluster added becomes the current context. */
export function upsertCluster(
  inventory: Inventory,
  cluster: InventoryCluster,
  makeCurrent = false,
): Inventory {
  const clusters = inventory.clusters.filter((existing) => existing.name !== cluster.name);
  clusters.push(cluster);
  const currentContext =
    makeCurrent || inventory.currentContext === undefined ? cluster.name : inventory.currentContext;
  return { clusters, currentContext };
}

export function removeCluster(inventory: Inventory, name: string): Inventory {
  const clusters = inventory.clusters.filter((existing) => existing.name !== name);
  const next: Inventory = { clusters };
  if (inventory.currentContext !== undefined && inventory.currentContext !== name)
    next.currentContext = inventory.currentContext;
  return next;
}

export function useContext(inventory: Inventory, name: string, source: string): Inventory {
  findCluster(inventory, name, source);
  return { ...inventory, currentContext: name };
}

export function findCluster(inventory: Inventory, name: string, source: string): InventoryCluster {
  const cluster = inventory.clusters.find((candidate) => candidate.name === name);
  if (cluster === undefined) {
    const known = inventory.clusters.map((candidate) => candidate.name);
    throw new UsageError('CLUSTER_UNKNOWN', `no cluster named "${name}" in ${source}`, {
      actions: [
        known.length > 0 ? `use one of: ${known.join(', ')}` : 'the inventory has no clusters yet',
        'quorumctl config add-cluster NAME --kind etcd --endpoints http://HOST:2379',
        'or pass --endpoints etcd://HOST:2379 for an ad-hoc target',
      ],
      details: { cluster: name, inventory: source, known },
    });
  }
  return cluster;
}

function parseTls(value: unknown, fail: () => never): TlsReference {
  if (!isRecord(value)) return fail();
  const tls: TlsReference = {};
  for (const [key, entry] of Object.entries(value)) {
    if ((key === 'ca' || key === 'cert' || key === 'key') && typeof entry === 'string')
      tls[key] = entry;
    else if (key === 'insecureSkipVerify' && typeof entry === 'boolean')
      tls.insecureSkipVerify = entry;
    else fail();
  }
  return tls;
}

function parseAuth(value: unknown, fail: () => never): AuthReference {
  if (!isRecord(value)) return fail();
  const auth: AuthReference = {};
  for (const [key, entry] of Object.entries(value)) {
    if (
      (key === 'username' || key === 'passwordEnv' || key === 'tokenEnv') &&
      typeof entry === 'string'
    )
      auth[key] = entry;
    else fail();
  }
  return auth;
}

/** The reference, or what is wrong with it (the caller positions the message). */
function parseKubernetesReference(
  value: unknown,
  endpointCount: number,
): KubernetesReference | string {
  if (!isRecord(value)) return 'must be a mapping (namespace, workload, pods, port, labels)';
  const known = [
    'context',
    'namespace',
    'workload',
    'pods',
    'port',
    'labels',
    'container',
    'reach',
    'tlsSecret',
  ];
  const unknown = Object.keys(value).find((key) => !known.includes(key));
  if (unknown !== undefined) return `has an unknown key "${unknown}" (known: ${known.join(', ')})`;
  const { context, namespace, workload, pods, port, labels, container, reach, tlsSecret } = value;
  if (typeof namespace !== 'string' || namespace === '') return 'needs a "namespace"';
  if (typeof workload !== 'string' || workload === '')
    return 'needs a "workload" (e.g. StatefulSet/zk)';
  if (!isStringList(pods) || pods.length !== endpointCount)
    return `"pods" must list one pod per endpoint (${endpointCount})`;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    return '"port" must be the pod port the endpoints use (1-65535)';
  if (!isRecord(labels) || !Object.values(labels).every((entry) => typeof entry === 'string'))
    return '"labels" must map label names to strings';
  if (reach !== undefined && reach !== 'direct' && reach !== 'port-forward')
    return '"reach" must be port-forward or direct';
  for (const [key, entry] of Object.entries({ context, container, tlsSecret }))
    if (entry !== undefined && typeof entry !== 'string') return `"${key}" must be a string`;
  return {
    ...(typeof context === 'string' && { context }),
    namespace,
    workload,
    pods,
    port,
    labels: labels as Record<string, string>,
    ...(typeof container === 'string' && { container }),
    ...(reach !== undefined && { reach }),
    ...(typeof tlsSecret === 'string' && { tlsSecret }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
}

/** A URL with a host: "localhost:2379" parses as scheme "localhost:" and must not pass. */
function isUrl(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && url.hostname !== '';
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
