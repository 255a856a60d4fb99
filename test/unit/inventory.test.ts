// The inventory: parsing with positioned errors, serialization round trips and edits.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { UsageError } from '../../core/errors.js';
import {
  EMPTY_INVENTORY,
  findCluster,
  parseInventory,
  removeCluster,
  serializeInventory,
  upsertCluster,
  useContext,
  type Inventory,
  type InventoryCluster,
} from '../../core/inventory.js';
import { SYSTEM_KINDS } from '../../core/model.js';

const FILE = '/home/op/.config/quorumctl/config.yaml';

const FULL: Inventory = {
  currentContext: 'staging',
  clusters: [
    { name: 'prod', kind: 'etcd', endpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'] },
    {
      name: 'staging',
      kind: 'zookeeper',
      endpoints: ['https://zk.example.com:2181'],
      tls: { ca: '/etc/ca.pem', cert: '/etc/c.pem', key: '/etc/k.pem', insecureSkipVerify: true },
      auth: { username: 'root', passwordEnv: 'ZK_PASSWORD', tokenEnv: 'ZK_TOKEN' },
      agents: ['http://10.0.0.9:9100'],
      monitorUrls: ['http://zk.example.com:8080/commands'],
      sandbox: 'demo',
    },
  ],
};

/** Runs parseInventory and returns the UsageError it must throw. */
function parseError(text: string): UsageError {
  try {
    parseInventory(text, FILE);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    assert.equal(error.code, 'INVENTORY_INVALID');
    return error;
  }
  assert.fail(`expected INVENTORY_INVALID for:\n${text}`);
}

/** Asserts the error message starts with FILE:LINE:COL: and the problem text. */
function assertPositioned(text: string, line: number, column: number, problem: string | RegExp) {
  const error = parseError(text);
  const prefix = `${FILE}:${line}:${column}: `;
  assert.ok(error.message.startsWith(prefix), `"${error.message}" should start with "${prefix}"`);
  const rest = error.message.slice(prefix.length);
  if (typeof problem === 'string') assert.equal(rest, problem);
  else assert.match(rest, problem);
  assert.deepEqual(error.details, { file: FILE, line, column });
  assert.equal(error.exitCode, 2);
  assert.ok(error.actions.some((action) => action.startsWith(`fix ${FILE} (expected:`)));
  return error;
}

const ONE_CLUSTER = `clusters:
  - name: a
    kind: etcd
    endpoints: [http://a:2379]
`;

describe('parseInventory: valid files', () => {
  test('a full file round-trips through serialize -> parse', () => {
    const text = serializeInventory(FULL);
    assert.deepEqual(parseInventory(text, FILE), FULL);
    assert.match(text, /^apiVersion: quorumctl\/v1\nkind: Inventory\ncurrent-context: staging\n/);
  });

  test('property: generated inventories round-trip', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
    const endpoint = fc
      .tuple(fc.constantFrom('http', 'https'), fc.domain(), fc.integer({ min: 1, max: 65535 }))
      .map(([scheme, host, port]) => `${scheme}://${host}:${port}`);
    const clusterArb = fc.record(
      {
        name,
        kind: fc.constantFrom(...SYSTEM_KINDS),
        endpoints: fc.array(endpoint, { minLength: 1, maxLength: 4 }),
        tls: fc.record(
          {
            ca: fc.string(),
            cert: fc.string(),
            key: fc.string(),
            insecureSkipVerify: fc.boolean(),
          },
          { requiredKeys: [], noNullPrototype: true },
        ),
        auth: fc.record(
          { username: fc.string(), passwordEnv: fc.string(), tokenEnv: fc.string() },
          { requiredKeys: [], noNullPrototype: true },
        ),
        agents: fc.array(endpoint, { maxLength: 2 }),
        monitorUrls: fc.array(endpoint, { maxLength: 2 }),
        sandbox: fc.string(),
      },
      { requiredKeys: ['name', 'kind', 'endpoints'], noNullPrototype: true },
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(clusterArb, { selector: (cluster) => cluster.name, maxLength: 4 }),
        fc.boolean(),
        (clusters, withContext) => {
          const inventory: Inventory = { clusters };
          const first = clusters[0];
          if (withContext && first !== undefined) inventory.currentContext = first.name;
          assert.deepEqual(parseInventory(serializeInventory(inventory), FILE), inventory);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('an empty file, or only comments, has no clusters', () => {
    assert.deepEqual(parseInventory('', FILE), { clusters: [] });
    assert.deepEqual(parseInventory('# nothing yet\n', FILE), { clusters: [] });
    assert.deepEqual(parseInventory(serializeInventory(EMPTY_INVENTORY), FILE), { clusters: [] });
  });

  test('apiVersion and kind are accepted; clusters may be absent', () => {
    assert.deepEqual(parseInventory('apiVersion: quorumctl/v1\nkind: Inventory\n', FILE), {
      clusters: [],
    });
  });

  test('a null current-context means none', () => {
    assert.deepEqual(parseInventory(`current-context:\n${ONE_CLUSTER}`, FILE), {
      clusters: [{ name: 'a', kind: 'etcd', endpoints: ['http://a:2379'] }],
    });
  });
});

describe('parseInventory: errors name FILE:LINE:COL', () => {
  test('YAML syntax error: a mis-indented sequence item', () => {
    assertPositioned(
      'clusters:\n  - name: a\n   kind: [etcd\n',
      3,
      1,
      /^YAML syntax error: Sequence item without - indicator$/,
    );
  });

  test('YAML syntax error: a duplicate key points at the second one', () => {
    assertPositioned(
      'clusters: []\nclusters: []\n',
      2,
      1,
      'YAML syntax error: Map keys must be unique',
    );
  });

  test('YAML syntax error: mapping items out of column', () => {
    assertPositioned(
      `${ONE_CLUSTER}  bad: : x\n`,
      5,
      1,
      /^YAML syntax error: All mapping items must start at the same column/,
    );
  });

  test('root not a mapping: a list, or a scalar', () => {
    const problem = 'the inventory must be a mapping with a "clusters" list';
    assertPositioned('- a\n- b\n', 1, 1, problem);
    assertPositioned('\n\nhello\n', 3, 1, problem);
  });

  test('unknown top-level key: names the key, on its line', () => {
    const error = parseError(`${ONE_CLUSTER}colour: red\n`);
    assert.ok(error.message.startsWith(`${FILE}:5:`), error.message);
    assert.ok(error.message.endsWith(': unknown key "colour"'), error.message);
    assert.equal(error.details.line, 5);
  });

  test('unknown keys point at the key itself (top level and in a cluster)', () => {
    assertPositioned(`${ONE_CLUSTER}colour: red\n`, 5, 1, 'unknown key "colour"');
    assertPositioned(`${ONE_CLUSTER}extra:\n  foo: bar\n`, 5, 1, 'unknown key "extra"');
    assertPositioned(`${ONE_CLUSTER}    colour: red\n`, 5, 5, 'unknown key "colour" in a cluster');
  });

  test('clusters not a list: a scalar or a mapping', () => {
    const problem = '"clusters" must be a list';
    assertPositioned('clusters: nope\n', 1, 11, problem);
    assertPositioned('clusters:\n  a: b\n', 2, 3, problem);
  });

  test('a cluster that is not a mapping', () => {
    assertPositioned(
      'clusters:\n  - just-a-name\n',
      2,
      5,
      'each cluster must be a mapping with name, kind and endpoints',
    );
  });

  test('cluster missing its name: points at the cluster', () => {
    assertPositioned(
      'clusters:\n  - name: a\n    kind: etcd\n    endpoints: [http://a:1]\n  - kind: etcd\n    endpoints: [http://b:1]\n',
      5,
      5,
      'a cluster needs a "name" (a string)',
    );
  });

  test('cluster name not a string: points at the name', () => {
    assertPositioned(
      'clusters:\n  - name: 42\n    kind: etcd\n',
      2,
      11,
      'a cluster needs a "name" (a string)',
    );
  });

  test('duplicate cluster name: points at the second name', () => {
    assertPositioned(
      `${ONE_CLUSTER}${ONE_CLUSTER.replace('clusters:\n', '')}`,
      5,
      11,
      'cluster "a" is defined twice',
    );
  });

  test('bad kind: points at the kind and lists the valid kinds', () => {
    const error = assertPositioned(
      ONE_CLUSTER.replace('kind: etcd', 'kind: etcdd'),
      3,
      11,
      'cluster "a": "kind" must be one of etcd, zookeeper, kraft, nats, tikv, cockroach, consul, got "etcdd"',
    );
    for (const kind of SYSTEM_KINDS) assert.ok(error.message.includes(kind), kind);
  });

  test('missing kind: points at the cluster', () => {
    assertPositioned(
      ONE_CLUSTER.replace('    kind: etcd\n', ''),
      2,
      5,
      /^cluster "a": "kind" must be one of etcd, zookeeper, /,
    );
  });

  test('empty endpoints, missing endpoints, or endpoints not a list', () => {
    const problem = 'cluster "a": "endpoints" must be a non-empty list of URLs';
    assertPositioned(ONE_CLUSTER.replace('[http://a:2379]', '[]'), 4, 16, problem);
    assertPositioned(ONE_CLUSTER.replace('[http://a:2379]', 'http://a:2379'), 4, 16, problem);
    assertPositioned(ONE_CLUSTER.replace('    endpoints: [http://a:2379]\n', ''), 2, 5, problem);
  });

  test('endpoint not a URL: names the endpoint, on the endpoints line', () => {
    const error = parseError(ONE_CLUSTER.replace('[http://a:2379]', '[not a url]'));
    assert.equal(error.details.line, 4);
    assert.ok(error.message.startsWith(`${FILE}:4:`), error.message);
    assert.ok(
      error.message.endsWith(
        ': cluster "a": endpoint "not a url" is not a URL (e.g. http://127.0.0.1:2379)',
      ),
      error.message,
    );
  });

  test('endpoint not a URL: points at the offending entry of a list', () => {
    const block =
      'clusters:\n  - name: a\n    kind: etcd\n    endpoints:\n      - http://a:1\n      - nope\n';
    assertPositioned(block, 6, 9, /^cluster "a": endpoint "nope" is not a URL/);
    const flow = ONE_CLUSTER.replace('[http://a:2379]', '[http://a:2379, nope]');
    assertPositioned(flow, 4, 32, /^cluster "a": endpoint "nope" is not a URL/);
    const single = ONE_CLUSTER.replace('[http://a:2379]', '[not a url]');
    assertPositioned(single, 4, 17, /^cluster "a": endpoint "not a url" is not a URL/);
  });

  test('endpoint without a scheme (host:port) is not a URL', () => {
    const error = parseError(ONE_CLUSTER.replace('[http://a:2379]', '[localhost:2379]'));
    assert.ok(error.message.startsWith(`${FILE}:4:17:`), error.message);
    assert.match(error.message, /: cluster "a": endpoint "localhost:2379" is not a URL/);
  });

  test('bad tls: an unknown key, a wrong type, or not a mapping', () => {
    const problem = 'cluster "a": "tls" takes ca, cert, key (file paths) and insecureSkipVerify';
    assertPositioned(`${ONE_CLUSTER}    tls: {ca: /ca.pem, pem: /x}\n`, 5, 10, problem);
    assertPositioned(`${ONE_CLUSTER}    tls: {insecureSkipVerify: "yes"}\n`, 5, 10, problem);
    assertPositioned(`${ONE_CLUSTER}    tls: true\n`, 5, 10, problem);
  });

  test('bad auth: a password in the file, or not a mapping', () => {
    const problem =
      'cluster "a": "auth" takes username, passwordEnv and tokenEnv (environment variable names)';
    assertPositioned(`${ONE_CLUSTER}    auth: {password: hunter2}\n`, 5, 11, problem);
    assertPositioned(`${ONE_CLUSTER}    auth: [root]\n`, 5, 11, problem);
  });

  test('bad agents, monitor URLs and sandbox', () => {
    assertPositioned(
      `${ONE_CLUSTER}    agents: [nope]\n`,
      5,
      13,
      'cluster "a": "agents" must be a list of URLs',
    );
    assertPositioned(
      `${ONE_CLUSTER}    monitorUrls: 8080\n`,
      5,
      18,
      'cluster "a": "monitorUrls" must be a list of URLs',
    );
    assertPositioned(
      `${ONE_CLUSTER}    sandbox: [x]\n`,
      5,
      14,
      'cluster "a": "sandbox" must be a sandbox name',
    );
  });

  test('current-context naming an unknown cluster lists the known ones', () => {
    assertPositioned(
      `current-context: b\n${ONE_CLUSTER}`,
      1,
      18,
      '"current-context" names "b", which is not among the clusters (a)',
    );
    assertPositioned(
      'clusters: []\ncurrent-context: prod\n',
      2,
      18,
      '"current-context" names "prod", which is not among the clusters (none)',
    );
  });

  test('current-context not a string', () => {
    assertPositioned(
      `current-context: [a]\n${ONE_CLUSTER}`,
      1,
      18,
      '"current-context" must be a cluster name',
    );
  });

  test('the source name is used verbatim in the message', () => {
    assert.throws(() => parseInventory('- a\n', 'inline.yaml'), {
      message: /^inline\.yaml:1:1: /,
    });
  });
});

describe('inventory edits', () => {
  const a: InventoryCluster = { name: 'a', kind: 'etcd', endpoints: ['http://a:1'] };
  const b: InventoryCluster = { name: 'b', kind: 'zookeeper', endpoints: ['http://b:1'] };

  test('upsertCluster: the first cluster becomes the current context', () => {
    const next = upsertCluster(EMPTY_INVENTORY, a);
    assert.deepEqual(next, { clusters: [a], currentContext: 'a' });
    assert.deepEqual(EMPTY_INVENTORY, { clusters: [] }, 'the input is not mutated');
  });

  test('upsertCluster: later clusters keep the current context unless makeCurrent', () => {
    const two = upsertCluster(upsertCluster(EMPTY_INVENTORY, a), b);
    assert.equal(two.currentContext, 'a');
    assert.deepEqual(
      two.clusters.map((cluster) => cluster.name),
      ['a', 'b'],
    );
    assert.equal(upsertCluster(two, { ...b, endpoints: ['http://b:2'] }, true).currentContext, 'b');
  });

  test('upsertCluster replaces a cluster of the same name instead of adding one', () => {
    const two = upsertCluster(upsertCluster(EMPTY_INVENTORY, a), b);
    const replaced = upsertCluster(two, { ...a, endpoints: ['http://a:9'] });
    assert.equal(replaced.clusters.length, 2);
    assert.deepEqual(findCluster(replaced, 'a', FILE).endpoints, ['http://a:9']);
  });

  test('removeCluster drops it, and the current context if it was that one', () => {
    const two: Inventory = { currentContext: 'a', clusters: [a, b] };
    assert.deepEqual(removeCluster(two, 'a'), { clusters: [b] });
    assert.deepEqual(removeCluster(two, 'b'), { clusters: [a], currentContext: 'a' });
    assert.deepEqual(removeCluster(two, 'zzz'), two);
    assert.deepEqual(two.clusters, [a, b], 'the input is not mutated');
  });

  test('useContext switches to a known cluster and refuses an unknown one', () => {
    const two: Inventory = { currentContext: 'a', clusters: [a, b] };
    assert.deepEqual(useContext(two, 'b', FILE), { currentContext: 'b', clusters: [a, b] });
    assert.throws(() => useContext(two, 'c', FILE), { code: 'CLUSTER_UNKNOWN' });
    assert.equal(two.currentContext, 'a');
  });

  test('findCluster returns the cluster by name', () => {
    assert.equal(findCluster({ clusters: [a, b] }, 'b', FILE), b);
  });

  test('findCluster unknown: UsageError CLUSTER_UNKNOWN listing the known names', () => {
    let caught: unknown;
    try {
      findCluster({ clusters: [a, b] }, 'nope', FILE);
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof UsageError);
    assert.equal(caught.code, 'CLUSTER_UNKNOWN');
    assert.equal(caught.message, `no cluster named "nope" in ${FILE}`);
    assert.equal(caught.actions[0], 'use one of: a, b');
    assert.deepEqual(caught.details, { cluster: 'nope', inventory: FILE, known: ['a', 'b'] });
  });

  test('findCluster in an empty inventory says there are no clusters yet', () => {
    assert.throws(
      () => findCluster(EMPTY_INVENTORY, 'nope', FILE),
      (error: unknown) =>
        error instanceof UsageError &&
        error.code === 'CLUSTER_UNKNOWN' &&
        error.actions[0] === 'the inventory has no clusters yet',
    );
  });
});

describe('parseInventory: the kubernetes reference of a discovered cluster', () => {
  const discovered: InventoryCluster = {
    name: 'prod.data.zk',
    kind: 'zookeeper',
    endpoints: [
      'http://zk-0.zk-headless.data.svc.cluster.local:2181',
      'http://zk-1.zk-headless.data.svc.cluster.local:2181',
    ],
    kubernetes: {
      context: 'prod',
      namespace: 'data',
      workload: 'StatefulSet/zk',
      pods: ['zk-0', 'zk-1'],
      port: 2181,
      labels: { 'app.kubernetes.io/name': 'zookeeper', 'app.kubernetes.io/instance': 'zk' },
      container: 'zookeeper',
      reach: 'port-forward',
      tlsSecret: 'zk-tls',
    },
  };

  test('round-trips through serialize -> parse', () => {
    const inventory: Inventory = { currentContext: discovered.name, clusters: [discovered] };
    assert.deepEqual(parseInventory(serializeInventory(inventory), FILE), inventory);
  });

  const withReference = (reference: string) =>
    `clusters:\n  - name: a\n    kind: etcd\n    endpoints: [http://a:2379]\n    kubernetes: ${reference}\n`;

  test('one pod per endpoint, a valid port, known keys: each problem named at the reference', () => {
    assertPositioned(
      withReference(
        '{namespace: db, workload: StatefulSet/a, pods: [a-0, a-1], port: 2379, labels: {}}',
      ),
      5,
      17,
      'cluster "a": "kubernetes" "pods" must list one pod per endpoint (1)',
    );
    assertPositioned(
      withReference('{namespace: db, workload: StatefulSet/a, pods: [a-0], port: 0, labels: {}}'),
      5,
      17,
      /"port" must be the pod port/,
    );
    assertPositioned(
      withReference(
        '{namespace: db, workload: StatefulSet/a, pods: [a-0], port: 2379, labels: {}, reach: tunnel}',
      ),
      5,
      17,
      /"reach" must be port-forward or direct/,
    );
    assertPositioned(
      withReference(
        '{namespace: db, workload: StatefulSet/a, pods: [a-0], port: 2379, labels: {}, selector: x}',
      ),
      5,
      17,
      /unknown key "selector"/,
    );
  });
});
