/** The contract of a recogniser of StatefulSets: which it claims, which ConfigMaps it reads, what it finds. */
import type { ConfigMap, Pod, StatefulSet } from '../kubernetes/objects.js';
import type { DiscoveredCluster, SkippedWorkload } from './model.js';

export interface ShapeInput {
  context: string;
  /** Every pod listed (the recogniser picks its own by owner reference). */
  pods: readonly Pod[];
  /** The cluster's DNS domain, for the members' endpoints (`cluster.local` by default). */
  clusterDomain: string;
  /** A ConfigMap of the StatefulSet's namespace the shape asked for; undefined when absent. */
  configMap(name: string): ConfigMap | undefined;
}

export interface StatefulSetShape {
  /** Whether the StatefulSet is this shape's (by labels and image). */
  matches(statefulSet: StatefulSet): boolean;
  /** ConfigMaps (same namespace) the shape needs to decide, e.g. the NATS server config. */
  configMapsOf?(statefulSet: StatefulSet): string[];
  recognise(statefulSet: StatefulSet, input: ShapeInput): DiscoveredCluster | SkippedWorkload;
}

/** The container whose image is the server's (by image name), else the first one. */
export function serverContainer<T extends { image?: string; name: string }>(
  containers: readonly T[],
  isServer: (container: T) => boolean,
): T | undefined {
  return containers.find(isServer) ?? containers[0];
}
