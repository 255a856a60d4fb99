// `chaos drill --cluster NAME` on an inventory entry in Kubernetes: a REAL etcd sandbox is the
// cluster (kubernetes.reach = direct, pods etcd-0..2 mapped to its members), so the workload
// and the status are real and only Chaos Mesh is faked (nock). Asserted: the PodChaos and
// NetworkChaos server-side applies and the DELETE of the same resources even though the drill
// FAILs (the fault has no effect here: no leader change), a 403 naming networkchaos and the
// RBAC doc with nothing left in the journal, --emit chaos-mesh, and chaos heal --cluster.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import nock from 'nock';
import { parseAllDocuments, stringify } from 'yaml';
import { appendRecord, readJournal } from '../../chaos/faults/journal.js';
import type { SandboxRecord } from '../../sandbox/index.js';
import { createCliHome, type CliHome } from '../support/cli.js';
import { runInProcess } from '../support/cli-in-process.js';
import {
  FAKE_API_SERVER,
  forbiddenBody,
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
interface DrillEnvelope {
  kind: string;
  status: number;
  result?: {
    verdict: string;
    leaderBefore: string | null;
    faults: { id: string }[];
    electionTimeout: { ms: number; source: string };
  };
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

/** stdout under -o json is exactly one document. */
function envelopeIn(stdout: string): DrillEnvelope {
  return JSON.parse(stdout) as DrillEnvelope;
}

describe('chaos drill against a cluster in Kubernetes (Chaos Mesh via nock, real etcd)', () => {
  interceptKubernetesApi({ loopback: true });
  let home: CliHome;
  let record: SandboxRecord;
  let env: Record<string, string>;
  let stateDir: string;
  let runs = 0;
  const drillArgs = (scenario: string) => [
    'chaos',
    'drill',
    scenario,
    '--cluster',
    'orders',
    '--state-dir',
    stateDir,
    '--duration',
    '1s',
    '--clients',
    '2',
    '--checker-timeout',
    '10s',
    '--yes',
    '-o',
    'json',
  ];

  before(async () => {
    home = await createCliHome();
    record = await home.sandboxUp('kube', ['--kind', 'etcd', '--members', '3']);
    const inventory = join(home.dir, 'kubernetes.yaml');
    await writeFile(
      inventory,
      stringify({
        apiVersion: 'quorumctl/v1',
        clusters: [
          {
            name: 'orders',
            kind: 'etcd',
            endpoints: record.endpoints,
            kubernetes: {
              context: 'fake',
              namespace: NS,
              workload: 'StatefulSet/etcd',
              pods: PODS,
              port: 2379,
              labels: { 'app.kubernetes.io/name': 'etcd' },
              reach: 'direct',
            },
          },
        ],
      }),
    );
    env = {
      KUBECONFIG: await writeKubeconfig(join(home.dir, 'kube')),
      QUORUMCTL_CONFIG: inventory,
    };
  });
  beforeEach(() => {
    // A journal per test: a failed heal in one must not become the next one's leftover.
    stateDir = join(home.dir, `drill-state-${++runs}`);
  });
  after(async () => {
    await home.cleanup();
  });

  test('kill-leader: PodChaos on the leader pod applied, FAIL (no effect), and the PodChaos still deleted', async () => {
    const applied: AppliedBody[] = [];
    const deleted: string[] = [];
    const scope = nock(FAKE_API_SERVER)
      .patch(chaosPath(NS, 'podchaos'), recordApplied(applied))
      .query(APPLY_QUERY)
      .reply(201, () => applied.at(-1) ?? {})
      .delete(recordDeleted(NS, 'podchaos', deleted))
      .reply(200, statusBody(200, '', 'deleted'))
      // The first member pod, for the election timeout its server was started with.
      .get(`/api/v1/namespaces/${NS}/pods/etcd-0`)
      .reply(200, {
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: { name: 'etcd-0', namespace: NS },
        spec: { containers: [{ name: 'etcd', command: ['etcd', '--election-timeout=1500'] }] },
      });
    const result = await runInProcess(drillArgs('kill-leader'), env);
    const envelope = envelopeIn(result.stdout);
    assert.ok(scope.isDone(), `pending: ${scope.pendingMocks().join(', ')}\n${result.stderr}`);
    assert.deepEqual(envelope.result?.electionTimeout, {
      ms: 1500,
      source: '--election-timeout 1500 of pod etcd-0',
    });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(envelope.result?.verdict, 'FAIL');
    const leader = envelope.result?.leaderBefore ?? '';
    assert.ok(PODS.includes(leader), `leader named by pod: ${leader}`);
    assert.equal(applied.length, 1);
    const podChaos = applied[0];
    assert.equal(podChaos?.kind, 'PodChaos');
    assert.equal(podChaos?.spec.action, 'pod-kill');
    assert.deepEqual(podChaos?.spec.selector.pods, { [NS]: [leader] });
    assert.equal(
      podChaos?.metadata.labels['quorumctl.io/fault-id'],
      envelope.result?.faults[0]?.id,
    );
    assert.deepEqual(
      deleted,
      [podChaos?.metadata.name],
      `the same PodChaos is deleted: ${JSON.stringify(envelope.result?.faults)}`,
    );
    assert.deepEqual(await readJournal(stateDir), []);
  });

  test('isolate-leader: a NetworkChaos partition of the leader pod, deleted at heal', async () => {
    const applied: AppliedBody[] = [];
    const deleted: string[] = [];
    const scope = nock(FAKE_API_SERVER)
      .patch(chaosPath(NS, 'networkchaos'), recordApplied(applied))
      .query(APPLY_QUERY)
      .reply(201, () => applied.at(-1) ?? {})
      .delete(recordDeleted(NS, 'networkchaos', deleted))
      .reply(200, statusBody(200, '', 'deleted'));
    const result = await runInProcess(drillArgs('isolate-leader'), env);
    assert.ok(scope.isDone(), `pending: ${scope.pendingMocks().join(', ')}\n${result.stderr}`);
    const envelope = envelopeIn(result.stdout);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(applied[0]?.kind, 'NetworkChaos');
    assert.equal(applied[0]?.spec.action, 'partition');
    assert.deepEqual(applied[0]?.spec.selector.pods, { [NS]: [envelope.result?.leaderBefore] });
    assert.deepEqual(deleted, [applied[0]?.metadata.name]);
    // No answer for the pod here: the drill judges by etcd's default and says why.
    assert.equal(envelope.result?.electionTimeout.ms, 1000);
    assert.match(envelope.result?.electionTimeout.source ?? '', /pod etcd-0 not read/);
  });

  test('a 403 on the NetworkChaos exits 7 naming networkchaos and the RBAC doc; nothing stays recorded', async () => {
    const scope = nock(FAKE_API_SERVER)
      .patch(chaosPath(NS, 'networkchaos'))
      .query(APPLY_QUERY)
      .reply(403, forbiddenBody('patch', 'networkchaos', 'chaos-mesh.org', NS));
    const result = await runInProcess(drillArgs('isolate-leader'), env);
    assert.ok(scope.isDone(), result.stderr);
    assert.equal(result.code, 7, result.stdout + result.stderr);
    const envelope = envelopeIn(result.stdout);
    assert.equal(envelope.error?.code, 'KUBERNETES_FORBIDDEN');
    assert.match(envelope.error?.message ?? '', /networkchaos/);
    assert.match(envelope.error?.message ?? '', /docs\/kubernetes-rbac\.md#chaos-mesh/);
    assert.deepEqual(await readJournal(stateDir), []);
  });

  test('--emit chaos-mesh prints the PodChaos for the current leader and calls no API', async () => {
    const result = await runInProcess(
      ['chaos', 'drill', 'kill-leader', '--cluster', 'orders', '--emit', 'chaos-mesh'],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    // From our header on: the test reporter's own lines may land in the captured stdout.
    const yamlText = result.stdout.slice(result.stdout.indexOf('# kill-leader on orders'));
    const docs = parseAllDocuments(yamlText)
      .map((doc) => doc.toJS() as AppliedBody | null)
      .filter((doc) => doc !== null);
    assert.equal(docs.length, 1);
    assert.equal(docs[0]?.kind, 'PodChaos');
    const leader = /leader now: (\S+)\)/.exec(result.stdout)?.[1] ?? '';
    assert.deepEqual(docs[0]?.spec.selector.pods, { [NS]: [leader] });
  });

  test('chaos heal --cluster deletes what a killed run left, through the recorded context', async () => {
    const name = 'qctl-kill-0badc0de-kill';
    await appendRecord(stateDir, {
      id: 'kill-0badc0de',
      scope: { stateDir, sandbox: `kubernetes/fake/${NS}/orders` },
      spec: { kind: 'kill', members: ['etcd-1'] },
      appliedAt: new Date().toISOString(),
      ownerPid: 999_999_999,
      undo: {
        engine: 'chaos-mesh',
        context: 'fake',
        namespace: NS,
        resources: [
          { apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'PodChaos', namespace: NS, name },
        ],
      },
    });
    const listed = await runInProcess(
      ['chaos', 'faults', '--cluster', 'orders', '--state-dir', stateDir, '-o', 'json'],
      env,
    );
    assert.match(listed.stdout, /kill-0badc0de/);
    const scope = nock(FAKE_API_SERVER)
      .get(`/apis/chaos-mesh.org/v1alpha1/namespaces/${NS}/networkchaos`)
      .query({ labelSelector: 'quorumctl.io/fault-id=kill-0badc0de' })
      .reply(200, { kind: 'NetworkChaosList', apiVersion: 'chaos-mesh.org/v1alpha1', items: [] })
      .get(`/apis/chaos-mesh.org/v1alpha1/namespaces/${NS}/podchaos`)
      .query({ labelSelector: 'quorumctl.io/fault-id=kill-0badc0de' })
      .reply(200, { kind: 'PodChaosList', apiVersion: 'chaos-mesh.org/v1alpha1', items: [] })
      .delete(`/apis/chaos-mesh.org/v1alpha1/namespaces/${NS}/podchaos/${name}`)
      .reply(404, statusBody(404, 'NotFound', `podchaos "${name}" not found`));
    const healed = await runInProcess(
      ['chaos', 'heal', '--cluster', 'orders', '--state-dir', stateDir, '-o', 'json'],
      env,
    );
    assert.ok(scope.isDone(), `pending: ${scope.pendingMocks().join(', ')}\n${healed.stderr}`);
    assert.equal(healed.code, 0, healed.stdout + healed.stderr);
    assert.deepEqual(await readJournal(stateDir), []);
  });
});
