// preflight --from-cluster against an in-memory KubernetesApi: which objects are read, the
// sources findings point at, ConfigMap keys chosen by format, and the not-found errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UsageError } from '../../core/errors.js';
import type { ConfigMap, Pod, StatefulSet } from '../../core/kubernetes/objects.js';
import type { KubernetesApi } from '../../core/kubernetes/port.js';
import { configMapKeyFormat, renderManifest } from '../../ops/preflight-cluster-sources.js';
import {
  loadClusterConfigs,
  runClusterPreflight,
  selectionForInventoryCluster,
} from '../../ops/preflight-cluster.js';
import { REPO_ROOT } from '../support/cli.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/kubernetes/preflight');
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as unknown;

/** Only the reads preflight makes; anything else fails the test. */
function memoryApi(objects: {
  pods?: Pod[];
  statefulSets?: StatefulSet[];
  configMaps?: ConfigMap[];
}): KubernetesApi & { calls: string[] } {
  const calls: string[] = [];
  const unexpected = (name: string) => () => Promise.reject(new Error(`unexpected ${name}`));
  const notFound = (resource: string, name: string) =>
    new UsageError('KUBERNETES_OBJECT_NOT_FOUND', `${resource} "${name}" does not exist`);
  return {
    calls,
    context: 'prod',
    server: 'https://k8s.test:6443',
    defaultNamespace: 'default',
    listPods: (namespace, selector) => {
      calls.push(`list pods ${JSON.stringify(namespace)} ${selector ?? ''}`);
      return Promise.resolve(
        (objects.pods ?? []).filter(
          (pod) =>
            ('name' in namespace ? pod.metadata.namespace === namespace.name : true) &&
            (selector !== 'component=etcd' || pod.metadata.labels?.component === 'etcd'),
        ),
      );
    },
    readPod: (namespace, name) => {
      calls.push(`get pod ${namespace}/${name}`);
      const pod = objects.pods?.find((item) => item.metadata.name === name);
      return pod === undefined ? Promise.reject(notFound('pods', name)) : Promise.resolve(pod);
    },
    readStatefulSet: (namespace, name) => {
      calls.push(`get statefulset ${namespace}/${name}`);
      const found = objects.statefulSets?.find((item) => item.metadata.name === name);
      return found === undefined
        ? Promise.reject(notFound('statefulsets.apps', name))
        : Promise.resolve(found);
    },
    readConfigMap: (namespace, name) => {
      calls.push(`get configmap ${namespace}/${name}`);
      return Promise.resolve(objects.configMaps?.find((item) => item.metadata.name === name));
    },
    listStatefulSets: unexpected('listStatefulSets'),
    readSecret: unexpected('readSecret'),
    assertNamespace: unexpected('assertNamespace'),
    apply: unexpected('apply'),
    delete: unexpected('delete'),
    list: unexpected('list'),
    portForward: unexpected('portForward'),
    close: () => Promise.resolve(),
  };
}

const kubeadmPods = () => (fixture('kubeadm-etcd-pods.json') as { items: Pod[] }).items;
const zk = () => ({
  statefulSets: [fixture('zk-statefulset.json') as StatefulSet],
  configMaps: [fixture('zk-config.json') as ConfigMap, fixture('zk-scripts.json') as ConfigMap],
});

describe('preflight --from-cluster (in-memory API)', () => {
  test('the control plane: every etcd static pod, one member each, at cluster: sources', async () => {
    const api = memoryApi({ pods: kubeadmPods() });
    const configs = await loadClusterConfigs(api, { controlPlane: true });
    assert.deepEqual(api.calls, ['list pods {"name":"kube-system"} component=etcd']);
    assert.deepEqual(
      configs.map((config) => [config.file, config.member]),
      [
        ['cluster:prod/kube-system/pod/etcd-cp1', 'cp1'],
        ['cluster:prod/kube-system/pod/etcd-cp2', 'cp2'],
        ['cluster:prod/kube-system/pod/etcd-cp3', 'cp3'],
      ],
    );
  });

  test('mismatched heartbeat across members: ETCD-TIME-3 at the line of the rendering', async () => {
    const pods = kubeadmPods();
    const report = await runClusterPreflight({
      api: memoryApi({ pods }),
      selection: { controlPlane: true },
      failOn: 'critical',
    });
    // One finding per member; cp1 and cp2 point at their etcd container (no flag to show).
    const findings = report.findings.filter((item) => item.ruleId === 'ETCD-TIME-3');
    assert.deepEqual(
      findings.map((item) => item.location?.file),
      ['cp1', 'cp2', 'cp3'].map((name) => `cluster:prod/kube-system/pod/etcd-${name}`),
    );
    const finding = findings[2];
    assert.ok(finding);
    const cp3 = pods[2];
    assert.ok(cp3);
    const lines = renderManifest(cp3, 'Pod').split('\n');
    const location = finding.location;
    assert.ok(location);
    assert.equal(location.file, 'cluster:prod/kube-system/pod/etcd-cp3');
    assert.match(lines[location.line - 1] ?? '', /--election-timeout=2500/);
  });

  test('the rendering leaves managedFields out and sorts keys like kubectl', () => {
    const text = renderManifest(kubeadmPods()[0] as Pod, 'Pod');
    assert.doesNotMatch(text, /managedFields/);
    assert.match(text, /^apiVersion: v1\nkind: Pod\nmetadata:\n {2}annotations:/);
    assert.match(text, /\n {2}containers:\n {2}- command:\n {4}- etcd\n/);
  });

  test('a ZooKeeper StatefulSet: zoo.cfg from its ConfigMap, log4j.properties ignored', async () => {
    const api = memoryApi(zk());
    const report = await runClusterPreflight({
      api,
      selection: { namespace: 'data', statefulSet: 'zk' },
      failOn: 'critical',
    });
    assert.deepEqual(api.calls, [
      'get statefulset data/zk',
      'get configmap data/zk-config',
      'get configmap data/zk-scripts',
    ]);
    assert.equal(report.kind, 'zookeeper');
    const sync = report.findings.find((item) => item.ruleId === 'ZK-SYNC-1');
    assert.deepEqual(sync?.location && { file: sync.location.file, line: sync.location.line }, {
      file: 'cluster:prod/data/configmap/zk-config/zoo.cfg',
      line: 6,
    });
  });

  test('no configuration in the spec or the ConfigMaps: a usage error naming what was read', async () => {
    const objects = zk();
    objects.configMaps = [fixture('zk-scripts.json') as ConfigMap];
    await assert.rejects(
      loadClusterConfigs(memoryApi(objects), { namespace: 'data', statefulSet: 'zk' }),
      (error: UsageError) => {
        assert.equal(error.code, 'PREFLIGHT_CONFIG_NOT_FOUND');
        assert.match(error.message, /configuration not found in the pod spec or its ConfigMaps/);
        assert.match(error.message, /zk-config do not exist/);
        return true;
      },
    );
  });

  test('no etcd static pods: the control plane is external', async () => {
    await assert.rejects(loadClusterConfigs(memoryApi({}), { controlPlane: true }), {
      code: 'PREFLIGHT_CONFIG_NOT_FOUND',
    });
  });

  test('ConfigMap keys: by name, then content for generic suffixes, narrowed by kind', () => {
    assert.equal(configMapKeyFormat('zoo.cfg', 'tickTime=2000'), 'zoo.cfg');
    assert.equal(configMapKeyFormat('log4j.properties', 'log4j.rootLogger=INFO'), undefined);
    assert.equal(
      configMapKeyFormat('server.config', 'process.roles=controller\nnode.id=1'),
      'server.properties',
    );
    assert.equal(configMapKeyFormat('nats.conf', 'port: 4222\njetstream {}'), 'nats-conf');
    assert.equal(configMapKeyFormat('nats.conf', 'port: 4222', 'zookeeper'), undefined);
  });

  test('an inventory entry: StaticPods -> control plane, StatefulSet -> it, else its pods', () => {
    const entry = (workload: string, namespace: string) => ({
      name: 'x',
      kind: 'etcd' as const,
      endpoints: ['http://a:2379'],
      kubernetes: { namespace, workload, pods: ['p-0'], port: 2379, labels: {} },
    });
    assert.deepEqual(selectionForInventoryCluster(entry('StaticPods/etcd', 'kube-system')), {
      controlPlane: true,
    });
    assert.deepEqual(selectionForInventoryCluster(entry('StatefulSet/zk', 'data')), {
      namespace: 'data',
      statefulSet: 'zk',
    });
    assert.deepEqual(selectionForInventoryCluster(entry('StrimziPodSet/k', 'kafka')), {
      namespace: 'kafka',
      pods: ['p-0'],
    });
    assert.throws(
      () => selectionForInventoryCluster({ name: 'y', kind: 'etcd', endpoints: ['http://a:1'] }),
      { code: 'PREFLIGHT_NOT_IN_KUBERNETES' },
    );
  });
});
