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
  type DiscoveryInput,
  type Recognised,
} from '../../core/discovery/recognise.js';
import {
  byOrdinal,
  imageRepository,
  isBitnamiImage,
  parseClusterDomain,
  sharedLabels,
} from '../../core/discovery/workload.js';
import { UsageError } from '../../core/errors.js';
import type { ConfigMap, Pod, StatefulSet } from '../../core/kubernetes/objects.js';
import { REPO_ROOT } from '../support/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'kubernetes');

async function readJson<T>(...path: string[]): Promise<T> {
  return JSON.parse(await readFile(join(FIXTURES, ...path), 'utf8')) as T;
}

/** A fixture directory as discover reads it: ConfigMaps read on demand, absent ones undefined. */
async function discoveryInput(shape: string, context = 'prod'): Promise<DiscoveryInput> {
  const pods = (await readJson<{ items: Pod[] }>(shape, 'pods.json')).items;
  const statefulSets = (await readJson<{ items: StatefulSet[] }>(shape, 'statefulsets.json')).items;
  const configMaps = new Map<string, ConfigMap | undefined>();
  for (const { namespace, name } of configMapsToRead(statefulSets)) {
    const map = await readJson<ConfigMap>(shape, `configmap-${name}.json`).catch(() => undefined);
    configMaps.set(configMapKey(namespace, name), map);
  }
  return { context, pods, statefulSets, configMaps };
}

/** Runs the recognisers on a fixture directory as discover would. */
async function recognise(shape: string, context = 'prod'): Promise<Recognised> {
  return recogniseClusters(await discoveryInput(shape, context));
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

  it('bitnami-zookeeper: three replicas at their pod DNS names on the client port, AdminServer URLs beside', async () => {
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
      // The chart whitelists srvr, mntr and ruok only: `conf` comes from the AdminServer.
      monitorUrls: [0, 1, 2].map(
        (n) =>
          `http://zk-zookeeper-${n}.zk-zookeeper-headless.data.svc.cluster.local:8080/commands`,
      ),
      labels: { ...ZK_LABELS, 'app.kubernetes.io/instance': 'zk' },
      container: 'zookeeper',
      reach: 'port-forward',
      notes: [],
    };
    assert.deepEqual(clusters, [expected]);
    assert.deepEqual(skipped, []);
    assert.deepEqual(inventoryEntryOf(expected).monitorUrls, expected.monitorUrls);
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
    for (const shape of [
      'kubeadm',
      'strimzi-kraft',
      'bitnami-zookeeper',
      'nats-helm',
      'mixed',
      'bitnami-kafka',
      'bitnami-kafka/chart-23',
    ]) {
      for (const cluster of (await recognise(shape)).clusters) {
        const entry = inventoryEntryOf(cluster);
        assert.equal(entry.kubernetes.pods.length, entry.endpoints.length, shape);
        assert.equal(entry.kubernetes.port, cluster.port);
      }
    }
  });
});

const KAFKA_NS = 'streaming';
const EVENTS_CONFIG = 'events-kafka-controller-configuration';

/** The events release with its controller server.properties rewritten (the chart's values changed). */
async function eventsWith(
  edit: (serverProperties: string) => string,
  template: (statefulSet: StatefulSet) => void = () => undefined,
): Promise<DiscoveryInput> {
  const input = await discoveryInput('bitnami-kafka');
  const key = configMapKey(KAFKA_NS, EVENTS_CONFIG);
  const map = structuredClone(input.configMaps.get(key));
  assert.ok(map?.data?.['server.properties'], 'fixture ConfigMap');
  map.data['server.properties'] = edit(map.data['server.properties']);
  const configMaps = new Map(input.configMaps);
  configMaps.set(key, map);
  const statefulSets = structuredClone(input.statefulSets);
  const controller = statefulSets.find(
    (statefulSet) => statefulSet.metadata.name === 'events-kafka-controller',
  );
  assert.ok(controller);
  template(controller);
  return { ...input, statefulSets, configMaps };
}

function replaced(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `fixture holds ${from}`);
  return text.replace(from, to);
}

function eventsEndpoints(scheme: string): string[] {
  return [0, 1, 2].map(
    (n) =>
      `${scheme}://events-kafka-controller-${n}.events-kafka-controller-headless.streaming.svc.cluster.local:9093`,
  );
}

const EVENTS_BROKERS_SKIPPED = {
  namespace: KAFKA_NS,
  workload: 'StatefulSet/events-kafka-broker',
  reason:
    'Bitnami Kafka brokers (process.roles=broker) are not quorum members; the controllers are in the controller-eligible StatefulSet of the same release (app.kubernetes.io/instance=events, app.kubernetes.io/component=controller-eligible)',
};

describe('discovery of Bitnami Kafka (bitnami/charts bitnami/kafka)', () => {
  it('chart >= 26: the controller-eligible StatefulSet is the quorum; the broker StatefulSet is skipped', async () => {
    const input = await discoveryInput('bitnami-kafka');
    // Only the server.properties ConfigMaps are read, not the chart's scripts.
    assert.deepEqual(configMapsToRead(input.statefulSets), [
      { namespace: KAFKA_NS, name: 'events-kafka-controller-configuration' },
      { namespace: KAFKA_NS, name: 'events-kafka-broker-configuration' },
    ]);
    const { clusters, skipped } = recogniseClusters(input);
    const expected: DiscoveredCluster = {
      name: 'prod.streaming.events-kafka-controller',
      kind: 'kraft',
      context: 'prod',
      namespace: KAFKA_NS,
      source: 'bitnami',
      workload: 'StatefulSet/events-kafka-controller',
      members: [0, 1, 2].map((n) => ({
        name: `events-kafka-controller-${n}`,
        pod: `events-kafka-controller-${n}`,
        endpoint: eventsEndpoints('http')[n] ?? '',
        node: `worker-${n + 1}`,
        running: true,
      })),
      port: 9093,
      labels: {
        'app.kubernetes.io/component': 'controller-eligible',
        'app.kubernetes.io/instance': 'events',
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/name': 'kafka',
        'app.kubernetes.io/part-of': 'kafka',
      },
      container: 'kafka',
      reach: 'port-forward',
      notes: [
        'process.roles=controller,broker: each member is a KRaft controller and a broker at once',
      ],
    };
    assert.deepEqual(clusters, [expected]);
    assert.deepEqual(skipped, [EVENTS_BROKERS_SKIPPED]);
    assert.deepEqual(inventoryEntryOf(expected).endpoints, eventsEndpoints('http'));
  });

  it('a SASL controller listener (the chart default) is noted with what to do; controllerOnly has no dual-role note', async () => {
    const toSasl = (text: string): string =>
      replaced(
        replaced(text, 'CONTROLLER:PLAINTEXT', 'CONTROLLER:SASL_PLAINTEXT'),
        'process.roles=controller,broker',
        'process.roles=controller',
      );
    const plain = recogniseClusters(await eventsWith(toSasl));
    const cluster = plain.clusters[0];
    assert.deepEqual(
      cluster?.members.map((member) => member.endpoint),
      eventsEndpoints('http'),
    );
    assert.equal(cluster?.tls, undefined);
    assert.deepEqual(cluster?.notes, [
      'the controller listener CONTROLLER is SASL_PLAINTEXT: quorumctl does not speak SASL, so it cannot read the quorum over the Kafka protocol; make the controller listener PLAINTEXT or SSL (chart value listeners.controller.protocol), or enable the JMX exporter (chart value metrics.jmx.enabled=true) and discover again: status then reads its pages',
    ]);
    assert.equal(cluster?.monitorUrls, undefined);
    // With the chart's JMX exporter beside each controller, its pages are the monitorUrls.
    const withExporter = recogniseClusters(
      await eventsWith(toSasl, (statefulSet) => {
        statefulSet.spec.template.spec.containers.push({
          name: 'jmx-exporter',
          image: 'docker.io/bitnami/jmx-exporter:1.0.1-debian-12-r9',
          ports: [{ name: 'metrics', containerPort: 5556 }],
        });
      }),
    );
    assert.match(
      withExporter.clusters[0]?.notes[0] ?? '',
      /status reads the JMX exporter pages beside each controller instead \(container jmx-exporter, port 5556: the monitorUrls\)/,
    );
    assert.deepEqual(
      withExporter.clusters[0]?.monitorUrls,
      [0, 1, 2].map(
        (n) =>
          `http://events-kafka-controller-${n}.events-kafka-controller-headless.streaming.svc.cluster.local:5556/metrics`,
      ),
    );
    assert.equal(withExporter.clusters[0]?.container, 'kafka');
  });

  it('an SSL controller listener gives https endpoints, the chart Secret and client-certificate auth', async () => {
    const input = await eventsWith(
      (text) =>
        `${replaced(text, 'CONTROLLER:PLAINTEXT', 'CONTROLLER:SSL')}\nssl.client.auth=required`,
      (statefulSet) => {
        statefulSet.spec.template.spec.volumes?.push({
          name: 'kafka-certs',
          projected: { sources: [{ secret: { name: 'events-kafka-tls' } }] },
        });
      },
    );
    const cluster = recogniseClusters(input).clusters[0];
    assert.deepEqual(
      cluster?.members.map((member) => member.endpoint),
      eventsEndpoints('https'),
    );
    assert.deepEqual(cluster?.tls, { secret: 'events-kafka-tls', clientCertAuth: true });
    assert.deepEqual(cluster?.notes, [
      'process.roles=controller,broker: each member is a KRaft controller and a broker at once',
      "the controller listener CONTROLLER is SSL (https endpoints): the chart's certificates are in Secret events-kafka-tls; it requires client certificates (ssl.client.auth=required)",
    ]);
    assert.equal(cluster && inventoryEntryOf(cluster).kubernetes.tlsSecret, 'events-kafka-tls');
    // A per-listener setting wins over ssl.client.auth; SASL_SSL is https too.
    const saslSsl = recogniseClusters(
      await eventsWith(
        (text) =>
          `${replaced(text, 'CONTROLLER:PLAINTEXT', 'CONTROLLER:SASL_SSL')}\nssl.client.auth=required\nlistener.name.controller.ssl.client.auth=none`,
      ),
    ).clusters[0];
    assert.deepEqual(saslSsl?.tls, { clientCertAuth: false });
    assert.equal(saslSsl?.members[0]?.endpoint, eventsEndpoints('https')[0]);
    assert.match(saslSsl?.notes.join('\n') ?? '', /is SASL_SSL: quorumctl does not speak SASL/);
    assert.match(
      saslSsl?.notes.join('\n') ?? '',
      /is SASL_SSL \(https endpoints\): pass its CA with --cacert$/m,
    );
  });

  it('the configuration cannot be read: the controller-eligible StatefulSet is taken as controllers, with a note', async () => {
    const input = await discoveryInput('bitnami-kafka');
    const configMaps = new Map([...input.configMaps.keys()].map((key) => [key, undefined]));
    const { clusters, skipped } = recogniseClusters({ ...input, configMaps });
    assert.deepEqual(
      clusters.map((cluster) => [cluster.name, cluster.port, cluster.members[0]?.endpoint]),
      [['prod.streaming.events-kafka-controller', 9093, eventsEndpoints('http')[0]]],
    );
    assert.deepEqual(clusters[0]?.notes, [
      "server.properties could not be read (ConfigMap events-kafka-controller-configuration not found): taken as a controller, as the chart's controller-eligible StatefulSet runs process.roles=controller or controller,broker; the controller listener's protocol is unknown (the chart's default is SASL_PLAINTEXT)",
    ]);
    assert.deepEqual(skipped, [
      {
        ...EVENTS_BROKERS_SKIPPED,
        reason: EVENTS_BROKERS_SKIPPED.reason.replace(
          'process.roles=broker',
          'app.kubernetes.io/component=broker; ConfigMap events-kafka-broker-configuration not found',
        ),
      },
    ]);
    // A server.properties Java would refuse, or one without process.roles: the same assumption.
    const garbled = recogniseClusters(await eventsWith((text) => `${text}\nbad=\\u12`));
    assert.match(
      garbled.clusters[0]?.notes[0] ?? '',
      /^server\.properties could not be read \(the server\.properties of ConfigMap events-kafka-controller-configuration does not parse\): taken as a controller/,
    );
    const roleless = recogniseClusters(
      await eventsWith((text) => replaced(text, 'process.roles=controller,broker', '')),
    );
    assert.match(
      roleless.clusters[0]?.notes[0] ?? '',
      /^process\.roles is not set: taken as a controller/,
    );
  });

  it('charts 20-25: one StatefulSet set up by KAFKA_CFG_* variables, controller port kafka-ctlr', async () => {
    const input = await discoveryInput('bitnami-kafka/chart-23');
    assert.deepEqual(configMapsToRead(input.statefulSets), []);
    const { clusters, skipped } = recogniseClusters(input);
    const expected: DiscoveredCluster = {
      name: 'prod.streaming.audit-kafka',
      kind: 'kraft',
      context: 'prod',
      namespace: KAFKA_NS,
      source: 'bitnami',
      workload: 'StatefulSet/audit-kafka',
      members: [0, 1, 2].map((n) => ({
        name: `audit-kafka-${n}`,
        pod: `audit-kafka-${n}`,
        endpoint: `http://audit-kafka-${n}.audit-kafka-headless.streaming.svc.cluster.local:9093`,
        node: `worker-${n + 1}`,
        running: true,
      })),
      port: 9093,
      labels: {
        'app.kubernetes.io/component': 'kafka',
        'app.kubernetes.io/instance': 'audit',
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/name': 'kafka',
      },
      container: 'kafka',
      reach: 'port-forward',
      // The client listeners are SASL; the controller listener is PLAINTEXT: no SASL note.
      notes: [
        'process.roles=broker,controller: each member is a KRaft controller and a broker at once',
      ],
    };
    assert.deepEqual(clusters, [expected]);
    assert.deepEqual(skipped, []);
  });

  it('ZooKeeper mode (no process.roles, zookeeper.connect set) is skipped: the quorum is ZooKeeper', async () => {
    const input = await discoveryInput('bitnami-kafka/chart-23');
    const statefulSets = structuredClone(input.statefulSets);
    const container = statefulSets[0]?.spec.template.spec.containers[0];
    assert.ok(container?.env);
    container.env = container.env
      .filter((variable) => !/KRAFT|PROCESS_ROLES|CONTROLLER_LISTENER/.test(variable.name))
      .map((variable) =>
        variable.name === 'KAFKA_CFG_ZOOKEEPER_CONNECT'
          ? { ...variable, value: 'audit-zookeeper' }
          : variable,
      );
    container.ports = container.ports?.filter((port) => port.name !== 'kafka-ctlr');
    const { clusters, skipped } = recogniseClusters({ ...input, statefulSets });
    assert.deepEqual(clusters, []);
    assert.deepEqual(skipped, [
      {
        namespace: KAFKA_NS,
        workload: 'StatefulSet/audit-kafka',
        reason:
          'Kafka in ZooKeeper mode (zookeeper.connect=audit-zookeeper, no process.roles): its quorum is the ZooKeeper ensemble (discover it too, e.g. the Bitnami zookeeper chart)',
      },
    ]);
    // Neither roles nor ZooKeeper: no guess, a reason.
    container.env = container.env.filter((variable) => !variable.name.includes('ZOOKEEPER'));
    assert.match(
      recogniseClusters({ ...input, statefulSets }).skipped[0]?.reason ?? '',
      /^Bitnami Kafka with neither process\.roles nor zookeeper\.connect \(no ConfigMap with server\.properties is mounted\): cannot tell/,
    );
  });

  it('Bitnami images: bitnami, bitnamilegacy and mirrors; not apache/kafka or an exporter', () => {
    assert.equal(isBitnamiImage('docker.io/bitnami/kafka:3.9.0-debian-12-r4', 'kafka'), true);
    assert.equal(isBitnamiImage('docker.io/bitnamilegacy/kafka:3.9.0', 'kafka'), true);
    assert.equal(
      isBitnamiImage('registry.example.com/mirror/bitnami/kafka@sha256:ab', 'kafka'),
      true,
    );
    assert.equal(isBitnamiImage('apache/kafka:3.9.0', 'kafka'), false);
    assert.equal(isBitnamiImage('docker.io/bitnami/kafka-exporter:1.8.0', 'kafka'), false);
    assert.equal(isBitnamiImage('docker.io/bitnamilegacy/zookeeper:3.9.3', 'zookeeper'), true);
    assert.equal(isBitnamiImage('bitnamisecure/etcd:3.5.17', 'etcd'), true);
    assert.equal(isBitnamiImage('quay.io/coreos/etcd:v3.5.17', 'etcd'), false);
  });

  it('a Bitnami ZooKeeper release on bitnamilegacy images is still the Bitnami shape', async () => {
    const input = await discoveryInput('bitnami-zookeeper');
    const legacy = input.statefulSets.map((statefulSet) => ({
      ...statefulSet,
      spec: {
        ...statefulSet.spec,
        template: {
          ...statefulSet.spec.template,
          spec: {
            ...statefulSet.spec.template.spec,
            containers: statefulSet.spec.template.spec.containers.map((container) => ({
              ...container,
              image: container.image?.replace('bitnami/', 'bitnamilegacy/'),
            })),
          },
        },
      },
    }));
    assert.ok(legacy[0]?.spec.template.spec.containers[0]?.image?.includes('bitnamilegacy/'));
    const { clusters, skipped } = recogniseClusters({ ...input, statefulSets: legacy });
    assert.deepEqual(
      clusters.map((cluster) => [cluster.name, cluster.source]),
      [['prod.data.zk-zookeeper', 'bitnami']],
    );
    assert.deepEqual(skipped, []);
  });
});

describe('discovery helpers', () => {
  it('another cluster domain: every StatefulSet shape and Strimzi name their members under it', async () => {
    const domainOf = (endpoint: string) => /\.svc\.([^:]+):\d+$/.exec(endpoint)?.[1];
    for (const shape of [
      'bitnami-zookeeper',
      'nats-helm',
      'strimzi-kraft',
      'bitnami-kafka',
      'mixed',
    ]) {
      const input = await discoveryInput(shape);
      const { clusters } = recogniseClusters({ ...input, clusterDomain: 'k8s.example.com' });
      const endpoints = clusters.flatMap((cluster) => cluster.members.map((m) => m.endpoint));
      assert.ok(endpoints.length >= 3, shape);
      assert.deepEqual(
        [...new Set(endpoints.map(domainOf))],
        ['k8s.example.com'],
        `${shape}: ${endpoints.join(' ')}`,
      );
    }
    // Control-plane etcd is reached at node addresses: no domain involved.
    const kubeadm = recogniseClusters({
      ...(await discoveryInput('kubeadm')),
      clusterDomain: 'k8s.example.com',
    });
    assert.match(kubeadm.clusters[0]?.members[0]?.endpoint ?? '', /^https:\/\/192\.168\./);
  });

  it('--cluster-domain: DNS labels only, a trailing dot dropped, anything else refused', () => {
    assert.equal(parseClusterDomain('cluster.local'), 'cluster.local');
    assert.equal(parseClusterDomain('K8s.Example.com.'), 'k8s.example.com');
    for (const bad of ['', 'svc..local', '-bad.local', 'has space.local', 'a_b.local'])
      assert.throws(
        () => parseClusterDomain(bad),
        (error: unknown) => error instanceof UsageError && error.code === 'CLUSTER_DOMAIN_INVALID',
        bad,
      );
  });

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
