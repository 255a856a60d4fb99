/**
 * Port-forward for real: client-node's PortForward against a fake API server that is a real
 * HTTP server answering the portforward websocket upgrade and piping to a real etcd. Then
 * `quorumctl status --cluster` (a subprocess) reaches that etcd through an inventory entry
 * with a kubernetes reference. Everything Kubernetes is fake; the etcd behind it is real.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { KubernetesForbiddenError } from '../../core/kubernetes/errors.js';
import type { KubernetesApi } from '../../core/kubernetes/port.js';
import { reachThroughKubernetes } from '../../ops/kubernetes/reach.js';
import { openClientNodeApi } from '../../systems/kubernetes/client.js';
import { createCliHome, type CliHome } from '../support/cli.js';
import { FAKE_TOKEN, writeKubeconfig } from '../support/kube-fake.js';
import {
  startFakePortForwardServer,
  type FakePortForwardServer,
} from '../support/kube-portforward-server.js';
import { startStandaloneEtcd, type StandaloneEtcd } from '../support/standalone-etcd.js';

function getVersion(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/version', agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => {
        resolve(body);
      });
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('Kubernetes port-forward (fake API server, real etcd)', () => {
  let etcd: StandaloneEtcd;
  let fake: FakePortForwardServer;
  let home: CliHome;
  let kubeconfig: string;
  let api: KubernetesApi | undefined;
  // Plays a second port of the pod, as ZooKeeper's AdminServer is beside its client port.
  let admin: Server;

  before(async () => {
    etcd = await startStandaloneEtcd();
    const etcdPort = Number(new URL(etcd.clientUrl).port);
    admin = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ command: req.url?.split('/').pop(), error: null }));
    });
    await new Promise<void>((resolve) => admin.listen(0, '127.0.0.1', resolve));
    fake = await startFakePortForwardServer({
      pods: {
        'data/etcd-0:2379': etcdPort,
        'data/etcd-0:8080': (admin.address() as AddressInfo).port,
      },
      denied: ['data/locked-0'],
    });
    home = await createCliHome();
    kubeconfig = await writeKubeconfig(join(home.dir, 'kube'), [
      { name: 'kind-fake', namespace: 'data', server: fake.url },
    ]);
  });
  after(async () => {
    await api?.close();
    await fake.close();
    await new Promise((resolve) => admin.close(resolve));
    await etcd.stop();
    await home.cleanup();
  });

  it('forwards each local connection through its own portforward websocket', async () => {
    api = await openClientNodeApi({ kubeconfig, timeoutMs: 5000 });
    const tunnel = await api.portForward('data', 'etcd-0', 2379);
    const before = fake.upgrades.length;
    assert.ok(before >= 1, 'the tunnel was probed on open');
    assert.deepEqual(fake.upgrades[0], {
      namespace: 'data',
      pod: 'etcd-0',
      port: 2379,
      authorization: `Bearer ${FAKE_TOKEN}`,
    });
    const first = await getVersion(tunnel.localPort);
    const second = await getVersion(tunnel.localPort);
    assert.match(first, /etcdserver/);
    assert.equal(first, second);
    assert.equal(fake.upgrades.length, before + 2, 'one websocket per accepted connection');
    await tunnel.close();
    await assert.rejects(getVersion(tunnel.localPort), /ECONNREFUSED/);
  });

  it('a 403 on the upgrade names "create pods/portforward"', async () => {
    api ??= await openClientNodeApi({ kubeconfig, timeoutMs: 5000 });
    await assert.rejects(api.portForward('data', 'locked-0', 2379), (error: unknown) => {
      assert.ok(error instanceof KubernetesForbiddenError, String(error));
      assert.equal(error.exitCode, 7);
      assert.match(error.message, /create pods\/portforward/);
      assert.match(error.message, /"data"/);
      assert.match(error.message, /docs\/kubernetes-rbac\.md#port-forward/);
      return true;
    });
  });

  it('monitor URLs on another pod port get their own tunnel, path kept; released with the rest', async () => {
    api ??= await openClientNodeApi({ kubeconfig, timeoutMs: 5000 });
    const reached = await reachThroughKubernetes(
      {
        target: {
          name: 'k8s-etcd',
          kind: 'etcd',
          endpoints: ['http://etcd-0.etcd-headless.data.svc:2379'],
          monitorUrls: ['http://etcd-0.etcd-headless.data.svc:8080/commands'],
        },
        options: { timeoutMs: 5000 },
        kubernetes: {
          namespace: 'data',
          workload: 'StatefulSet/etcd',
          pods: ['etcd-0'],
          port: 2379,
          labels: {},
        },
      },
      api,
      { useClusterSecrets: false },
    );
    const monitorUrl = reached.target.monitorUrls?.[0] ?? '';
    try {
      assert.match(monitorUrl, /^http:\/\/127\.0\.0\.1:\d+\/commands$/);
      assert.notEqual(monitorUrl, reached.target.endpoints[0]);
      const answer = await fetch(`${monitorUrl}/voting_view`);
      assert.deepEqual(await answer.json(), { command: 'voting_view', error: null });
      assert.match(
        await getVersion(Number(new URL(reached.target.endpoints[0] ?? '').port)),
        /etcdserver/,
      );
      assert.ok(fake.upgrades.some((upgrade) => upgrade.pod === 'etcd-0' && upgrade.port === 8080));
    } finally {
      await reached.release();
    }
    await assert.rejects(fetch(`${monitorUrl}/voting_view`));
  });

  it('quorumctl status --cluster reaches the member of an inventory entry in Kubernetes', async () => {
    await writeFile(
      home.configPath,
      stringify({
        clusters: [
          {
            name: 'k8s-etcd',
            kind: 'etcd',
            endpoints: ['http://etcd-0.etcd-headless.data.svc:2379'],
            kubernetes: {
              context: 'kind-fake',
              namespace: 'data',
              workload: 'StatefulSet/etcd',
              pods: ['etcd-0'],
              port: 2379,
              labels: { 'app.kubernetes.io/name': 'etcd' },
            },
          },
        ],
      }),
    );
    const upgradesBefore = fake.upgrades.length;
    const result = await home.run(['status', '--cluster', 'k8s-etcd', '-o', 'json'], {
      env: { KUBECONFIG: kubeconfig },
      timeoutMs: 30_000,
    });
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const status = JSON.parse(result.stdout) as {
      result: { members: { name: string; reachable?: boolean }[]; leaderId?: string };
    };
    assert.equal(status.result.members.length, 1, result.stdout);
    assert.equal(status.result.members[0]?.name, 's1');
    assert.ok(status.result.leaderId !== undefined, result.stdout);
    assert.ok(fake.upgrades.length > upgradesBefore, 'status went through the tunnel');
  });

  it('an unknown --kube-context is a usage error listing the contexts', async () => {
    const result = await home.run(
      ['status', '--cluster', 'k8s-etcd', '--kube-context', 'prod', '-o', 'json'],
      { env: { KUBECONFIG: kubeconfig } },
    );
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stdout, /KUBE_CONTEXT_NOT_FOUND/);
    assert.match(result.stdout, /kind-fake/);
  });
});
