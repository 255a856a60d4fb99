// How a drill names the members of a Kubernetes inventory cluster (by pod, with the endpoint
// and the tunnel's URL as aliases), and the refusals before any fault is aimed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chaosMeshTargetOf, kubernetesDrillTarget } from '../../chaos/kubernetes/drill-target.js';
import { UnsupportedOperationError, UsageError } from '../../core/errors.js';
import type { KubernetesReference } from '../../core/inventory.js';
import type { ClusterTarget } from '../../core/ports.js';

const endpoints = [0, 1, 2].map((n) => `http://zk-${n}.zk-headless.data.svc.cluster.local:2181`);
const target: ClusterTarget = { name: 'prod.data.zk', kind: 'zookeeper', endpoints };
const reference: KubernetesReference = {
  namespace: 'data',
  workload: 'StatefulSet/zk',
  pods: ['zk-0', 'zk-1', 'zk-2'],
  port: 2181,
  labels: { 'app.kubernetes.io/name': 'zookeeper' },
  container: 'zookeeper',
};
const tunnels = [40001, 40002, 40003].map((port) => `http://127.0.0.1:${port}`);

describe('kubernetesDrillTarget', () => {
  test('members are the pods; endpoint, host, tunnel URL and server.N are aliases', () => {
    const { drill, members } = kubernetesDrillTarget(target, reference, tunnels);
    assert.deepEqual(members, [
      { name: 'zk-0', clientUrl: 'http://127.0.0.1:40001' },
      { name: 'zk-1', clientUrl: 'http://127.0.0.1:40002' },
      { name: 'zk-2', clientUrl: 'http://127.0.0.1:40003' },
    ]);
    assert.equal(drill.cutsLinksItself, true);
    assert.deepEqual(drill.members[1], {
      name: 'zk-1',
      aliases: [
        endpoints[1],
        'zk-1.zk-headless.data.svc.cluster.local:2181',
        'http://127.0.0.1:40002',
        '127.0.0.1:40002',
        'server.2',
      ],
    });
    assert.deepEqual(chaosMeshTargetOf(reference), {
      namespace: 'data',
      clusterLabels: { 'app.kubernetes.io/name': 'zookeeper' },
      pods: { 'zk-0': 'zk-0', 'zk-1': 'zk-1', 'zk-2': 'zk-2' },
      containerName: 'zookeeper',
    });
  });

  test('pods that do not pair with the endpoints: the same refusal as reaching the cluster', () => {
    assert.throws(
      () => kubernetesDrillTarget(target, { ...reference, pods: ['zk-0', 'zk-1'] }, tunnels),
      (error: unknown) =>
        error instanceof UsageError &&
        error.code === 'KUBERNETES_PODS_MISALIGNED' &&
        /lists 3 endpoints but 2 pods/.test(error.message),
    );
  });

  test('a kind the drill workload cannot drive is refused', () => {
    assert.throws(
      () => kubernetesDrillTarget({ ...target, kind: 'kraft' }, reference, tunnels),
      (error: unknown) =>
        error instanceof UnsupportedOperationError && error.code === 'DRILL_KIND_UNSUPPORTED',
    );
  });
});
