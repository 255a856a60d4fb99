// The apply use case against an in-memory KubernetesApi: order, namespace, actions, dry run.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { kubernetesCronJob } from '../../core/backup/kubernetes.js';
import type { KubernetesObject } from '../../core/kubernetes/objects.js';
import type { KubernetesApi } from '../../core/kubernetes/port.js';
import { pluralOf } from '../../core/kubernetes/resources.js';
import { applyCall, applyObjects } from '../../ops/kubernetes/apply-objects.js';

function memoryApi(existing: string[]): KubernetesApi & { applied: KubernetesObject[] } {
  const applied: KubernetesObject[] = [];
  const unexpected = () => Promise.reject(new Error('unexpected call'));
  return {
    applied,
    context: 'prod',
    server: 'https://k8s.test:6443',
    defaultNamespace: 'default',
    apply: (object) => {
      applied.push(object);
      const key = `${object.kind}/${object.metadata.name}`;
      return Promise.resolve({
        ref: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          ...(object.metadata.namespace !== undefined && {
            namespace: object.metadata.namespace,
          }),
        },
        action: existing.includes(key) ? 'configured' : 'created',
      });
    },
    listPods: unexpected,
    listStatefulSets: unexpected,
    readPod: unexpected,
    readStatefulSet: unexpected,
    readConfigMap: unexpected,
    readSecret: unexpected,
    assertNamespace: unexpected,
    delete: unexpected,
    list: unexpected,
    portForward: unexpected,
    close: () => Promise.resolve(),
  };
}

const objects = () =>
  kubernetesCronJob({
    cluster: 'etcd+https://etcd-0.etcd-headless.db.svc:2379',
    kind: 'etcd',
    endpoints: ['https://etcd-0.etcd-headless.db.svc:2379'],
    cron: '0 3 * * *',
    image: 'quorumctl:test',
    backupClaim: 'etcd-backups',
  }) as KubernetesObject[];

describe('applyObjects', () => {
  test('applies the ServiceAccount, then the CronJob, in the namespace given', async () => {
    const api = memoryApi(['ServiceAccount/quorumctl-backup-etcd-0-etcd-headless-db-svc-2379']);
    const report = await applyObjects({ api, objects: objects(), namespace: 'db', dryRun: false });
    assert.deepEqual(
      api.applied.map((object) => [object.kind, object.metadata.namespace]),
      [
        ['ServiceAccount', 'db'],
        ['CronJob', 'db'],
      ],
    );
    assert.deepEqual(
      report.objects.map((object) => [object.kind, object.action]),
      [
        ['ServiceAccount', 'configured'],
        ['CronJob', 'created'],
      ],
    );
    assert.equal(report.objects[0]?.object, undefined);
  });

  test('a dry run calls nothing and lists the PATCH requests with the objects', async () => {
    const api = memoryApi([]);
    const report = await applyObjects({ api, objects: objects(), namespace: 'db', dryRun: true });
    assert.equal(api.applied.length, 0);
    assert.deepEqual(
      report.objects.map((object) => [object.action, object.call.path]),
      [
        [
          'would apply',
          '/api/v1/namespaces/db/serviceaccounts/quorumctl-backup-etcd-0-etcd-headless-db-svc-2379?fieldManager=quorumctl&force=true',
        ],
        [
          'would apply',
          '/apis/batch/v1/namespaces/db/cronjobs/quorumctl-backup-etcd-0-etcd-headless-db-svc-2379?fieldManager=quorumctl&force=true',
        ],
      ],
    );
    assert.equal(report.objects[1]?.object?.metadata.namespace, 'db');
  });

  test('a failure is thrown as the port typed it', async () => {
    const api = memoryApi([]);
    api.apply = () => Promise.reject(Object.assign(new Error('forbidden'), { code: 'X' }));
    await assert.rejects(
      applyObjects({ api, objects: objects(), namespace: 'db', dryRun: false }),
      /forbidden/,
    );
  });

  test('plural resource names', () => {
    assert.deepEqual(
      ['CronJob', 'ServiceAccount', 'NetworkChaos', 'Ingress', 'Policy'].map(pluralOf),
      ['cronjobs', 'serviceaccounts', 'networkchaos', 'ingresses', 'policies'],
    );
    const call = applyCall(
      { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'PodChaos', metadata: { name: 'p' } },
      'ns',
    );
    assert.equal(
      call.path,
      '/apis/chaos-mesh.org/v1alpha1/namespaces/ns/podchaos/p?fieldManager=quorumctl&force=true',
    );
  });
});
