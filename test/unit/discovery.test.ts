/** Discovery recognisers against recorded-shaped API lists: exactly the clusters, members and endpoints expected. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inventoryEntryOf, type DiscoveredCluster } from '../../core/discovery/model.js';
import { jetStreamInConfig } from '../../core/discovery/nats-helm.js';
import {
  configMapKey,
  configMapsToRead,
  recogniseClusters,
  type Recognised,
} from '../../core/discovery/recognise.js';
import { byOrdinal, imageRepository, sharedLabels } from '../../core/discovery/workload.js';
import type { ConfigMap, Pod, StatefulSet } from '../../core/kubernetes/objects.js';
import { REPO_ROOT } from '../support/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'kubernetes');

async function readJson<T>(...path: string[]): Promise<T> {
  return JSON.parse(await readFile(join(FIXTURES, ...path), 'utf8')) as T;
}

/** Runs the recognisers on a fixture directory as discover would: ConfigMaps read on demand. */
async function recognise(shape: string, context = 'prod'): Promise<Recognised> {
  const pods = (await readJson<{ items: Pod[] }>(shape, 'pods.json')).items;
  const statefulSets = (await readJson<{ items: StatefulSet[] }>(shape, 'statefulsets.json')).items;
  const configMaps = new Map<string, ConfigMap | undefined>();
  for (const { namespace, name } of configMapsToRead(statefulSets)) {
    const map = await readJson<ConfigMap>(shape, `configmap-${name}.json`).catch(() => undefined);
    configMaps.set(configMapKey(namespace, name), map);
  }
  return recogniseClusters({ context, pods, statefulSets, configMaps });
}

const ZK_LABELS = {
  'app.kubernetes.io/component': 'zookeeper',
  'app.kubernetes.io/managed-by': 'Helm',
  'app.kubernetes.io/name': 'zookeeper',
};

describe('discovery recognisers', () => {
  it('kubeadm: three static etcd pods are one control-plane cluster reached directly', async () => {
    const { clusters, skipped } = await recognise('kubeadm');
    const expected: DiscoveredCluster = {
      name: 'prod.kube-system.etcd',
      kind: 'etcd',
      context: 'prod',
      namespace: 'kube-system',
      source: 'kubeadm',
      workload: 'StaticPods/etcd',
      members: [1, 2, 3].map((n) => ({
        name: `etcd-cp-${n}`,
        pod: `etcd-cp-${n}`,
        endpoint: `https://192.168.56.1${n}:2379`,
        node: `cp-${n}`,
        running: true,
      })),
      port: 2379,
      labels: { component: 'etcd', tier: 'control-plane' },
      container: 'etcd',
      tls: {
        caFile: '/etc/kubernetes/pki/etcd/ca.crt',
        certFile: '/etc/kubernetes/pki/etcd/server.crt',
        keyFile: '/etc/kubernetes/pki/etcd/server.key',
        clientCertAuth: true,
        clientCertFile: '/etc/kubernetes/pki/etcd/healthcheck-client.crt',
        clientKeyFile: '/etc/kubernetes/pki/etcd/healthcheck-client.key',
      },
      reach: 'direct',
      notes: [
        'client certificate: use /etc/kubernetes/pki/etcd/healthcheck-client.crt and /etc/kubernetes/pki/etcd/healthcheck-client.key on a control-plane node (kubeadm makes them for this); the CA is /etc/kubernetes/pki/etcd/ca.crt',
      ],
    };
    assert.deepEqual(clusters, [expected]);
    assert.deepEqual(skipped, []);
    // The inventory entry carries kubeadm's client certificate, for runs on a control-plane node.
    assert.deepEqual(inventoryEntryOf(expected).tls, {
      ca: '/etc/kubernetes/pki/etcd/ca.crt',
      cert: '/etc/kubernetes/pki/etcd/healthcheck-client.crt',
      key: '/etc/kubernetes/pki/etcd/healthcheck-client.key',
    });
  });

  it('strimzi-kraft: the three controllers form the quorum; brokers and operators do not appear', async () => {
    const { clusters, skipped } = await recognise('strimzi-kraft');
    const expected: DiscoveredCluster = {
      name: 'prod.kafka.my-cluster-controller',
      kind: 'kraft',
      context: 'prod',
      namespace: 'kafka',
      source: 'strimzi',
      workload: 'StrimziPodSet/my-cluster-controller',
      members: [0, 1, 2].map((n) => ({
        name: `my-cluster-controller-${n}`,
        pod: `my-cluster-controller-${n}`,
        endpoint: `https://my-cluster-controller-${n}.my-cluster-kafka-brokers.kafka.svc.cluster.local:9090`,
        node: `worker-${n + 1}`,
        running: true,
      })),
      port: 9090,
      labels: {
        'app.kubernetes.io/instance': 'my-cluster',
        'app.kubernetes.io/managed-by': 'strimzi-cluster-operator',
        'app.kubernetes.io/name': 'kafka',
        'app.kubernetes.io/part-of': 'strimzi-my-cluster',
        'strimzi.io/broker-role': 'false',
        'strimzi.io/cluster': 'my-cluster',
        'strimzi.io/component-type': 'kafka',
        'strimzi.io/controller': 'strimzipodset',
        'strimzi.io/controller-name': 'my-cluster-controller',
        'strimzi.io/controller-role': 'true',
        'strimzi.io/kind': 'Kafka',
        'strimzi.io/name': 'my-cluster-kafka',
        'strimzi.io/pool-name': 'controller',
      },
      container: 'kafka',
      tls: { secret: 'my-cluster-cluster-ca-cert', clientCertAuth: true },
      reach: 'port-forward',
      notes: [
        'the controller listener 9090 (tcp-ctrlplane) requires mutual TLS: the CA is in Secret my-cluster-cluster-ca-cert; the client certificate must be signed by the cluster CA (Secret my-cluster-cluster-ca)',
      ],
    };
    assert.deepEqual(clusters, [expected]);
    assert.deepEqual(skipped, []);
  });

  it('bitnami-zookeeper: three replicas at their pod DNS names on the client port', async () => {
    const { clusters, skipped } = await recognise('bitnami-zookeeper');
    const expected: DiscoveredCluster = {
      name: 'prod.data.zk-zookeeper',
      kind: 'zookeeper',
      context: 'prod',
      namespace: 'data',
      source: 'bitnami',
      workload: 'StatefulSet/zk-zookeeper',
      members: [0, 1, 2].map((n) => ({
        name: `zk-zookeeper-${n}`,
        pod: `zk-zookeeper-${n}`,
        endpoint: `http://zk-zookeeper-${n}.zk-zookeeper-headless.data.svc.cluster.local:2181`,
        node: `worker-${n + 1}`,
        running: true,
      })),
      port: 2181,
      labels: { ...ZK_LABELS, 'app.kubernetes.io/instance': 'zk' },
      container: 'zookeeper',
      reach: 'port-forward',
      notes: [],
    };
    assert.deepEqual(clusters, [expected]);
    assert.deepEqual(skipped, []);
  });

  it('nats-helm: three JetStream servers at their monitoring port; nats-box is no member', async () => {
    const { clusters, skipped } = await recognise('nats-helm');
    const expected: DiscoveredCluster = {
      name: 'prod.messaging.nats',
      kind: 'nats',
      context: 'prod',
      namespace: 'messaging',
      source: 'nats-helm',
      workload: 'StatefulSet/nats',
      members: [0, 1, 2].map((n) => ({
        name: `nats-${n}`,
        pod: `nats-${n}`,
        endpoint: `http://nats-${n}.nats-headless.messaging.svc.cluster.local:8222`,
        node: `worker-${n + 1}`,
        running: true,
      })),
      port: 8222,
      labels: {
        'app.kubernetes.io/component': 'nats',
        'app.kubernetes.io/instance': 'nats',
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/name': 'nats',
      },
      container: 'nats',
      reach: 'port-forward',
      notes: ['endpoints are the monitoring port (8222), as status reads /jsz and /varz'],
    };
    assert.deepEqual(clusters, [expected]);
    assert.deepEqual(skipped, []);
  });

  it('mixed: Bitnami etcd and ZooKeeper found with their pod troubles; NATS without JetStream and an unknown ZooKeeper skipped; redis ignored', async () => {
    const { clusters, skipped } = await recognise('mixed', 'Staging');
    assert.deepEqual(
      clusters.map((cluster) => cluster.name),
      ['staging.mixed.config-etcd', 'staging.mixed.coord-zookeeper'],
    );
    const [etcd, zk] = clusters;
    assert.deepEqual(etcd, {
      name: 'staging.mixed.config-etcd',
      kind: 'etcd',
      context: 'Staging',
      namespace: 'mixed',
      source: 'bitnami',
      workload: 'StatefulSet/config-etcd',
      members: [
        { n: 0, node: 'worker-1', running: true },
        { n: 1, node: 'worker-2', running: true },
        { n: 2, running: false },
      ].map(({ n, node, running }) => ({
        name: `config-etcd-${n}`,
        pod: `config-etcd-${n}`,
        endpoint: `http://config-etcd-${n}.config-etcd-headless.mixed.svc.cluster.local:2379`,
        ...(node !== undefined && { node }),
        running,
      })),
      port: 2379,
      labels: {
        'app.kubernetes.io/component': 'etcd',
        'app.kubernetes.io/instance': 'config',
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/name': 'etcd',
      },
      container: 'etcd',
      reach: 'port-forward',
      notes: ['pods not running: config-etcd-2 (Pending)'],
    } satisfies DiscoveredCluster);
    assert.equal(zk?.members.length, 3);
    assert.deepEqual(zk?.notes, ['pods not found: coord-zookeeper-2']);
    assert.deepEqual(zk?.labels, { ...ZK_LABELS, 'app.kubernetes.io/instance': 'coord' });
    assert.deepEqual(
      skipped.map((skip) => [skip.namespace, skip.workload]),
      [
        ['mixed', 'StatefulSet/events-nats'],
        ['mixed', 'StatefulSet/legacy-zk'],
      ],
    );
    assert.match(
      skipped[0]?.reason ?? '',
      /NATS without JetStream: JetStream is off \(no jetstream block in events-nats-config\)/,
    );
    assert.match(skipped[1]?.reason ?? '', /image zookeeper:3\.9\.3 looks like zookeeper/);
  });

  it('a NATS release whose ConfigMap is missing is skipped: JetStream cannot be told', async () => {
    const statefulSets = (
      await readJson<{ items: StatefulSet[] }>('nats-helm', 'statefulsets.json')
    ).items;
    const pods = (await readJson<{ items: Pod[] }>('nats-helm', 'pods.json')).items;
    const { clusters, skipped } = recogniseClusters({
      context: 'prod',
      pods,
      statefulSets,
      configMaps: new Map([[configMapKey('messaging', 'nats-config'), undefined]]),
    });
    assert.deepEqual(clusters, []);
    assert.match(skipped[0]?.reason ?? '', /no nats\.conf found in ConfigMap nats-config/);
  });

  it('every fixture cluster becomes a valid inventory entry (pods aligned with endpoints)', async () => {
    for (const shape of ['kubeadm', 'strimzi-kraft', 'bitnami-zookeeper', 'nats-helm', 'mixed']) {
      for (const cluster of (await recognise(shape)).clusters) {
        const entry = inventoryEntryOf(cluster);
        assert.equal(entry.kubernetes.pods.length, entry.endpoints.length, shape);
        assert.equal(entry.kubernetes.port, cluster.port);
      }
    }
  });
});

describe('discovery helpers', () => {
  it('JetStream in nats.conf: blocks, flags and comments', () => {
    assert.equal(jetStreamInConfig('jetstream {\n  store_dir: /data\n}'), true);
    assert.equal(jetStreamInConfig('{\n  "jetstream": {\n    "store_dir": "/data"\n  }\n}'), true);
    assert.equal(jetStreamInConfig('jetstream: enabled'), true);
    assert.equal(jetStreamInConfig('jetstream = false'), false);
    assert.equal(jetStreamInConfig('# jetstream {}\nport: 4222'), undefined);
    assert.equal(jetStreamInConfig('port: 4222 // jetstream {'), undefined);
    assert.equal(jetStreamInConfig('"http_port": 8222'), undefined);
  });

  it('image repositories without registry, tag or digest', () => {
    assert.equal(
      imageRepository('docker.io/bitnami/zookeeper:3.9.3-debian-12-r8'),
      'bitnami/zookeeper',
    );
    assert.equal(imageRepository('registry.k8s.io/etcd:3.5.16-0'), 'etcd');
    assert.equal(imageRepository('nats:2.10.24-alpine'), 'nats');
    assert.equal(imageRepository('localhost:5000/nats@sha256:abc'), 'nats');
    assert.equal(imageRepository('bitnami/etcd'), 'bitnami/etcd');
  });

  it('members sort by ordinal, not by text', () => {
    assert.deepEqual(['zk-10', 'zk-9', 'zk-1'].sort(byOrdinal), ['zk-1', 'zk-9', 'zk-10']);
  });

  it('shared labels drop the ones that differ per pod or per rollout', () => {
    const pod = (labels: Record<string, string>): Pod => ({
      metadata: { name: 'x', labels },
      spec: { containers: [] },
    });
    assert.deepEqual(
      sharedLabels([
        pod({
          app: 'zk',
          'controller-revision-hash': 'a',
          'statefulset.kubernetes.io/pod-name': 'zk-0',
        }),
        pod({
          app: 'zk',
          'controller-revision-hash': 'a',
          'statefulset.kubernetes.io/pod-name': 'zk-1',
        }),
      ]),
      { app: 'zk' },
    );
  });
});
