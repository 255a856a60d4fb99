/** `quorumctl discover` in process against a nock API server serving the recorded-shaped fixtures. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nock from 'nock';
import type { DiscoveredCluster } from '../../core/discovery/model.js';
import {
  configMapKey,
  configMapsToRead,
  recogniseClusters,
} from '../../core/discovery/recognise.js';
import { parseInventory } from '../../core/inventory.js';
import type { ConfigMap, Pod, StatefulSet } from '../../core/kubernetes/objects.js';
import type { DiscoveryOutcome } from '../../ops/discover.js';
import { REPO_ROOT } from '../support/cli.js';
import { runInProcess } from '../support/cli-in-process.js';
import {
  FAKE_API_SERVER,
  forbiddenBody,
  interceptKubernetesApi,
  listBody,
  statusBody,
  writeKubeconfig,
} from '../support/kube-fake.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'kubernetes');

interface Shape {
  dir: string;
  namespace: string;
  pods: Pod[];
  statefulSets: StatefulSet[];
  configMaps: Map<string, ConfigMap>;
}

async function readJson<T>(...path: string[]): Promise<T> {
  return JSON.parse(await readFile(join(FIXTURES, ...path), 'utf8')) as T;
}

async function loadShape(dir: string, namespace: string): Promise<Shape> {
  const pods = (await readJson<{ items: Pod[] }>(dir, 'pods.json')).items;
  const statefulSets = (await readJson<{ items: StatefulSet[] }>(dir, 'statefulsets.json')).items;
  const configMaps = new Map<string, ConfigMap>();
  for (const { name } of configMapsToRead(statefulSets))
    configMaps.set(name, await readJson<ConfigMap>(dir, `configmap-${name}.json`));
  return { dir, namespace, pods, statefulSets, configMaps };
}

/** What the recognisers make of a shape on their own: the CLI must print exactly this. */
function expectedClusters(context: string, shapes: Shape[]): DiscoveredCluster[] {
  const configMaps = new Map<string, ConfigMap>();
  for (const shape of shapes)
    for (const [name, map] of shape.configMaps)
      configMaps.set(configMapKey(shape.namespace, name), map);
  return recogniseClusters({
    context,
    pods: shapes.flatMap((shape) => shape.pods),
    statefulSets: shapes.flatMap((shape) => shape.statefulSets),
    configMaps,
  }).clusters;
}

function namespaceBody(name: string): Record<string, unknown> {
  return { kind: 'Namespace', apiVersion: 'v1', metadata: { name }, status: { phase: 'Active' } };
}

/** The calls discover makes in one namespace; `namespaceForbidden`: the existence check gets a 403. */
function serveNamespace(shape: Shape, options: { namespaceForbidden?: boolean } = {}): nock.Scope {
  const ns = shape.namespace;
  let scope = nock(FAKE_API_SERVER)
    .get(`/api/v1/namespaces/${ns}`)
    .reply(
      options.namespaceForbidden === true ? 403 : 200,
      options.namespaceForbidden === true
        ? forbiddenBody('get', 'namespaces', '', ns)
        : namespaceBody(ns),
    )
    .get(`/api/v1/namespaces/${ns}/pods`)
    .query(true)
    .reply(200, listBody('PodList', 'v1', shape.pods))
    .get(`/apis/apps/v1/namespaces/${ns}/statefulsets`)
    .query(true)
    .reply(200, listBody('StatefulSetList', 'apps/v1', shape.statefulSets));
  for (const [name, map] of shape.configMaps)
    scope = scope.get(`/api/v1/namespaces/${ns}/configmaps/${name}`).reply(200, map);
  return scope;
}

function parseOutcome(stdout: string): DiscoveryOutcome {
  const envelope = JSON.parse(stdout) as { kind: string; status: number; result: DiscoveryOutcome };
  assert.equal(envelope.kind, 'DiscoveryReport');
  return envelope.result;
}

const SHAPES = [
  { dir: 'kubeadm', namespace: 'kube-system', cluster: 'prod.kube-system.etcd', kind: 'etcd' },
  {
    dir: 'strimzi-kraft',
    namespace: 'kafka',
    cluster: 'prod.kafka.my-cluster-controller',
    kind: 'kraft',
  },
  {
    dir: 'bitnami-zookeeper',
    namespace: 'data',
    cluster: 'prod.data.zk-zookeeper',
    kind: 'zookeeper',
  },
  { dir: 'nats-helm', namespace: 'messaging', cluster: 'prod.messaging.nats', kind: 'nats' },
  {
    dir: 'bitnami-kafka',
    namespace: 'streaming',
    cluster: 'prod.streaming.events-kafka-controller',
    kind: 'kraft',
    // The release's brokers are not quorum members.
    skipped: ['StatefulSet/events-kafka-broker'],
  },
] as const;

describe('quorumctl discover (nock API server)', () => {
  interceptKubernetesApi();
  let dir: string;
  let kubeconfig: string;
  const shapes = new Map<string, Shape>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quorumctl-discover-'));
    kubeconfig = await writeKubeconfig(dir, [{ name: 'prod', namespace: 'data' }]);
    for (const shape of [...SHAPES, { dir: 'mixed', namespace: 'mixed' }])
      shapes.set(shape.dir, await loadShape(shape.dir, shape.namespace));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const shapeOf = (name: string): Shape => {
    const shape = shapes.get(name);
    assert.ok(shape, name);
    return shape;
  };

  for (const expected of SHAPES) {
    const { dir: shapeDir, namespace, cluster, kind } = expected;
    const skipped: readonly string[] = 'skipped' in expected ? expected.skipped : [];
    it(`${shapeDir}: discover -n ${namespace} -o json finds ${cluster}`, async () => {
      const shape = shapeOf(shapeDir);
      const scope = serveNamespace(shape);
      const result = await runInProcess([
        'discover',
        '--kubeconfig',
        kubeconfig,
        '-n',
        namespace,
        '-o',
        'json',
      ]);
      assert.equal(result.code, 0, result.stderr);
      const outcome = parseOutcome(result.stdout);
      assert.equal(outcome.context, 'prod');
      assert.equal(outcome.server, FAKE_API_SERVER);
      assert.deepEqual(outcome.namespaces, [namespace]);
      assert.deepEqual(
        outcome.clusters.map((found) => [found.name, found.kind, found.members.length]),
        [[cluster, kind, 3]],
      );
      assert.deepEqual(outcome.clusters, expectedClusters('prod', [shape]));
      assert.deepEqual(
        outcome.skipped.map((skip) => skip.workload),
        skipped,
      );
      assert.ok(scope.isDone(), `pending: ${scope.pendingMocks().join(', ')}`);
    });
  }

  it('the table names each cluster, its members and endpoints, and suggests --write', async () => {
    const scope = serveNamespace(shapeOf('bitnami-zookeeper'));
    const result = await runInProcess(['discover', '--kubeconfig', kubeconfig]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /Context prod \(https:\/\/k8s\.fake\.invalid:6443\), namespace data: 1 cluster found/,
    );
    assert.match(
      result.stdout,
      /prod\.data\.zk-zookeeper {2}zookeeper {2}bitnami {2}StatefulSet\/zk-zookeeper {2}reach: port-forward/,
    );
    assert.match(
      result.stdout,
      /zk-zookeeper-2 +http:\/\/zk-zookeeper-2\.zk-zookeeper-headless\.data\.svc\.cluster\.local:2181 +worker-3 +yes/,
    );
    assert.match(result.stdout, /Add them to the inventory with --write/);
    assert.ok(scope.isDone());
  });

  it('--write adds the clusters to the inventory, keeping other clusters and the current context', async () => {
    const configPath = join(dir, 'write', 'quorumctl.yaml');
    await runInProcess([
      'config',
      'add-cluster',
      'local',
      '--endpoints',
      'etcd://127.0.0.1:2379',
      '--use',
      '--config',
      configPath,
    ]);
    const before = parseInventory(await readFile(configPath, 'utf8'), configPath);
    assert.equal(before.currentContext, 'local');

    for (const round of ['added', 'replaced'] as const) {
      const scope = serveNamespace(shapeOf('nats-helm'));
      const result = await runInProcess([
        'discover',
        '--kubeconfig',
        kubeconfig,
        '-n',
        'messaging',
        '--write',
        '--config',
        configPath,
        '-o',
        'json',
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(parseOutcome(result.stdout).inventory, {
        path: configPath,
        entries: [{ name: 'prod.messaging.nats', action: round }],
      });
      assert.ok(scope.isDone());
    }
    const inventory = parseInventory(await readFile(configPath, 'utf8'), configPath);
    assert.equal(inventory.currentContext, 'local');
    assert.deepEqual(
      inventory.clusters.map((cluster) => cluster.name),
      ['local', 'prod.messaging.nats'],
    );
    assert.deepEqual(inventory.clusters[1], {
      name: 'prod.messaging.nats',
      kind: 'nats',
      endpoints: [0, 1, 2].map(
        (n) => `http://nats-${n}.nats-headless.messaging.svc.cluster.local:8222`,
      ),
      kubernetes: {
        context: 'prod',
        namespace: 'messaging',
        workload: 'StatefulSet/nats',
        pods: ['nats-0', 'nats-1', 'nats-2'],
        port: 8222,
        labels: {
          'app.kubernetes.io/component': 'nats',
          'app.kubernetes.io/instance': 'nats',
          'app.kubernetes.io/managed-by': 'Helm',
          'app.kubernetes.io/name': 'nats',
        },
        container: 'nats',
        reach: 'port-forward',
      },
    });
  });

  it('--write of a table run says what was written and how to use it', async () => {
    const configPath = join(dir, 'write-table', 'quorumctl.yaml');
    const scope = serveNamespace(shapeOf('strimzi-kraft'));
    const result = await runInProcess([
      'discover',
      '--kubeconfig',
      kubeconfig,
      '-n',
      'kafka',
      '--write',
      '--config',
      configPath,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`Inventory ${configPath}: 1 entry written`));
    assert.match(result.stdout, /added +prod\.kafka\.my-cluster-controller/);
    assert.match(result.stdout, /quorumctl status --cluster prod\.kafka\.my-cluster-controller/);
    const inventory = parseInventory(await readFile(configPath, 'utf8'), configPath);
    assert.equal(inventory.clusters[0]?.kubernetes?.tlsSecret, 'my-cluster-cluster-ca-cert');
    assert.ok(scope.isDone());
  });

  it('-A searches every namespace: control-plane etcd and every shape at once', async () => {
    const all = [...shapes.values()];
    let scope = nock(FAKE_API_SERVER)
      .get('/api/v1/pods')
      .query(true)
      .reply(
        200,
        listBody(
          'PodList',
          'v1',
          all.flatMap((shape) => shape.pods),
        ),
      )
      .get('/apis/apps/v1/statefulsets')
      .query(true)
      .reply(
        200,
        listBody(
          'StatefulSetList',
          'apps/v1',
          all.flatMap((shape) => shape.statefulSets),
        ),
      );
    for (const shape of all)
      for (const [name, map] of shape.configMaps)
        scope = scope
          .get(`/api/v1/namespaces/${shape.namespace}/configmaps/${name}`)
          .reply(200, map);
    const result = await runInProcess(['discover', '--kubeconfig', kubeconfig, '-A', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const outcome = parseOutcome(result.stdout);
    assert.equal(outcome.namespaces, 'all');
    assert.deepEqual(
      outcome.clusters.map((cluster) => cluster.name),
      [
        'prod.data.zk-zookeeper',
        'prod.kafka.my-cluster-controller',
        'prod.kube-system.etcd',
        'prod.messaging.nats',
        'prod.mixed.config-etcd',
        'prod.mixed.coord-zookeeper',
        'prod.streaming.events-kafka-controller',
      ],
    );
    assert.deepEqual(outcome.clusters, expectedClusters('prod', all));
    assert.deepEqual(
      outcome.skipped.map((skip) => skip.workload),
      ['StatefulSet/events-nats', 'StatefulSet/legacy-zk', 'StatefulSet/events-kafka-broker'],
    );
    assert.ok(scope.isDone(), `pending: ${scope.pendingMocks().join(', ')}`);
  });

  it('a 403 on list statefulsets exits 7 naming the verb, the resource and the RBAC doc', async () => {
    const scope = nock(FAKE_API_SERVER)
      .get('/api/v1/namespaces/data')
      .reply(200, namespaceBody('data'))
      .get('/api/v1/namespaces/data/pods')
      .query(true)
      .reply(200, listBody('PodList', 'v1', []))
      .get('/apis/apps/v1/namespaces/data/statefulsets')
      .query(true)
      .reply(403, forbiddenBody('list', 'statefulsets', 'apps', 'data'));
    const result = await runInProcess(['discover', '--kubeconfig', kubeconfig, '-n', 'data']);
    assert.equal(result.code, 7, result.stderr);
    assert.match(result.stderr, /KUBERNETES_FORBIDDEN/);
    assert.match(result.stderr, /\blist\b/);
    assert.match(result.stderr, /statefulsets/);
    assert.match(result.stderr, /docs\/kubernetes-rbac\.md#discover/);
    assert.ok(scope.isDone());
  });

  it('--cluster-domain names the members under it; a malformed one exits 2 before any call', async () => {
    const scope = serveNamespace(shapeOf('bitnami-zookeeper'));
    const result = await runInProcess([
      'discover',
      '--kubeconfig',
      kubeconfig,
      '-n',
      'data',
      '--cluster-domain',
      'k8s.example.com',
      '-o',
      'json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(scope.isDone(), `pending: ${scope.pendingMocks().join(', ')}`);
    assert.deepEqual(
      parseOutcome(result.stdout).clusters[0]?.members.map((member) => member.endpoint),
      [0, 1, 2].map(
        (n) => `http://zk-zookeeper-${n}.zk-zookeeper-headless.data.svc.k8s.example.com:2181`,
      ),
    );
    // No interceptor: a call would fail the run with another error than the flag's.
    const bad = await runInProcess([
      'discover',
      '--kubeconfig',
      kubeconfig,
      '--cluster-domain',
      'svc..local',
    ]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /CLUSTER_DOMAIN_INVALID/);
    assert.match(bad.stderr, /--cluster-domain "svc\.\.local" is not a DNS domain/);
  });

  it('get namespaces forbidden: the search goes on, with a warning naming the permission', async () => {
    const scope = serveNamespace(shapeOf('bitnami-zookeeper'), { namespaceForbidden: true });
    const json = await runInProcess([
      'discover',
      '--kubeconfig',
      kubeconfig,
      '-n',
      'data',
      '-o',
      'json',
    ]);
    assert.equal(json.code, 0, json.stderr);
    assert.ok(scope.isDone(), `pending: ${scope.pendingMocks().join(', ')}`);
    const outcome = parseOutcome(json.stdout);
    assert.deepEqual(
      outcome.clusters.map((cluster) => cluster.name),
      ['prod.data.zk-zookeeper'],
    );
    assert.equal(outcome.warnings?.length, 1);
    assert.match(outcome.warnings?.[0] ?? '', /namespace "data" exists was not checked/);
    assert.match(outcome.warnings?.[0] ?? '', /get.*namespaces/);
    serveNamespace(shapeOf('bitnami-zookeeper'), { namespaceForbidden: true });
    const table = await runInProcess(['discover', '--kubeconfig', kubeconfig, '-n', 'data']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Warning: whether namespace "data" exists was not checked/m);
  });

  it('a namespace that does not exist exits 2', async () => {
    const scope = nock(FAKE_API_SERVER)
      .get('/api/v1/namespaces/nope')
      .reply(
        404,
        statusBody(404, 'NotFound', 'namespaces "nope" not found', {
          name: 'nope',
          kind: 'namespaces',
        }),
      );
    const result = await runInProcess([
      'discover',
      '--kubeconfig',
      kubeconfig,
      '-n',
      'nope',
      '-o',
      'json',
    ]);
    assert.equal(result.code, 2, result.stdout);
    const envelope = JSON.parse(result.stdout) as { error: { code: string; message: string } };
    assert.equal(envelope.error.code, 'NAMESPACE_NOT_FOUND');
    assert.match(envelope.error.message, /namespace "nope" does not exist in context "prod"/);
    assert.ok(scope.isDone());
  });

  it('an API server that refuses connections exits 3', async () => {
    const scope = nock(FAKE_API_SERVER)
      .get('/api/v1/namespaces/data')
      .replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.1:6443' });
    // The client keeps trying a refused connection until the call's budget is spent.
    const result = await runInProcess(['discover', '--kubeconfig', kubeconfig, '--timeout', '1s']);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /KUBERNETES_UNREACHABLE/);
    assert.match(
      result.stderr,
      /cannot reach the Kubernetes API server https:\/\/k8s\.fake\.invalid:6443/,
    );
    assert.ok(scope.isDone());
  });

  it('an unknown kubeconfig context is a usage error', async () => {
    const result = await runInProcess([
      'discover',
      '--kubeconfig',
      kubeconfig,
      '--kube-context',
      'nope',
    ]);
    assert.equal(result.code, 2, result.stderr);
  });
});
