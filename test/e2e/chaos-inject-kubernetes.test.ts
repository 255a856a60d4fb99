// `chaos inject --cluster NAME` on an inventory entry in Kubernetes: one fault as Chaos Mesh
// resources on the named pods (nock as the API server), held, then deleted, with nothing left
// in the fault journal; refusals (an unknown pod, pause, a cluster with no injector) before
// any API call.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import nock from 'nock';
import { stringify } from 'yaml';
import { readJournal } from '../../chaos/faults/journal.js';
import { runInProcess } from '../support/cli-in-process.js';
import {
  FAKE_API_SERVER,
  interceptKubernetesApi,
  statusBody,
  writeKubeconfig,
} from '../support/kube-fake.js';
import {
  APPLY_QUERY,
  chaosPath,
  recordApplied,
  recordDeleted,
  type AppliedBody,
} from '../support/chaos-mesh-fake.js';

const NS = 'db';
const PODS = ['etcd-0', 'etcd-1', 'etcd-2'];

interface InjectEnvelope {
  kind: string;
  result?: { healed: { id: string }[]; failed: unknown[] };
  error?: { code: string; message: string };
}

describe('chaos inject --cluster in Kubernetes (Chaos Mesh via nock)', () => {
  interceptKubernetesApi();
  let dir: string;
  let env: Record<string, string>;
  let stateDir: string;
  let runs = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quorumctl-inject-kube-'));
    const inventory = join(dir, 'inventory.yaml');
    await writeFile(
      inventory,
      stringify({
        apiVersion: 'quorumctl/v1',
        clusters: [
          {
            name: 'orders',
            kind: 'etcd',
            endpoints: PODS.map((pod) => `http://${pod}.etcd-headless.${NS}.svc:2379`),
            kubernetes: {
              context: 'fake',
              namespace: NS,
              workload: 'StatefulSet/etcd',
              pods: PODS,
              port: 2379,
              labels: { 'app.kubernetes.io/name': 'etcd' },
            },
          },
          { name: 'bare-metal', kind: 'etcd', endpoints: ['http://10.0.0.1:2379'] },
        ],
      }),
    );
    env = { KUBECONFIG: await writeKubeconfig(join(dir, 'kube')), QUORUMCTL_CONFIG: inventory };
  });
  beforeEach(() => {
    stateDir = join(dir, `state-${++runs}`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const inject = (...args: string[]) =>
    runInProcess(['chaos', 'inject', ...args, '--state-dir', stateDir, '-o', 'json'], env);

  test('isolate one pod: a NetworkChaos on that pod applied, held, then deleted; exit 0', async () => {
    const applied: AppliedBody[] = [];
    const deleted: string[] = [];
    const scope = nock(FAKE_API_SERVER)
      .patch(chaosPath(NS, 'networkchaos'), recordApplied(applied))
      .query(APPLY_QUERY)
      .reply(201, () => applied.at(-1) ?? {})
      .delete(recordDeleted(NS, 'networkchaos', deleted))
      .reply(200, statusBody(200, '', 'deleted'));
    const result = await inject(
      '--cluster',
      'orders',
      '--fault',
      'isolate',
      '-m',
      'etcd-1',
      '--duration',
      '300ms',
    );
    assert.ok(scope.isDone(), `pending: ${scope.pendingMocks().join(', ')}\n${result.stderr}`);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(applied.length, 1);
    const [networkChaos] = applied;
    assert.equal(networkChaos?.kind, 'NetworkChaos');
    assert.equal(networkChaos?.metadata.namespace, NS);
    assert.equal(networkChaos?.spec.action, 'partition');
    assert.deepEqual(networkChaos?.spec.selector.pods, { [NS]: ['etcd-1'] });
    // Chaos Mesh's own backstop: the hold plus two minutes, should this process be killed.
    assert.equal(networkChaos?.spec.duration, '120300ms');
    assert.deepEqual(deleted, [networkChaos?.metadata.name]);
    const envelope = JSON.parse(result.stdout) as InjectEnvelope;
    assert.equal(envelope.result?.healed.length, 1);
    assert.deepEqual(envelope.result?.failed, []);
    assert.match(result.stderr, /in cluster "orders" \(Chaos Mesh, context "fake"\)/);
    assert.deepEqual(await readJournal(stateDir), []);
  });

  test('a member that is not one of the pods: exit 2 naming the pods, no API call', async () => {
    const result = await inject('--cluster', 'orders', '--fault', 'kill', '-m', 'etcd-9');
    assert.equal(result.code, 2, result.stdout + result.stderr);
    const envelope = JSON.parse(result.stdout) as InjectEnvelope;
    assert.equal(envelope.error?.code, 'FAULT_MEMBER_UNKNOWN');
    assert.match(envelope.error?.message ?? '', /etcd-9/);
    assert.deepEqual(await readJournal(stateDir), []);
  });

  test('pause: refused (Chaos Mesh cannot stop a process), nothing recorded', async () => {
    const result = await inject('--cluster', 'orders', '--fault', 'pause', '-m', 'etcd-0');
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match((JSON.parse(result.stdout) as InjectEnvelope).error?.message ?? '', /pause/i);
    assert.deepEqual(await readJournal(stateDir), []);
  });

  test('a cluster neither sandbox nor in Kubernetes: exit 2, INJECT_TARGET_UNSUPPORTED', async () => {
    const result = await inject('--cluster', 'bare-metal', '--fault', 'kill', '-m', 'n1');
    assert.equal(result.code, 2, result.stdout + result.stderr);
    const envelope = JSON.parse(result.stdout) as InjectEnvelope;
    assert.equal(envelope.error?.code, 'INJECT_TARGET_UNSUPPORTED');
    assert.match(envelope.error?.message ?? '', /bare-metal/);
  });
});
