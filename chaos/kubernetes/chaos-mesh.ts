/**
 * Chaos Mesh resources (chaos-mesh.org/v1alpha1 NetworkChaos and PodChaos) for a FaultSpec on
 * a cluster running in Kubernetes: pure generators, no client. Members are named by their pod
 * (StatefulSet pods etcd-0, etcd-1, ...); "every other member" is the cluster's pods minus
 * those, by label and a NotIn expression on the pod name. chaos/kubernetes/injector.ts applies
 * and deletes them.
 */
import { stringify } from 'yaml';
import { UnsupportedOperationError, UsageError } from '../../core/errors.js';
import type { FaultSpec } from '../faults/types.js';

export const CHAOS_MESH_API_VERSION = 'chaos-mesh.org/v1alpha1';
/** The label StatefulSets put on each pod: how one member is told from the others. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';

export interface ChaosMeshTarget {
  /** Namespace of the cluster's pods (and of the resources). */
  namespace: string;
  /** Labels every pod of the cluster carries, e.g. {app.kubernetes.io/name: etcd}. */
  clusterLabels: Record<string, string>;
  /** Member name -> pod name, e.g. {n1: etcd-0}. */
  pods: Record<string, string>;
  /** container-kill instead of pod-kill, for this container. */
  containerName?: string;
}

export interface ChaosMeshOptions {
  /** Resource name prefix (DNS-1123), e.g. the drill name. */
  name: string;
  /** How long Chaos Mesh keeps the fault; Chaos Mesh recovers it afterwards. */
  durationMs?: number;
  /** Recorded as a label so a heal can delete exactly these resources. */
  faultId?: string;
}

export interface PodSelector {
  namespaces?: string[];
  labelSelectors?: Record<string, string>;
  expressionSelectors?: { key: string; operator: 'In' | 'NotIn'; values: string[] }[];
  pods?: Record<string, string[]>;
}

export interface ChaosMeshResource {
  apiVersion: typeof CHAOS_MESH_API_VERSION;
  kind: 'NetworkChaos' | 'PodChaos';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

/** The resources that inject the fault; several when one selector pair cannot express it. */
export function chaosMeshResources(
  spec: FaultSpec,
  target: ChaosMeshTarget,
  options: ChaosMeshOptions,
): ChaosMeshResource[] {
  assertDnsName(options.name);
  const duration =
    options.durationMs === undefined ? {} : { duration: goDuration(options.durationMs) };
  const resource = (
    kind: ChaosMeshResource['kind'],
    suffix: string,
    body: Record<string, unknown>,
  ): ChaosMeshResource => ({
    apiVersion: CHAOS_MESH_API_VERSION,
    kind,
    metadata: {
      name: `${options.name}-${suffix}`,
      namespace: target.namespace,
      labels: {
        'app.kubernetes.io/managed-by': 'quorumctl',
        ...(options.faultId !== undefined && { 'quorumctl.io/fault-id': options.faultId }),
      },
    },
    spec: { ...body, ...duration },
  });
  switch (spec.kind) {
    case 'kill':
      return [
        resource('PodChaos', 'kill', {
          action: target.containerName === undefined ? 'pod-kill' : 'container-kill',
          mode: 'all',
          selector: podsSelector(target, podsOf(target, spec.members)),
          ...(target.containerName !== undefined && { containerNames: [target.containerName] }),
        }),
      ];
    case 'pause':
      throw pauseUnsupported();
    case 'isolate':
      return spec.members.map((member) => {
        const pod = podsOf(target, [member]);
        return resource('NetworkChaos', `isolate-${dnsPart(member)}`, {
          action: 'partition',
          mode: 'all',
          selector: podsSelector(target, pod),
          direction: 'both',
          target: { mode: 'all', selector: othersSelector(target, pod) },
        });
      });
    case 'partition':
      return partitionCuts(spec.groups ?? [], Object.keys(target.pods)).map((cut, index) =>
        resource('NetworkChaos', `partition-${index + 1}`, {
          action: 'partition',
          mode: 'all',
          selector: podsSelector(target, podsOf(target, cut.from)),
          direction: 'both',
          target: { mode: 'all', selector: podsSelector(target, podsOf(target, cut.to)) },
        }),
      );
    case 'latency':
    case 'loss': {
      const pods = podsOf(target, spec.members);
      const shaping =
        spec.kind === 'latency'
          ? {
              action: 'delay',
              delay: { latency: goDuration(spec.latencyMs ?? 0), correlation: '0', jitter: '0ms' },
            }
          : { action: 'loss', loss: { loss: String(spec.lossPercent ?? 0), correlation: '0' } };
      return [
        resource('NetworkChaos', spec.kind, {
          ...shaping,
          mode: 'all',
          selector: podsSelector(target, pods),
          // Towards the other members only, both ways: peer traffic, as in the sandbox.
          direction: 'both',
          target: { mode: 'all', selector: othersSelector(target, pods) },
        }),
      ];
    }
  }
}

/** Multi-document YAML, ready for `kubectl apply -f -`. */
export function chaosMeshYaml(resources: readonly ChaosMeshResource[]): string {
  return resources.map((resource) => `---\n${stringify(resource)}`).join('');
}

/**
 * Pure: the partition as (from, to) member sets, each cut pair once. Members with the same
 * cut set share a resource; a bridge member (cut from nobody) gets none.
 */
export function partitionCuts(
  groups: readonly string[][],
  members: readonly string[],
): { from: string[]; to: string[] }[] {
  if (groups.length < 2 || groups.some((group) => group.length === 0)) {
    throw new UsageError('FAULT_SPEC_INVALID', 'a partition needs at least two non-empty groups');
  }
  const grouped = members.filter((member) => groups.some((group) => group.includes(member)));
  const cutFrom = (member: string) =>
    grouped.filter(
      (other) =>
        other !== member &&
        !groups.some((group) => group.includes(member) && group.includes(other)),
    );
  const bySet = new Map<string, { from: string[]; to: string[] }>();
  for (const member of grouped) {
    const to = cutFrom(member);
    const key = to.join(',');
    const entry = bySet.get(key) ?? { from: [], to };
    entry.from.push(member);
    bySet.set(key, entry);
  }
  const covered = new Set<string>();
  const cuts: { from: string[]; to: string[] }[] = [];
  for (const { from, to } of bySet.values()) {
    const remaining = to.filter((member) => !covered.has(member));
    for (const member of from) covered.add(member);
    if (remaining.length > 0) cuts.push({ from, to: remaining });
  }
  return cuts;
}

function pauseUnsupported(): UnsupportedOperationError {
  return new UnsupportedOperationError(
    'CHAOS_MESH_NO_PAUSE',
    'Chaos Mesh cannot pause a process: PodChaos knows pod-kill, pod-failure and container-kill, and pod-failure swaps the container image for a pause image (the server restarts without its memory: a crash, not a GC pause); StressChaos only burns CPU and memory and never stops the process',
    {
      actions: [
        'use a kill fault instead (PodChaos pod-kill or container-kill)',
        'or stop the server by hand: kubectl exec POD -- kill -STOP 1, and kill -CONT 1 to resume (needs kill in the image)',
      ],
    },
  );
}

function podsOf(target: ChaosMeshTarget, members: readonly string[]): string[] {
  const unknown = members.filter((member) => target.pods[member] === undefined);
  if (unknown.length > 0 || members.length === 0) {
    throw new UsageError(
      'FAULT_MEMBER_UNKNOWN',
      members.length === 0
        ? 'the fault names no member'
        : `no pod is known for member ${unknown.join(', ')}`,
      { actions: [`known members: ${Object.keys(target.pods).join(', ')}`] },
    );
  }
  return members.map((member) => target.pods[member] ?? '');
}

function podsSelector(target: ChaosMeshTarget, pods: string[]): PodSelector {
  return { pods: { [target.namespace]: pods } };
}

function othersSelector(target: ChaosMeshTarget, excluded: string[]): PodSelector {
  return {
    namespaces: [target.namespace],
    labelSelectors: target.clusterLabels,
    expressionSelectors: [{ key: POD_NAME_LABEL, operator: 'NotIn', values: excluded }],
  };
}

/** Go's time.ParseDuration format, in the largest unit that divides evenly. */
export function goDuration(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms > 0 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

function dnsPart(value: string): string {
  return value.toLowerCase().replaceAll(/[^a-z0-9-]/g, '-');
}

function assertDnsName(name: string): void {
  // Leaves room for the suffixes within Kubernetes' 63-character label-safe names.
  if (!/^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/.test(name)) {
    throw new UsageError('CHAOS_MESH_NAME_INVALID', `"${name}" is not a usable resource name`, {
      actions: ['use lowercase letters, digits and "-", at most 40 characters'],
    });
  }
}
