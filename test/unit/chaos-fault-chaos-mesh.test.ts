// Chaos Mesh resources from fault specs (pure), checked against the CRD fields of chaos-mesh.org/v1alpha1 (NetworkChaos, PodChaos).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import {
  chaosMeshResources,
  chaosMeshYaml,
  goDuration,
  partitionCuts,
  POD_NAME_LABEL,
  type ChaosMeshTarget,
} from '../../chaos/kubernetes/chaos-mesh.js';
import { UnsupportedOperationError, UsageError } from '../../core/errors.js';

const target: ChaosMeshTarget = {
  namespace: 'db',
  clusterLabels: { 'app.kubernetes.io/name': 'etcd' },
  pods: { n1: 'etcd-0', n2: 'etcd-1', n3: 'etcd-2', n4: 'etcd-3', n5: 'etcd-4' },
};

/** Fields the CRDs define (api/v1alpha1 networkchaos_types.go, podchaos_types.go, selector.go). */
const NETWORK_CHAOS_FIELDS = new Set([
  'action',
  'mode',
  'value',
  'selector',
  'duration',
  'delay',
  'loss',
  'direction',
  'target',
]);
const POD_CHAOS_FIELDS = new Set([
  'action',
  'mode',
  'value',
  'selector',
  'duration',
  'gracePeriod',
  'containerNames',
]);
const SELECTOR_FIELDS = new Set([
  'namespaces',
  'labelSelectors',
  'expressionSelectors',
  'pods',
  'fieldSelectors',
  'annotationSelectors',
  'nodes',
  'nodeSelectors',
  'podPhaseSelectors',
]);

function assertCrdShape(resource: ReturnType<typeof chaosMeshResources>[number]): void {
  assert.equal(resource.apiVersion, 'chaos-mesh.org/v1alpha1');
  const fields = resource.kind === 'NetworkChaos' ? NETWORK_CHAOS_FIELDS : POD_CHAOS_FIELDS;
  for (const key of Object.keys(resource.spec))
    assert.ok(fields.has(key), `${resource.kind}.spec.${key}`);
  assert.ok(
    ['one', 'all', 'fixed', 'fixed-percent', 'random-max-percent'].includes(
      String(resource.spec.mode),
    ),
  );
  const selectors = [
    resource.spec.selector,
    (resource.spec.target as { selector?: unknown } | undefined)?.selector,
  ];
  for (const selector of selectors.filter((value) => value !== undefined))
    for (const key of Object.keys(selector as object))
      assert.ok(SELECTOR_FIELDS.has(key), `selector.${key}`);
  if (resource.kind === 'NetworkChaos') {
    assert.ok(['partition', 'delay', 'loss'].includes(String(resource.spec.action)));
    assert.ok(['to', 'from', 'both'].includes(String(resource.spec.direction)));
  } else {
    assert.ok(['pod-kill', 'pod-failure', 'container-kill'].includes(String(resource.spec.action)));
  }
  assert.match(resource.metadata.name, /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
}

describe('Chaos Mesh resources', () => {
  test('isolate: a partition of the member against every other cluster pod, both ways, for the duration', () => {
    const [resource, ...rest] = chaosMeshResources({ kind: 'isolate', members: ['n1'] }, target, {
      name: 'drill',
      durationMs: 10_000,
      faultId: 'isolate-1a2b3c4d',
    });
    assert.equal(rest.length, 0);
    assert.ok(resource);
    assertCrdShape(resource);
    assert.equal(resource.kind, 'NetworkChaos');
    assert.deepEqual(resource.metadata, {
      name: 'drill-isolate-n1',
      namespace: 'db',
      labels: {
        'app.kubernetes.io/managed-by': 'quorumctl',
        'quorumctl.io/fault-id': 'isolate-1a2b3c4d',
      },
    });
    assert.deepEqual(resource.spec, {
      action: 'partition',
      mode: 'all',
      selector: { pods: { db: ['etcd-0'] } },
      direction: 'both',
      target: {
        mode: 'all',
        selector: {
          namespaces: ['db'],
          labelSelectors: { 'app.kubernetes.io/name': 'etcd' },
          expressionSelectors: [{ key: POD_NAME_LABEL, operator: 'NotIn', values: ['etcd-0'] }],
        },
      },
      duration: '10s',
    });
  });

  test('isolating two members gives one resource each (each loses everyone else)', () => {
    const resources = chaosMeshResources({ kind: 'isolate', members: ['n1', 'n2'] }, target, {
      name: 'drill',
    });
    assert.deepEqual(
      resources.map((resource) => resource.metadata.name),
      ['drill-isolate-n1', 'drill-isolate-n2'],
    );
    assert.ok(
      resources.every((resource) => !('duration' in resource.spec)),
      'no duration: held until deleted',
    );
  });

  test('bridge partition: one resource cuts n1,n2 from n4,n5; the bridge n3 keeps both sides', () => {
    const resources = chaosMeshResources(
      {
        kind: 'partition',
        members: [],
        groups: [
          ['n1', 'n2', 'n3'],
          ['n3', 'n4', 'n5'],
        ],
      },
      target,
      { name: 'bridge', durationMs: 30_000 },
    );
    assert.equal(resources.length, 1);
    const [resource] = resources;
    assert.ok(resource);
    assertCrdShape(resource);
    assert.deepEqual(resource.spec.selector, { pods: { db: ['etcd-0', 'etcd-1'] } });
    assert.deepEqual(resource.spec.target, {
      mode: 'all',
      selector: { pods: { db: ['etcd-3', 'etcd-4'] } },
    });
    assert.equal(resource.spec.direction, 'both');
  });

  test('partition cuts cover every cut pair exactly once, for any grouping', () => {
    const members = ['n1', 'n2', 'n3', 'n4', 'n5'];
    const cases: string[][][] = [
      [['n1'], ['n2', 'n3']],
      [['n1', 'n2'], ['n3', 'n4'], ['n5']],
      [
        ['n1', 'n2', 'n3'],
        ['n3', 'n4', 'n5'],
      ],
      [
        ['n1', 'n2'],
        ['n2', 'n3'],
        ['n3', 'n4'],
      ],
    ];
    for (const groups of cases) {
      const expected = new Set<string>();
      for (const a of members)
        for (const b of members)
          if (
            a < b &&
            groups.some((group) => group.includes(a)) &&
            groups.some((group) => group.includes(b)) &&
            !groups.some((group) => group.includes(a) && group.includes(b))
          )
            expected.add(`${a}-${b}`);
      const seen: string[] = [];
      for (const cut of partitionCuts(groups, members))
        for (const a of cut.from)
          for (const b of cut.to) seen.push(a < b ? `${a}-${b}` : `${b}-${a}`);
      assert.deepEqual([...seen].sort(), [...expected].sort(), JSON.stringify(groups));
    }
  });

  test('kill: PodChaos pod-kill, or container-kill with containerNames', () => {
    const [pod] = chaosMeshResources({ kind: 'kill', members: ['n2'] }, target, { name: 'k' });
    assert.ok(pod);
    assertCrdShape(pod);
    assert.deepEqual(pod.spec, {
      action: 'pod-kill',
      mode: 'all',
      selector: { pods: { db: ['etcd-1'] } },
    });
    const [container] = chaosMeshResources(
      { kind: 'kill', members: ['n2', 'n3'] },
      { ...target, containerName: 'etcd' },
      { name: 'k' },
    );
    assert.ok(container);
    assertCrdShape(container);
    assert.equal(container.spec.action, 'container-kill');
    assert.deepEqual(container.spec.containerNames, ['etcd']);
    assert.deepEqual(container.spec.selector, { pods: { db: ['etcd-1', 'etcd-2'] } });
  });

  test('latency and loss: delay{latency,correlation,jitter} and loss{loss,correlation} towards the other members', () => {
    const [delay] = chaosMeshResources(
      { kind: 'latency', members: ['n1'], latencyMs: 250 },
      target,
      {
        name: 'slow',
        durationMs: 90_000,
      },
    );
    assert.ok(delay);
    assertCrdShape(delay);
    assert.equal(delay.spec.action, 'delay');
    assert.deepEqual(delay.spec.delay, { latency: '250ms', correlation: '0', jitter: '0ms' });
    assert.equal(delay.spec.duration, '90s');
    const [loss] = chaosMeshResources({ kind: 'loss', members: ['n1'], lossPercent: 20 }, target, {
      name: 'lossy',
    });
    assert.ok(loss);
    assertCrdShape(loss);
    assert.deepEqual(loss.spec.loss, { loss: '20', correlation: '0' });
  });

  test('pause has no Chaos Mesh equivalent: an explained refusal, not a pod-failure in disguise', () => {
    assert.throws(
      () => chaosMeshResources({ kind: 'pause', members: ['n1'] }, target, { name: 'p' }),
      (error) =>
        error instanceof UnsupportedOperationError &&
        error.message.includes('pod-failure') &&
        error.actions.some((action) => action.includes('kill -STOP')),
    );
  });

  test('unknown members and bad names are usage errors', () => {
    assert.throws(
      () => chaosMeshResources({ kind: 'kill', members: ['n9'] }, target, { name: 'k' }),
      UsageError,
    );
    assert.throws(
      () => chaosMeshResources({ kind: 'kill', members: ['n1'] }, target, { name: 'Bad_Name' }),
      UsageError,
    );
  });

  test('YAML: one document per resource, parseable back', () => {
    const resources = chaosMeshResources({ kind: 'isolate', members: ['n1', 'n2'] }, target, {
      name: 'drill',
    });
    const text = chaosMeshYaml(resources);
    const documents = text
      .split(/^---\n/m)
      .filter((part) => part.trim() !== '')
      .map((part) => parse(part) as unknown);
    assert.deepEqual(documents, resources);
  });

  test('durations in Go syntax', () => {
    assert.equal(goDuration(1500), '1500ms');
    assert.equal(goDuration(20_000), '20s');
    assert.equal(goDuration(120_000), '2m');
    assert.equal(goDuration(7_200_000), '2h');
  });
});
