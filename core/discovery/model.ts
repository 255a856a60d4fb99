/**
 * What `quorumctl discover` finds in a Kubernetes cluster: consensus clusters recognised by
 * the labels, images and arguments of the operators and charts that run them, with their
 * members (one pod each), the endpoints quorumctl talks to, and how to reach them.
 */
import type { KubernetesReference, TlsReference } from '../inventory.js';
import type { SystemKind } from '../model.js';

/** Who runs the cluster: decides where its settings are read from. */
export type DiscoverySource =
  /** Control-plane etcd: static pods labelled component=etcd in kube-system. */
  | 'kubeadm'
  /** Bitnami charts (etcd, zookeeper, kafka): app.kubernetes.io/name + bitnami images. */
  | 'bitnami'
  /** Strimzi: Kafka node pools with the controller role, pods managed by StrimziPodSets. */
  | 'strimzi'
  /** The NATS Helm chart (nats-io/k8s): app.kubernetes.io/name=nats, JetStream enabled. */
  | 'nats-helm'
  /** Pravega zookeeper-operator: ZookeeperCluster pods (kind=ZookeeperMember). */
  | 'pravega'
  /** A StatefulSet recognised by its image alone. */
  | 'image';

export interface DiscoveredMember {
  /** The name quorumctl shows: the pod name (etcd member names are pod names too). */
  name: string;
  pod: string;
  /** The URL quorumctl connects to (in-cluster DNS, or the node address for host networking). */
  endpoint: string;
  node?: string;
  /** Pod phase Running and not terminating. */
  running: boolean;
}

export interface DiscoveredTls {
  /** Secret mounted by the pods holding the client or server certificates. */
  secret?: string;
  /** Paths as the pod sees them (static pods: host paths on the control-plane nodes). */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** The server asks for a client certificate (etcd --client-cert-auth). */
  clientCertAuth: boolean;
  /** A client certificate and key the platform provides for tools (kubeadm's healthcheck-client). */
  clientCertFile?: string;
  clientKeyFile?: string;
}

export interface DiscoveredCluster {
  /** Inventory name: `<context>.<namespace>.<workload>`, lower case. */
  name: string;
  kind: SystemKind;
  context: string;
  namespace: string;
  source: DiscoverySource;
  /** `StatefulSet/zk`, `StaticPods/etcd`, `StrimziPodSet/my-cluster-controllers`. */
  workload: string;
  members: DiscoveredMember[];
  /** The pod port the endpoints point at (port-forward targets it). */
  port: number;
  /**
   * HTTP monitoring URLs, one per member in member order (ZooKeeper's AdminServer): status
   * reads them where the four-letter words are not whitelisted. Reached like the endpoints.
   */
  monitorUrls?: string[];
  /** Labels all member pods carry (Chaos Mesh selects by them). */
  labels: Record<string, string>;
  /** The server container (for container-kill). */
  container: string;
  tls?: DiscoveredTls;
  /** direct: endpoints are node addresses (host networking); else through port-forward. */
  reach: 'direct' | 'port-forward';
  /** Facts worth telling: JetStream off, replicas not ready, a guessed port. */
  notes: string[];
}

/** A workload that looked like a consensus system but was not taken, and why. */
export interface SkippedWorkload {
  namespace: string;
  workload: string;
  reason: string;
}

export interface DiscoveryReport {
  context: string;
  server: string;
  /** The namespaces searched: a list, or "all". */
  namespaces: string[] | 'all';
  clusters: DiscoveredCluster[];
  skipped: SkippedWorkload[];
  /** What the search could not do and the reader should know (a check that was forbidden). */
  warnings?: string[];
}

/** The inventory entry a discovered cluster becomes under `discover --write`. */
export function inventoryEntryOf(cluster: DiscoveredCluster): {
  name: string;
  kind: SystemKind;
  endpoints: string[];
  monitorUrls?: string[];
  tls?: TlsReference;
  kubernetes: KubernetesReference;
} {
  // File paths only (static pods: on the control-plane nodes); Secrets stay references.
  const tls: TlsReference = {
    ...(cluster.tls?.caFile !== undefined && { ca: cluster.tls.caFile }),
    ...(cluster.tls?.clientCertFile !== undefined && { cert: cluster.tls.clientCertFile }),
    ...(cluster.tls?.clientKeyFile !== undefined && { key: cluster.tls.clientKeyFile }),
  };
  return {
    name: cluster.name,
    kind: cluster.kind,
    endpoints: cluster.members.map((member) => member.endpoint),
    ...(cluster.monitorUrls !== undefined && { monitorUrls: [...cluster.monitorUrls] }),
    ...(Object.keys(tls).length > 0 && { tls }),
    kubernetes: {
      context: cluster.context,
      namespace: cluster.namespace,
      workload: cluster.workload,
      pods: cluster.members.map((member) => member.pod),
      port: cluster.port,
      labels: { ...cluster.labels },
      container: cluster.container,
      reach: cluster.reach,
      ...(cluster.tls?.secret !== undefined && { tlsSecret: cluster.tls.secret }),
    },
  };
}
