/**
 * Discovery as one pure function: from the pods, StatefulSets and ConfigMaps of the searched
 * namespaces to the consensus clusters they run (each recogniser claims its own shape) and
 * the workloads that looked like one but were not taken, with the reason.
 */
import type { ConfigMap, Pod, StatefulSet } from '../kubernetes/objects.js';
import type { SystemKind } from '../model.js';
import { bitnamiEtcdShape } from './bitnami-etcd.js';
import { bitnamiKafkaShape } from './bitnami-kafka.js';
import { recogniseKubeadmEtcd } from './kubeadm-etcd.js';
import type { DiscoveredCluster, SkippedWorkload } from './model.js';
import { natsHelmShape } from './nats-helm.js';
import type { StatefulSetShape } from './shape.js';
import { recogniseStrimziKraft } from './strimzi-kraft.js';
import { DEFAULT_CLUSTER_DOMAIN, imageName, skippedStatefulSet } from './workload.js';
import { zookeeperShape } from './zookeeper.js';

/** In order of precedence: the first shape that matches a StatefulSet claims it. */
export const STATEFUL_SET_SHAPES: readonly StatefulSetShape[] = [
  zookeeperShape,
  natsHelmShape,
  bitnamiEtcdShape,
  bitnamiKafkaShape,
];

export interface DiscoveryInput {
  context: string;
  pods: readonly Pod[];
  statefulSets: readonly StatefulSet[];
  /** The cluster's DNS domain (kubelet --cluster-domain); default `cluster.local`. */
  clusterDomain?: string;
  /** The ConfigMaps configMapsToRead asked for, by `namespace/name`; undefined: absent. */
  configMaps: ReadonlyMap<string, ConfigMap | undefined>;
}

export interface Recognised {
  clusters: DiscoveredCluster[];
  skipped: SkippedWorkload[];
}

export function configMapKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The ConfigMaps the recognisers need read before they can decide (NATS, Kafka configuration). */
export function configMapsToRead(
  statefulSets: readonly StatefulSet[],
): { namespace: string; name: string }[] {
  const wanted = new Map<string, { namespace: string; name: string }>();
  for (const statefulSet of statefulSets) {
    const shape = STATEFUL_SET_SHAPES.find((candidate) => candidate.matches(statefulSet));
    const namespace = statefulSet.metadata.namespace ?? 'default';
    for (const name of shape?.configMapsOf?.(statefulSet) ?? [])
      wanted.set(configMapKey(namespace, name), { namespace, name });
  }
  return [...wanted.values()];
}

/** Images of consensus systems, for workloads no known chart or operator claims. */
const IMAGE_KINDS: Readonly<Record<string, SystemKind>> = {
  etcd: 'etcd',
  zookeeper: 'zookeeper',
  'cp-zookeeper': 'zookeeper',
  kafka: 'kraft',
  'cp-kafka': 'kraft',
  nats: 'nats',
};

export function recogniseClusters(input: DiscoveryInput): Recognised {
  const clusters: DiscoveredCluster[] = [];
  const skipped: SkippedWorkload[] = [];
  const controlPlane = recogniseKubeadmEtcd(input.context, input.pods);
  if (controlPlane !== undefined) clusters.push(controlPlane);
  const clusterDomain = input.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN;
  const strimzi = recogniseStrimziKraft(input.context, input.pods, clusterDomain);
  clusters.push(...strimzi.clusters);
  skipped.push(...strimzi.skipped);
  for (const statefulSet of input.statefulSets) {
    const shape = STATEFUL_SET_SHAPES.find((candidate) => candidate.matches(statefulSet));
    if (shape === undefined) {
      const unclaimed = unrecognisedImage(statefulSet);
      if (unclaimed !== undefined) skipped.push(unclaimed);
      continue;
    }
    const namespace = statefulSet.metadata.namespace ?? 'default';
    const found = shape.recognise(statefulSet, {
      context: input.context,
      pods: input.pods,
      clusterDomain,
      configMap: (name) => input.configMaps.get(configMapKey(namespace, name)),
    });
    if ('members' in found) clusters.push(found);
    else skipped.push(found);
  }
  clusters.sort((left, right) => compare(left.name, right.name));
  skipped.sort((left, right) =>
    compare(`${left.namespace}/${left.workload}`, `${right.namespace}/${right.workload}`),
  );
  return { clusters, skipped };
}

/** A StatefulSet running a consensus system's image that no recogniser claims. */
function unrecognisedImage(statefulSet: StatefulSet): SkippedWorkload | undefined {
  for (const container of statefulSet.spec.template.spec.containers) {
    const kind = IMAGE_KINDS[imageName(container.image)];
    if (kind === undefined) continue;
    return skippedStatefulSet(
      statefulSet,
      `image ${container.image ?? '?'} looks like ${kind}, but the labels match no known chart or operator (Bitnami, Strimzi, NATS Helm chart, Pravega, kubeadm): add it with quorumctl config add-cluster`,
    );
  }
  return undefined;
}

function compare(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
