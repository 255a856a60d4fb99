/** reachThroughKubernetes against an in-memory KubernetesApi: tunnels, endpoints, TLS names, secrets. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../core/errors.js';
import type { KubernetesReference } from '../../core/inventory.js';
import type { Secret } from '../../core/kubernetes/objects.js';
import type { KubernetesApi, Tunnel } from '../../core/kubernetes/port.js';
import { localEndpoint, reachThroughKubernetes } from '../../ops/kubernetes/reach.js';
import type { ResolvedTarget } from '../../ops/target.js';

interface FakeApi extends KubernetesApi {
  opened: { pod: string; podPort: number; localPort: number; closed: boolean }[];
  secretsRead: string[];
}

function fakeApi(options: { failOnPod?: string; secrets?: Record<string, Secret> } = {}): FakeApi {
  const opened: FakeApi['opened'] = [];
  const secretsRead: string[] = [];
  const unused = (): never => assert.fail('not used by reach');
  return {
    context: 'fake',
    server: 'https://k8s.fake.invalid:6443',
    defaultNamespace: 'data',
    opened,
    secretsRead,
    listPods: unused,
    listStatefulSets: unused,
    readPod: unused,
    readStatefulSet: unused,
    readConfigMap: unused,
    readSecret: (namespace, name) => {
      secretsRead.push(`${namespace}/${name}`);
      const secret = options.secrets?.[name];
      return secret === undefined
        ? Promise.reject(new UsageError('KUBERNETES_OBJECT_NOT_FOUND', `no secret ${name}`))
        : Promise.resolve(secret);
    },
    assertNamespace: unused,
    apply: unused,
    delete: unused,
    list: unused,
    portForward: (namespace, pod, podPort): Promise<Tunnel> => {
      if (pod === options.failOnPod) {
        return Promise.reject(
          new UsageError('KUBERNETES_FORBIDDEN', `create pods/portforward ${pod}`),
        );
      }
      const record = { pod, podPort, localPort: 40000 + opened.length, closed: false };
      opened.push(record);
      return Promise.resolve({
        namespace,
        pod,
        podPort,
        localPort: record.localPort,
        close: () => {
          record.closed = true;
          return Promise.resolve();
        },
      });
    },
    close: () => Promise.resolve(),
  };
}

const reference: KubernetesReference = {
  context: 'fake',
  namespace: 'data',
  workload: 'StatefulSet/etcd',
  pods: ['etcd-0', 'etcd-1', 'etcd-2'],
  port: 2379,
  labels: { 'app.kubernetes.io/name': 'etcd' },
  tlsSecret: 'etcd-client-tls',
};

function resolved(
  overrides: Partial<KubernetesReference> = {},
  tls?: ResolvedTarget['options']['tls'],
): ResolvedTarget {
  return {
    target: {
      name: 'etcd',
      kind: 'etcd',
      endpoints: [0, 1, 2].map((index) => `https://etcd-${index}.etcd-headless.data.svc:2379`),
    },
    options: { timeoutMs: 1000, ...(tls !== undefined && { tls }) },
    kubernetes: { ...reference, ...overrides },
  };
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('reachThroughKubernetes', () => {
  it('opens one tunnel per pod and rewrites the endpoints in order, keeping the scheme', async () => {
    const api = fakeApi();
    const reached = await reachThroughKubernetes(resolved(), api, { useClusterSecrets: false });
    assert.deepEqual(
      api.opened.map((tunnel) => [tunnel.pod, tunnel.podPort]),
      [
        ['etcd-0', 2379],
        ['etcd-1', 2379],
        ['etcd-2', 2379],
      ],
    );
    assert.deepEqual(reached.target.endpoints, [
      'https://127.0.0.1:40000',
      'https://127.0.0.1:40001',
      'https://127.0.0.1:40002',
    ]);
    assert.deepEqual(reached.options.tls?.serverNames, {
      '127.0.0.1:40000': 'etcd-0.etcd-headless.data.svc',
      '127.0.0.1:40001': 'etcd-1.etcd-headless.data.svc',
      '127.0.0.1:40002': 'etcd-2.etcd-headless.data.svc',
    });
    assert.deepEqual(api.secretsRead, [], 'no secret read without --use-cluster-secrets');
    await reached.release();
    await reached.release();
    assert.ok(api.opened.every((tunnel) => tunnel.closed));
  });

  it('AdminServer URLs get tunnels of their own, paths kept; all close on release', async () => {
    const api = fakeApi();
    const zk = resolved({ pods: ['zk-0', 'zk-1', 'zk-2'], port: 2181 });
    zk.target = {
      name: 'zk',
      kind: 'zookeeper',
      endpoints: [0, 1, 2].map((n) => `http://zk-${n}.zk-headless.data.svc:2181`),
      monitorUrls: [0, 1, 2].map((n) => `http://zk-${n}.zk-headless.data.svc:8080/commands`),
    };
    const reached = await reachThroughKubernetes(zk, api, { useClusterSecrets: false });
    assert.deepEqual(
      api.opened.map((tunnel) => `${tunnel.pod}:${tunnel.podPort}`),
      ['zk-0:2181', 'zk-1:2181', 'zk-2:2181', 'zk-0:8080', 'zk-1:8080', 'zk-2:8080'],
    );
    assert.deepEqual(reached.target.monitorUrls, [
      'http://127.0.0.1:40003/commands',
      'http://127.0.0.1:40004/commands',
      'http://127.0.0.1:40005/commands',
    ]);
    await reached.release();
    assert.ok(api.opened.every((tunnel) => tunnel.closed));
  });

  it('monitor URLs on the client port share its tunnel; ones that do not pair with the pods stay as given', async () => {
    const shared = resolved();
    shared.target = {
      ...shared.target,
      monitorUrls: shared.target.endpoints.map((endpoint) => `${endpoint}/metrics`),
    };
    const api = fakeApi();
    const reached = await reachThroughKubernetes(shared, api, { useClusterSecrets: false });
    assert.equal(api.opened.length, 3, 'no tunnel beyond the endpoints');
    assert.deepEqual(reached.target.monitorUrls, [
      'https://127.0.0.1:40000/metrics',
      'https://127.0.0.1:40001/metrics',
      'https://127.0.0.1:40002/metrics',
    ]);
    await reached.release();

    const byHand = resolved();
    byHand.target = { ...byHand.target, monitorUrls: ['http://exporter.example.com:9404/metrics'] };
    const other = fakeApi();
    const kept = await reachThroughKubernetes(byHand, other, { useClusterSecrets: false });
    assert.equal(other.opened.length, 3);
    assert.deepEqual(kept.target.monitorUrls, ['http://exporter.example.com:9404/metrics']);
    await kept.release();
  });

  it('a failing AdminServer tunnel closes the endpoint tunnels too and rethrows', async () => {
    let calls = 0;
    const api = fakeApi();
    const portForward = api.portForward.bind(api);
    api.portForward = (namespace, pod, port) =>
      ++calls === 5
        ? Promise.reject(new UsageError('KUBERNETES_FORBIDDEN', 'no'))
        : portForward(namespace, pod, port);
    const zk = resolved({ pods: ['zk-0', 'zk-1', 'zk-2'], port: 2181 });
    zk.target = {
      ...zk.target,
      endpoints: [0, 1, 2].map((n) => `http://zk-${n}:2181`),
      monitorUrls: [0, 1, 2].map((n) => `http://zk-${n}:8080/commands`),
    };
    await assert.rejects(
      reachThroughKubernetes(zk, api, { useClusterSecrets: false }),
      (error: unknown) => error instanceof UsageError && error.code === 'KUBERNETES_FORBIDDEN',
    );
    assert.equal(api.opened.length, 4);
    assert.ok(
      api.opened.every((tunnel) => tunnel.closed),
      JSON.stringify(api.opened),
    );
  });

  it('keeps kind schemes and paths', () => {
    assert.equal(
      localEndpoint('zookeeper://zk-0.zk-hs:2181', 41000),
      'zookeeper://127.0.0.1:41000',
    );
    assert.equal(localEndpoint('zk-0.zk-hs:2181', 41000), '127.0.0.1:41000');
    assert.equal(localEndpoint('http://nats-0.nats:8222/varz', 1), 'http://127.0.0.1:1/varz');
  });

  it('reads the TLS Secret into memory with --use-cluster-secrets; flags still win', async () => {
    const secrets: Record<string, Secret> = {
      'etcd-client-tls': {
        metadata: { name: 'etcd-client-tls', namespace: 'data' },
        type: 'kubernetes.io/tls',
        data: { 'ca.crt': b64('CA PEM'), 'tls.crt': b64('CERT PEM'), 'tls.key': b64('KEY PEM') },
      },
    };
    const api = fakeApi({ secrets });
    const reached = await reachThroughKubernetes(resolved(), api, { useClusterSecrets: true });
    assert.deepEqual(api.secretsRead, ['data/etcd-client-tls']);
    assert.equal(reached.options.tls?.ca, 'CA PEM');
    assert.equal(reached.options.tls?.cert, 'CERT PEM');
    assert.equal(reached.options.tls?.key, 'KEY PEM');
    await reached.release();

    const flagged = await reachThroughKubernetes(
      resolved({}, { ca: 'FLAG CA' }),
      fakeApi({ secrets }),
      {
        useClusterSecrets: true,
      },
    );
    assert.equal(flagged.options.tls?.ca, 'FLAG CA');
    assert.equal(flagged.options.tls?.cert, 'CERT PEM');
    await flagged.release();
  });

  it("reads Strimzi's user.crt/user.key", async () => {
    const api = fakeApi({
      secrets: {
        'kafka-user': {
          metadata: { name: 'kafka-user' },
          data: { 'ca.crt': b64('CA'), 'user.crt': b64('USER CERT'), 'user.key': b64('USER KEY') },
        },
      },
    });
    const reached = await reachThroughKubernetes(
      resolved({ tlsSecret: 'kafka-user', reach: 'direct' }),
      api,
      {
        useClusterSecrets: true,
      },
    );
    assert.equal(reached.options.tls?.cert, 'USER CERT');
    assert.equal(reached.options.tls?.key, 'USER KEY');
    assert.deepEqual(api.opened, [], 'direct reach opens nothing');
    assert.equal(reached.target.endpoints[0], 'https://etcd-0.etcd-headless.data.svc:2379');
  });

  it('a failing second tunnel closes the first and rethrows', async () => {
    const api = fakeApi({ failOnPod: 'etcd-1' });
    await assert.rejects(
      reachThroughKubernetes(resolved(), api, { useClusterSecrets: false }),
      /create pods\/portforward etcd-1/,
    );
    assert.deepEqual(
      api.opened.map((tunnel) => [tunnel.pod, tunnel.closed]),
      [['etcd-0', true]],
    );
  });

  it('refuses an entry whose pods do not match its endpoints', async () => {
    await assert.rejects(
      reachThroughKubernetes(resolved({ pods: ['etcd-0'] }), fakeApi(), {
        useClusterSecrets: false,
      }),
      (error: unknown) =>
        error instanceof UsageError && error.code === 'KUBERNETES_PODS_MISALIGNED',
    );
  });

  it('a target without a kubernetes reference passes through', async () => {
    const plain: ResolvedTarget = {
      target: { name: 'x', kind: 'etcd', endpoints: ['http://h:2379'] },
      options: { timeoutMs: 5 },
    };
    const api = fakeApi();
    const reached = await reachThroughKubernetes(plain, api, { useClusterSecrets: true });
    assert.deepEqual(reached.target, plain.target);
    assert.deepEqual(api.opened, []);
  });
});
