/**
 * Pure: how a drill names the members of an inventory cluster running in Kubernetes (by pod),
 * and the Chaos Mesh target that selects those pods, from the cluster's `kubernetes` reference.
 */
import { UnsupportedOperationError } from '../../core/errors.js';
import type { KubernetesReference } from '../../core/inventory.js';
import { podsMisaligned } from '../../core/kubernetes/errors.js';
import type { ClusterTarget } from '../../core/ports.js';
import { DRILL_KINDS, type DrillKind } from '../drills/scenario.js';
import type { DrillTarget } from '../runner/run-drill.js';
import type { ChaosMeshTarget } from './chaos-mesh.js';

export interface KubernetesDrillMember {
  /** The pod name: what Chaos Mesh selects and the report shows. */
  name: string;
  /** The client URL this process reaches the member at (a tunnel's, or the endpoint). */
  clientUrl: string;
}

export function drillKindOf(target: ClusterTarget): DrillKind {
  const kind = DRILL_KINDS.find((candidate) => candidate === target.kind);
  if (kind === undefined) {
    throw new UnsupportedOperationError(
      'DRILL_KIND_UNSUPPORTED',
      `cluster "${target.name}" is ${target.kind}: drills run a workload on etcd, ZooKeeper and NATS only`,
      { actions: [`drillable kinds: ${DRILL_KINDS.join(', ')}`] },
    );
  }
  return kind;
}

export function chaosMeshTargetOf(reference: KubernetesReference): ChaosMeshTarget {
  return {
    namespace: reference.namespace,
    clusterLabels: reference.labels,
    pods: Object.fromEntries(reference.pods.map((pod) => [pod, pod])),
    ...(reference.container !== undefined && { containerName: reference.container }),
  };
}

/**
 * Members named by pod. The status names them its own way (etcd member names, the endpoints
 * they advertise, ZooKeeper's server.N), so each gets the inventory endpoint, its host, and
 * the reached URL as aliases.
 */
export function kubernetesDrillTarget(
  target: ClusterTarget,
  reference: KubernetesReference,
  reachedEndpoints: readonly string[],
): { drill: DrillTarget; members: KubernetesDrillMember[] } {
  const kind = drillKindOf(target);
  if (reference.pods.length !== target.endpoints.length)
    throw podsMisaligned(target.name, target.endpoints, reference.pods);
  // The reached URLs come from reachThroughKubernetes, one per endpoint: a bug otherwise.
  if (reachedEndpoints.length !== target.endpoints.length)
    throw new Error(
      `${reachedEndpoints.length} reached endpoints for ${target.endpoints.length} endpoints of "${target.name}"`,
    );
  const members = reference.pods.map((pod, index) => ({
    name: pod,
    clientUrl: reachedEndpoints[index] ?? '',
  }));
  return {
    members,
    drill: {
      cluster: target.name,
      kind,
      // The report's "sandbox" field: the cluster's name, there being no sandbox.
      sandbox: target.name,
      // Chaos Mesh cuts links inside each pod's own network namespace.
      cutsLinksItself: true,
      members: members.map((member, index) => {
        const endpoint = target.endpoints[index] ?? '';
        const aliases = new Set([
          endpoint,
          hostOf(endpoint),
          member.clientUrl,
          hostOf(member.clientUrl),
        ]);
        if (kind === 'zookeeper') aliases.add(`server.${index + 1}`);
        aliases.delete(member.name);
        aliases.delete('');
        return { name: member.name, aliases: [...aliases] };
      }),
    },
  };
}

function hostOf(url: string): string {
  return URL.parse(url)?.host ?? '';
}
