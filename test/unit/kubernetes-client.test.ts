/** The client-node KubernetesApi against nock: requests sent, contexts, and every error mapped. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nock from 'nock';
import { isQuorumctlError, type QuorumctlError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { KubernetesForbiddenError } from '../../core/kubernetes/errors.js';
import type { KubernetesApi } from '../../core/kubernetes/port.js';
import { openClientNodeApi } from '../../systems/kubernetes/client.js';
import {
  FAKE_API_SERVER,
  FAKE_TOKEN,
  forbiddenBody,
  interceptKubernetesApi,
  listBody,
  statusBody,
  writeKubeconfig,
} from '../support/kube-fake.js';

const OTHER_SERVER = 'https://k8s-other.fake.invalid:6443';

function pod(name: string, namespace: string): Record<string, unknown> {
  return {
    metadata: { name, namespace, labels: { app: 'etcd' } },
    spec: { containers: [{ name: 'etcd', image: 'quay.io/coreos/etcd:v3.5.17' }] },
    status: { phase: 'Running', podIP: '10.0.0.1' },
  };
}

/** A port nothing listens on (fetch refuses "bad ports" such as 1). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function rejection(promise: Promise<unknown>): Promise<QuorumctlError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isQuorumctlError(error), `expected a typed error, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('Kubernetes client (client-node against nock)', () => {
  interceptKubernetesApi();
  let dir: string;
  let kubeconfig: string;
  let api: KubernetesApi;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quorumctl-kube-client-'));
    kubeconfig = await writeKubeconfig(dir, [
      { name: 'fake', namespace: 'data' },
      { name: 'other', server: OTHER_SERVER },
    ]);
    api = await openClientNodeApi({ kubeconfig, timeoutMs: 2000 });
  });
  after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists pods with a label selector in one namespace, with the token', async () => {
    const scope = nock(FAKE_API_SERVER, { reqheaders: { authorization: `Bearer ${FAKE_TOKEN}` } })
      .get('/api/v1/namespaces/data/pods')
      .query({ labelSelector: 'app=etcd' })
      .reply(200, listBody('PodList', 'v1', [pod('etcd-0', 'data'), pod('etcd-1', 'data')]));
    const pods = await api.listPods({ name: 'data' }, 'app=etcd');
    assert.deepEqual(
      pods.map((found) => [found.kind, found.metadata.name, found.status?.podIP]),
      [
        ['Pod', 'etcd-0', '10.0.0.1'],
        ['Pod', 'etcd-1', '10.0.0.1'],
      ],
    );
    assert.equal(pods[0]?.spec.containers[0]?.image, 'quay.io/coreos/etcd:v3.5.17');
    assert.ok(scope.isDone());
  });

  it('lists pods and statefulsets across all namespaces', async () => {
    const scope = nock(FAKE_API_SERVER)
      .get('/api/v1/pods')
      .query({ labelSelector: 'component=etcd' })
      .reply(200, listBody('PodList', 'v1', [pod('etcd-cp', 'kube-system')]))
      .get('/apis/apps/v1/statefulsets')
      .reply(200, listBody('StatefulSetList', 'apps/v1', []));
    const pods = await api.listPods({ all: true }, 'component=etcd');
    assert.deepEqual(
      pods.map((found) => found.metadata.namespace),
      ['kube-system'],
    );
    assert.deepEqual(await api.listStatefulSets({ all: true }), []);
    assert.ok(scope.isDone());
  });

  it("uses the kubeconfig's current context, or the one asked for", async () => {
    assert.equal(api.context, 'fake');
    assert.equal(api.server, FAKE_API_SERVER);
    assert.equal(api.defaultNamespace, 'data');
    const other = await openClientNodeApi({ kubeconfig, context: 'other', timeoutMs: 2000 });
    assert.equal(other.context, 'other');
    assert.equal(other.server, OTHER_SERVER);
    assert.equal(other.defaultNamespace, 'default');
    const scope = nock(OTHER_SERVER)
      .get('/api/v1/namespaces/default/pods/zk-0')
      .reply(200, pod('zk-0', 'default'));
    assert.equal((await other.readPod('default', 'zk-0')).metadata.name, 'zk-0');
    assert.ok(scope.isDone());
  });

  it('names the kubeconfig and its contexts when the context is unknown', async () => {
    const error = await rejection(
      openClientNodeApi({ kubeconfig, context: 'prod', timeoutMs: 1000 }),
    );
    assert.equal(error.code, 'KUBE_CONTEXT_NOT_FOUND');
    assert.equal(error.exitCode, ExitCode.usage);
    assert.match(error.message, /"prod"/);
    assert.ok(error.message.includes(kubeconfig));
    assert.match(error.message, /fake, other/);
  });

  it('says what to do when there is no kubeconfig', async () => {
    const error = await rejection(
      openClientNodeApi({ kubeconfig: join(dir, 'missing.yaml'), timeoutMs: 1000 }),
    );
    assert.equal(error.code, 'KUBECONFIG_NOT_FOUND');
    assert.equal(error.exitCode, ExitCode.usage);
    assert.ok(error.actions.some((action) => action.includes('--kubeconfig')));
  });

  it('a 403 from listStatefulSets names the verb, resource, group, namespace and RBAC doc', async () => {
    const scope = nock(FAKE_API_SERVER)
      .get('/apis/apps/v1/namespaces/data/statefulsets')
      .reply(403, forbiddenBody('list', 'statefulsets', 'apps', 'data'));
    const error = await rejection(api.listStatefulSets({ name: 'data' }));
    assert.ok(error instanceof KubernetesForbiddenError);
    assert.equal(error.exitCode, 7);
    assert.equal(error.code, 'KUBERNETES_FORBIDDEN');
    for (const word of [
      'list',
      'statefulsets',
      'apps',
      '"data"',
      'docs/kubernetes-rbac.md#discover',
    ]) {
      assert.ok(error.message.includes(word), `${word} in: ${error.message}`);
    }
    assert.ok(scope.isDone());
  });

  it('a 401 is an unauthorized error (exit 7)', async () => {
    const scope = nock(FAKE_API_SERVER)
      .get('/api/v1/namespaces/data/pods')
      .reply(401, statusBody(401, 'Unauthorized', 'Unauthorized'));
    const error = await rejection(api.listPods({ name: 'data' }));
    assert.equal(error.code, 'KUBERNETES_UNAUTHORIZED');
    assert.equal(error.exitCode, 7);
    assert.ok(scope.isDone());
  });

  it('a 404 of a namespace is NAMESPACE_NOT_FOUND; of a secret, an object not found', async () => {
    const scope = nock(FAKE_API_SERVER)
      .get('/api/v1/namespaces/nope')
      .reply(404, statusBody(404, 'NotFound', 'namespaces "nope" not found'))
      .get('/api/v1/namespaces/data/secrets/etcd-tls')
      .reply(404, statusBody(404, 'NotFound', 'secrets "etcd-tls" not found'))
      .get('/api/v1/namespaces/data/configmaps/absent')
      .reply(404, statusBody(404, 'NotFound', 'configmaps "absent" not found'));
    const namespace = await rejection(api.assertNamespace('nope'));
    assert.equal(namespace.code, 'NAMESPACE_NOT_FOUND');
    assert.equal(namespace.exitCode, ExitCode.usage);
    const secret = await rejection(api.readSecret('data', 'etcd-tls'));
    assert.equal(secret.code, 'KUBERNETES_OBJECT_NOT_FOUND');
    assert.match(secret.message, /secrets "etcd-tls"/);
    assert.equal(await api.readConfigMap('data', 'absent'), undefined);
    assert.ok(scope.isDone());
  });

  it('an API server that refuses or does not resolve is exit 3, KUBERNETES_UNREACHABLE', async () => {
    nock.enableNetConnect(/127\.0\.0\.1|unresolvable\.invalid/);
    const refusedDir = join(dir, 'refused');
    const refused = await openClientNodeApi({
      kubeconfig: await writeKubeconfig(refusedDir, [
        { name: 'dead', server: `https://127.0.0.1:${await closedPort()}` },
      ]),
      timeoutMs: 3000,
    });
    const error = await rejection(refused.listPods({ name: 'data' }));
    assert.equal(error.code, 'KUBERNETES_UNREACHABLE');
    assert.equal(error.exitCode, ExitCode.unreachable);
    assert.match(error.message, /ECONNREFUSED/);
    assert.ok(!error.message.includes('    at '), 'no stack trace');

    const unresolvable = await openClientNodeApi({
      kubeconfig: await writeKubeconfig(join(dir, 'dns'), [
        { name: 'gone', server: 'https://unresolvable.invalid:6443' },
      ]),
      timeoutMs: 5000,
    });
    const dns = await rejection(unresolvable.listStatefulSets({ all: true }));
    assert.equal(dns.code, 'KUBERNETES_UNREACHABLE');
    assert.equal(dns.exitCode, ExitCode.unreachable);
    assert.match(dns.message, /does not resolve/);
    nock.disableNetConnect();
  });

  it('a call without an answer in time is exit 3 with the budget named', async () => {
    // A real server that accepts and never answers (nock's delay trips an undici assertion).
    const held: Socket[] = [];
    const silent: Server = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    nock.enableNetConnect('127.0.0.1');
    try {
      const address = silent.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      const quick = await openClientNodeApi({
        kubeconfig: await writeKubeconfig(join(dir, 'silent'), [
          { name: 'silent', server: `https://127.0.0.1:${port}` },
        ]),
        timeoutMs: 300,
      });
      const started = Date.now();
      const error = await rejection(quick.listPods({ name: 'data' }));
      assert.equal(error.code, 'KUBERNETES_UNREACHABLE');
      assert.match(error.message, /within 300 ms/);
      assert.ok(Date.now() - started < 5000, 'the budget bounds the call');
    } finally {
      nock.disableNetConnect();
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('apply is a server-side apply PATCH (apply-patch+yaml, fieldManager quorumctl, force)', async () => {
    const cronJob = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'etcd-backup', namespace: 'data' },
      spec: {
        schedule: '0 * * * *',
        jobTemplate: { spec: { template: { spec: { containers: [], restartPolicy: 'Never' } } } },
      },
    };
    let sent: unknown;
    const scope = nock(FAKE_API_SERVER, {
      reqheaders: { 'content-type': 'application/apply-patch+yaml' },
    })
      .patch('/apis/batch/v1/namespaces/data/cronjobs/etcd-backup', (body: unknown) => {
        sent = body;
        return true;
      })
      .query({ fieldManager: 'quorumctl', force: 'true' })
      .reply(201, cronJob)
      .patch('/apis/batch/v1/namespaces/data/cronjobs/etcd-backup')
      .query({ fieldManager: 'quorumctl', force: 'true' })
      .reply(200, cronJob);
    const created = await api.apply(cronJob);
    assert.deepEqual(created, {
      ref: { apiVersion: 'batch/v1', kind: 'CronJob', name: 'etcd-backup', namespace: 'data' },
      action: 'created',
    });
    assert.equal((sent as { spec: { schedule: string } }).spec.schedule, '0 * * * *');
    assert.equal((await api.apply(cronJob)).action, 'configured');
    assert.ok(scope.isDone());
  });

  it('delete answers deleted, then absent on 404; a 403 names delete of the CRD', async () => {
    const ref = {
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'NetworkChaos',
      namespace: 'data',
      name: 'quorumctl-partition',
    };
    const path = '/apis/chaos-mesh.org/v1alpha1/namespaces/data/networkchaos/quorumctl-partition';
    const scope = nock(FAKE_API_SERVER)
      .delete(path)
      .reply(200, statusBody(200, '', '', {}))
      .delete(path)
      .reply(404, statusBody(404, 'NotFound', 'not found'))
      .delete(path)
      .reply(403, forbiddenBody('delete', 'networkchaos', 'chaos-mesh.org', 'data'));
    assert.equal(await api.delete(ref), 'deleted');
    assert.equal(await api.delete(ref), 'absent');
    const error = await rejection(api.delete(ref));
    assert.equal(error.exitCode, 7);
    assert.match(error.message, /delete networkchaos\.chaos-mesh\.org/);
    assert.match(error.message, /#chaos-mesh/);
    assert.ok(scope.isDone());
  });

  it('lists objects of any kind by label selector (CRDs through discovery)', async () => {
    const scope = nock(FAKE_API_SERVER)
      .get('/apis/chaos-mesh.org/v1alpha1/namespaces/data/podchaos')
      .query({ labelSelector: 'app.kubernetes.io/managed-by=quorumctl' })
      .reply(
        200,
        listBody('PodChaosList', 'chaos-mesh.org/v1alpha1', [{ metadata: { name: 'a' } }]),
      )
      .get('/apis/example.com/v1')
      .reply(200, {
        kind: 'APIResourceList',
        groupVersion: 'example.com/v1',
        resources: [
          {
            name: 'widgets',
            singularName: 'widget',
            namespaced: true,
            kind: 'Widget',
            verbs: ['list'],
          },
        ],
      })
      .get('/apis/example.com/v1/namespaces/data/widgets')
      .reply(200, listBody('WidgetList', 'example.com/v1', []));
    const chaos = await api.list(
      { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'PodChaos', namespace: 'data' },
      'app.kubernetes.io/managed-by=quorumctl',
    );
    assert.deepEqual(
      chaos.map((object) => [object.kind, object.metadata.name]),
      [['PodChaos', 'a']],
    );
    assert.deepEqual(
      await api.list({ apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'data' }),
      [],
    );
    assert.ok(scope.isDone());
  });
});
