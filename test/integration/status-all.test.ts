/**
 * `status --all`: every inventory cluster at once (one live etcd, one dead endpoint: exit 5,
 * both listed), and every cluster discovered in a Kubernetes context: a fake API server
 * (real HTTP server) lists a Bitnami etcd StatefulSet and forwards its pod's port to a real
 * etcd, so the status comes from a live server through discovery and port-forward.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { Pod, StatefulSet } from '../../core/kubernetes/objects.js';
import type { ClusterStatusList } from '../../ops/status-all.js';
import { createCliHome, type CliHome } from '../support/cli.js';
import { listBody, writeKubeconfig } from '../support/kube-fake.js';
import {
  startFakePortForwardServer,
  type FakePortForwardServer,
} from '../support/kube-portforward-server.js';
import { startStandaloneEtcd, type StandaloneEtcd } from '../support/standalone-etcd.js';

const LABELS = { 'app.kubernetes.io/name': 'etcd', 'app.kubernetes.io/instance': 'etcd' };

const statefulSet: StatefulSet = {
  metadata: { name: 'etcd', namespace: 'data', labels: LABELS },
  spec: {
    replicas: 1,
    serviceName: 'etcd-headless',
    selector: { matchLabels: LABELS },
    template: {
      metadata: { labels: LABELS },
      spec: {
        containers: [
          {
            name: 'etcd',
            image: 'docker.io/bitnami/etcd:3.5.17-debian-12-r0',
            ports: [{ name: 'client', containerPort: 2379 }],
          },
        ],
      },
    },
  },
};

const pod: Pod = {
  metadata: { name: 'etcd-0', namespace: 'data', labels: LABELS },
  spec: statefulSet.spec.template.spec,
  status: { phase: 'Running', podIP: '10.244.0.7' },
};

function parseList(stdout: string): ClusterStatusList {
  return (JSON.parse(stdout) as { result: ClusterStatusList }).result;
}

describe('status --all', () => {
  let etcd: StandaloneEtcd;
  let fake: FakePortForwardServer;
  let home: CliHome;

  before(async () => {
    etcd = await startStandaloneEtcd();
    fake = await startFakePortForwardServer({
      pods: { 'data/etcd-0': Number(new URL(etcd.clientUrl).port) },
      json: {
        '/api/v1/pods': listBody('PodList', 'v1', [pod]),
        '/apis/apps/v1/statefulsets': listBody('StatefulSetList', 'apps/v1', [statefulSet]),
      },
    });
    home = await createCliHome();
  });
  after(async () => {
    await fake.close();
    await etcd.stop();
    await home.cleanup();
  });

  it('reads every inventory cluster; one that does not answer is listed with its error (exit 5)', async () => {
    await writeFile(
      home.configPath,
      stringify({
        clusters: [
          { name: 'live', kind: 'etcd', endpoints: [etcd.clientUrl] },
          { name: 'gone', kind: 'etcd', endpoints: ['http://127.0.0.1:9'] },
        ],
      }),
    );
    const result = await home.run(['status', '--all', '-o', 'json', '--timeout', '1s']);
    assert.equal(result.code, 5, result.stderr);
    const list = parseList(result.stdout);
    assert.deepEqual(
      list.clusters.map((entry) => [entry.cluster, entry.source, entry.error === undefined]),
      [
        ['live', 'inventory', true],
        ['gone', 'inventory', false],
      ],
    );
    assert.ok(list.clusters[0]?.status?.members.some((member) => member.role === 'leader'));

    const table = await home.run(['status', '--all', '--timeout', '1s']);
    assert.equal(table.code, 5);
    assert.match(table.stdout, /== live \(etcd, inventory\) ==/);
    assert.match(table.stdout, /== gone \(etcd, inventory\) ==\nunreachable/);
    assert.match(table.stdout, /1 of 2 clusters answered/);
  });

  it('with --kube-context: the clusters discovered there, reached through port-forward', async () => {
    const kubeconfig = await writeKubeconfig(join(home.dir, 'kube'), [
      { name: 'kind-fake', namespace: 'data', server: fake.url },
    ]);
    const upgradesBefore = fake.upgrades.length;
    const result = await home.run(
      ['status', '--all', '--kube-context', 'kind-fake', '-o', 'json'],
      { env: { KUBECONFIG: kubeconfig } },
    );
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const [entry, ...others] = parseList(result.stdout).clusters;
    assert.deepEqual(others, []);
    assert.equal(entry?.cluster, 'kind-fake.data.etcd');
    assert.equal(entry.source, 'kubernetes:kind-fake');
    assert.equal(entry.status?.members.length, 1);
    assert.equal(entry.status.members[0]?.role, 'leader');
    assert.ok(fake.upgrades.length > upgradesBefore, 'the member was reached through port-forward');
    assert.ok(fake.upgrades.slice(upgradesBefore).every((upgrade) => upgrade.pod === 'etcd-0'));
  });
});
