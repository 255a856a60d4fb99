// `preflight --from-cluster` against a fake API server (nock): kubeadm's etcd static pods, a
// ZooKeeper StatefulSet whose zoo.cfg is in a ConfigMap, and a StatefulSet that does not exist.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import nock from 'nock';
import { stringify } from 'yaml';
import { runInProcess } from '../support/cli-in-process.js';
import { REPO_ROOT } from '../support/cli.js';
import {
  FAKE_API_SERVER,
  interceptKubernetesApi,
  statusBody,
  writeKubeconfig,
} from '../support/kube-fake.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/kubernetes/preflight');
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as unknown;

interface Envelope {
  kind: string;
  status: number;
  result?: {
    kind: string;
    verdict: string;
    findings: { ruleId: string; location?: { file: string; line: number } }[];
    files: { file: string; format: string; member?: string }[];
  };
  error?: { code: string; message: string };
}

describe('quorumctl preflight --from-cluster (nock API server)', () => {
  interceptKubernetesApi();
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quorumctl-preflight-cluster-'));
    env = {
      KUBECONFIG: await writeKubeconfig(dir, [{ name: 'kubeadm', namespace: 'data' }]),
    };
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('kubeadm static pods: every member read, a mismatched heartbeat found at cluster: lines', async () => {
    const scope = nock(FAKE_API_SERVER)
      .get('/api/v1/namespaces/kube-system/pods')
      .query({ labelSelector: 'component=etcd' })
      .reply(200, fixture('kubeadm-etcd-pods.json'));
    const result = await runInProcess(
      ['preflight', '--from-cluster', '--control-plane', '-o', 'json'],
      env,
    );
    assert.ok(scope.isDone());
    const envelope = JSON.parse(result.stdout) as Envelope;
    assert.equal(envelope.kind, 'PreflightReport', result.stderr);
    assert.deepEqual(
      envelope.result?.files.map((file) => [file.file, file.member]),
      ['cp1', 'cp2', 'cp3'].map((name) => [`cluster:kubeadm/kube-system/pod/etcd-${name}`, name]),
    );
    const timing = envelope.result?.findings
      .filter((finding) => finding.ruleId === 'ETCD-TIME-3')
      .map((finding) => finding.location && `${finding.location.file}:${finding.location.line}`);
    // cp1 and cp2 at their etcd container (line 25); cp3 at its --election-timeout line.
    assert.deepEqual(timing, [
      'cluster:kubeadm/kube-system/pod/etcd-cp1:25',
      'cluster:kubeadm/kube-system/pod/etcd-cp2:25',
      'cluster:kubeadm/kube-system/pod/etcd-cp3:47',
    ]);
  });

  test('the table names the finding at its cluster: source', async () => {
    nock(FAKE_API_SERVER)
      .get('/api/v1/namespaces/kube-system/pods')
      .query({ labelSelector: 'component=etcd' })
      .reply(200, fixture('kubeadm-etcd-pods.json'));
    const result = await runInProcess(
      ['preflight', '--from-cluster', '--control-plane', '--fail-on', 'warn'],
      env,
    );
    assert.equal(result.code, 1, result.stderr);
    assert.ok(
      result.stdout.includes('ETCD-TIME-3  cluster:kubeadm/kube-system/pod/etcd-cp3:47:'),
      result.stdout,
    );
  });

  test('a ZooKeeper StatefulSet: zoo.cfg read from its ConfigMap', async () => {
    const scope = nock(FAKE_API_SERVER)
      .get('/apis/apps/v1/namespaces/data/statefulsets/zk')
      .reply(200, fixture('zk-statefulset.json'))
      .get('/api/v1/namespaces/data/configmaps/zk-config')
      .reply(200, fixture('zk-config.json'))
      .get('/api/v1/namespaces/data/configmaps/zk-scripts')
      .reply(200, fixture('zk-scripts.json'));
    const result = await runInProcess(
      ['preflight', '--from-cluster', '-n', 'data', '--statefulset', 'zk', '-o', 'json'],
      env,
    );
    assert.ok(scope.isDone(), scope.pendingMocks().join(', '));
    const envelope = JSON.parse(result.stdout) as Envelope;
    assert.equal(envelope.result?.kind, 'zookeeper', result.stderr);
    assert.equal(envelope.status, 1);
    const at = (ruleId: string) =>
      envelope.result?.findings
        .filter((finding) => finding.ruleId === ruleId)
        .map((finding) => finding.location && `${finding.location.file}:${finding.location.line}`);
    const source = 'cluster:kubeadm/data/configmap/zk-config/zoo.cfg';
    assert.deepEqual(at('ZK-SYNC-1'), [`${source}:6`]);
    assert.deepEqual(at('ZK-4LW-1'), [`${source}:7`]);
  });

  test('a StatefulSet that does not exist: exit 2 naming it', async () => {
    const scope = nock(FAKE_API_SERVER)
      .get('/apis/apps/v1/namespaces/data/statefulsets/zk')
      .reply(
        404,
        statusBody(404, 'NotFound', 'statefulsets.apps "zk" not found', {
          name: 'zk',
          group: 'apps',
          kind: 'statefulsets',
        }),
      );
    const result = await runInProcess(['preflight', '--from-cluster', '--statefulset', 'zk'], env);
    assert.ok(scope.isDone());
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /statefulsets\.apps "zk" does not exist in namespace "data"/);
  });

  test('files and --from-cluster together, or no workload named: usage errors, no API call', async () => {
    const both = await runInProcess(
      ['preflight', '--from-cluster', '--control-plane', 'etcd.yaml'],
      env,
    );
    assert.equal(both.code, 2);
    assert.match(both.stderr, /drop the files \(etcd\.yaml\)/);
    const none = await runInProcess(['preflight', '--from-cluster'], env);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--control-plane, --statefulset NAME, --pod NAME or --cluster NAME/);
  });

  test('--cluster NAME: the StatefulSet the inventory entry recorded, in its namespace', async () => {
    const inventory = join(dir, 'inventory.yaml');
    await writeFile(
      inventory,
      stringify({
        clusters: [
          {
            name: 'kubeadm.data.zk',
            kind: 'zookeeper',
            endpoints: ['zookeeper://zk-0.zk-headless.data.svc:2181'],
            kubernetes: {
              context: 'kubeadm',
              namespace: 'data',
              workload: 'StatefulSet/zk',
              pods: ['zk-0'],
              port: 2181,
              labels: { 'app.kubernetes.io/name': 'zookeeper' },
            },
          },
        ],
      }),
    );
    const scope = nock(FAKE_API_SERVER)
      .get('/apis/apps/v1/namespaces/data/statefulsets/zk')
      .reply(200, fixture('zk-statefulset.json'))
      .get('/api/v1/namespaces/data/configmaps/zk-config')
      .reply(200, fixture('zk-config.json'))
      .get('/api/v1/namespaces/data/configmaps/zk-scripts')
      .reply(404, statusBody(404, 'NotFound', 'configmaps "zk-scripts" not found'));
    const result = await runInProcess(
      ['preflight', '--from-cluster', '--config', inventory, '-c', 'kubeadm.data.zk', '--json'],
      env,
    );
    assert.ok(scope.isDone(), scope.pendingMocks().join(', '));
    const envelope = JSON.parse(result.stdout) as Envelope;
    assert.deepEqual(
      envelope.result?.files.map((file) => file.file),
      ['cluster:kubeadm/data/configmap/zk-config/zoo.cfg'],
    );
  });
});
