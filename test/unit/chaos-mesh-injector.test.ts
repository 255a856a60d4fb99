// The Chaos Mesh fault injector against an in-memory KubernetesApi: journal before apply, a
// half-applied fault rolled back, heal idempotent, and healAll from another "process".
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ChaosMeshTarget } from '../../chaos/kubernetes/chaos-mesh.js';
import { healSelected, scopeSelected } from '../../chaos/kubernetes/heal.js';
import {
  ChaosMeshFaultInjector,
  chaosMeshUndoOf,
  kubernetesScope,
} from '../../chaos/kubernetes/injector.js';
import { appendRecord, readJournal } from '../../chaos/faults/journal.js';
import { UnsupportedOperationError } from '../../core/errors.js';
import { forbiddenError, KubernetesForbiddenError } from '../../core/kubernetes/errors.js';
import type { KubernetesObject, ObjectRef } from '../../core/kubernetes/objects.js';
import type { KubernetesApi } from '../../core/kubernetes/port.js';

const target: ChaosMeshTarget = {
  namespace: 'db',
  clusterLabels: { app: 'etcd' },
  pods: { 'etcd-0': 'etcd-0', 'etcd-1': 'etcd-1', 'etcd-2': 'etcd-2' },
};
const scope = kubernetesScope('prod', 'db', 'orders');

/** An API server holding objects in memory; `failApply` decides which applies fail. */
class FakeApi implements KubernetesApi {
  readonly context = 'prod';
  readonly server = 'https://fake:6443';
  readonly defaultNamespace = 'default';
  readonly objects = new Map<string, KubernetesObject>();
  readonly calls: string[] = [];
  failApply: (object: KubernetesObject) => Error | undefined = () => undefined;
  onApply: (object: KubernetesObject) => Promise<void> = () => Promise.resolve();

  private key(ref: ObjectRef): string {
    return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
  }
  async apply(object: KubernetesObject) {
    this.calls.push(`apply ${object.kind} ${object.metadata.name}`);
    await this.onApply(object);
    const failure = this.failApply(object);
    if (failure !== undefined) throw failure;
    const ref = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      namespace: object.metadata.namespace ?? '',
      name: object.metadata.name,
    };
    const existed = this.objects.has(this.key(ref));
    this.objects.set(this.key(ref), object);
    return { ref, action: existed ? ('configured' as const) : ('created' as const) };
  }
  delete(ref: ObjectRef) {
    this.calls.push(`delete ${ref.kind} ${ref.name}`);
    return Promise.resolve(
      this.objects.delete(this.key(ref)) ? ('deleted' as const) : ('absent' as const),
    );
  }
  list(kind: { apiVersion: string; kind: string; namespace: string }, labelSelector?: string) {
    this.calls.push(`list ${kind.kind} ${labelSelector ?? ''}`);
    const [label, value] = (labelSelector ?? '=').split('=');
    return Promise.resolve(
      [...this.objects.values()].filter(
        (object) =>
          object.kind === kind.kind &&
          object.metadata.namespace === kind.namespace &&
          (label === '' || object.metadata.labels?.[label ?? ''] === value),
      ),
    );
  }
  listPods = () => Promise.reject(new Error('unused'));
  listStatefulSets = () => Promise.reject(new Error('unused'));
  readPod = () => Promise.reject(new Error('unused'));
  readStatefulSet = () => Promise.reject(new Error('unused'));
  readConfigMap = () => Promise.reject(new Error('unused'));
  readSecret = () => Promise.reject(new Error('unused'));
  assertNamespace = () => Promise.resolve();
  portForward = () => Promise.reject(new Error('unused'));
  close = () => Promise.resolve();
}

const dirs: string[] = [];
async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'qctl-chaos-mesh-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('ChaosMeshFaultInjector', () => {
  test('records the fault in the journal before the first apply, with what heal needs', async () => {
    const dir = await stateDir();
    const api = new FakeApi();
    const seenAtApply: number[] = [];
    api.onApply = async () => {
      seenAtApply.push((await readJournal(dir)).length);
    };
    const injector = new ChaosMeshFaultInjector({
      api,
      stateDir: dir,
      scope,
      target,
      kubeconfig: '/home/ops/.kube/config',
      safetyDurationMs: 60_000,
    });
    const record = await injector.inject({ kind: 'isolate', members: ['etcd-0', 'etcd-1'] });
    assert.deepEqual(seenAtApply, [1, 1]);
    assert.equal(record.scope.sandbox, 'kubernetes/prod/db/orders');
    const undo = chaosMeshUndoOf(record);
    assert.equal(undo?.context, 'prod');
    assert.equal(undo?.kubeconfig, '/home/ops/.kube/config');
    assert.deepEqual(
      undo?.resources.map((ref) => `${ref.kind} ${ref.namespace ?? ''} ${ref.name}`),
      [
        `NetworkChaos db qctl-${record.id}-isolate-etcd-0`,
        `NetworkChaos db qctl-${record.id}-isolate-etcd-1`,
      ],
    );
    const applied = [...api.objects.values()];
    assert.equal(applied.length, 2);
    for (const object of applied) {
      assert.equal(object.metadata.labels?.['quorumctl.io/fault-id'], record.id);
      assert.equal((object.spec as { duration?: string }).duration, '1m');
    }
    assert.deepEqual(await injector.active(), [record]);
  });

  test('a failed second apply deletes the first and rethrows the typed 403; nothing stays recorded', async () => {
    const dir = await stateDir();
    const api = new FakeApi();
    let applies = 0;
    api.failApply = (object) =>
      ++applies === 2
        ? forbiddenError(
            {
              verb: 'patch',
              resource: 'networkchaos',
              group: 'chaos-mesh.org',
              namespace: 'db',
              name: object.metadata.name,
            },
            { context: 'prod', server: api.server },
          )
        : undefined;
    const injector = new ChaosMeshFaultInjector({ api, stateDir: dir, scope, target });
    await assert.rejects(
      injector.inject({ kind: 'isolate', members: ['etcd-0', 'etcd-1'] }),
      (error: unknown) =>
        error instanceof KubernetesForbiddenError &&
        error.exitCode === 7 &&
        error.message.includes('networkchaos') &&
        error.message.includes('docs/kubernetes-rbac.md#chaos-mesh'),
    );
    assert.equal(api.objects.size, 0);
    assert.match(
      api.calls.at(-1) ?? '',
      /^delete NetworkChaos qctl-isolate-[0-9a-f]+-isolate-etcd-0$/,
    );
    assert.deepEqual(await readJournal(dir), []);
  });

  test('pause is refused before anything is recorded or applied', async () => {
    const dir = await stateDir();
    const api = new FakeApi();
    const injector = new ChaosMeshFaultInjector({ api, stateDir: dir, scope, target });
    await assert.rejects(
      injector.inject({ kind: 'pause', members: ['etcd-0'] }),
      (error: unknown) =>
        error instanceof UnsupportedOperationError && error.code === 'CHAOS_MESH_NO_PAUSE',
    );
    assert.deepEqual(api.calls, []);
    assert.deepEqual(await readJournal(dir), []);
  });

  test('heal deletes the resources and forgets the fault; a second heal is a no-op', async () => {
    const dir = await stateDir();
    const api = new FakeApi();
    const injector = new ChaosMeshFaultInjector({ api, stateDir: dir, scope, target });
    const record = await injector.inject({ kind: 'kill', members: ['etcd-2'] });
    assert.equal(api.objects.size, 1);
    await injector.heal(record);
    assert.equal(api.objects.size, 0);
    assert.deepEqual(await readJournal(dir), []);
    await injector.heal(record);
    assert.equal(api.calls.filter((call) => call.startsWith('delete')).length, 2);
  });

  test('healAll from another process deletes recorded and labelled resources of its scope only', async () => {
    const dir = await stateDir();
    const api = new FakeApi();
    const first = new ChaosMeshFaultInjector({ api, stateDir: dir, scope, target });
    const record = await first.inject({
      kind: 'partition',
      members: [],
      groups: [['etcd-0'], ['etcd-1', 'etcd-2']],
    });
    // A resource of the same fault the record does not name (applied by another version).
    await api.apply({
      apiVersion: 'chaos-mesh.org/v1alpha1',
      kind: 'PodChaos',
      metadata: { name: 'stray', namespace: 'db', labels: { 'quorumctl.io/fault-id': record.id } },
    });
    // Another cluster's fault in the same journal stays.
    const otherScope = kubernetesScope('prod', 'db', 'billing');
    const other = new ChaosMeshFaultInjector({ api, stateDir: dir, scope: otherScope, target });
    const kept = await other.inject({ kind: 'kill', members: ['etcd-0'] });

    const later = new ChaosMeshFaultInjector({ api, stateDir: dir, scope });
    const report = await later.healAll();
    assert.deepEqual(
      report.healed.map((healed) => healed.id),
      [record.id],
    );
    assert.deepEqual(report.failed, []);
    assert.deepEqual(
      [...api.objects.values()].map((object) => object.metadata.name),
      [`qctl-${kept.id}-kill`],
    );
    assert.deepEqual(
      (await readJournal(dir)).map((left) => left.id),
      [kept.id],
    );
  });

  test('chaos heal: kubernetes scopes open the recorded context; a failing context fails only its faults', async () => {
    const dir = await stateDir();
    const api = new FakeApi();
    const injector = new ChaosMeshFaultInjector({
      api,
      stateDir: dir,
      scope,
      target,
      kubeconfig: '/tmp/kc',
    });
    const record = await injector.inject({ kind: 'kill', members: ['etcd-0'] });
    const broken = {
      ...record,
      id: 'kill-00000000',
      scope: { stateDir: dir, sandbox: 'kubernetes/gone/db/x' },
    };
    broken.undo = { ...broken.undo, context: 'gone' };
    await appendRecord(dir, broken);
    const opened: string[] = [];
    const report = await healSelected(dir, { all: true }, (connection) => {
      opened.push(`${connection.context} ${connection.kubeconfig ?? ''}`);
      return connection.context === 'gone'
        ? Promise.reject(new Error('no such context'))
        : Promise.resolve(api);
    });
    assert.deepEqual(opened, ['prod /tmp/kc', 'gone /tmp/kc']);
    assert.deepEqual(
      report.healed.map((healed) => healed.id),
      [record.id],
    );
    assert.equal(report.failed.length, 1);
    assert.match(report.failed[0]?.error ?? '', /cannot open context "gone"/);
    assert.equal(api.objects.size, 0);
  });

  test('scope selection: --cluster matches the last part of kubernetes scopes only', () => {
    assert.equal(scopeSelected('kubernetes/prod/db/orders', { cluster: 'orders' }), true);
    assert.equal(scopeSelected('orders', { cluster: 'orders' }), false);
    assert.equal(scopeSelected('local', { sandbox: 'local' }), true);
    assert.equal(scopeSelected('kubernetes/prod/db/orders', { all: true }), true);
  });
});
