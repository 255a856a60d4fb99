/**
 * The parts of Kubernetes objects quorumctl reads, as plain JSON shapes: what discovery,
 * preflight and the Chaos Mesh target need, and no more. The client (systems/kubernetes/)
 * returns the API server's JSON in these shapes; fixtures are the same JSON.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion?: string; kind: string; name: string }[];
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
  };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: ContainerPort[];
  env?: EnvVar[];
  volumeMounts?: VolumeMount[];
}

export interface Volume {
  name: string;
  secret?: { secretName?: string };
  configMap?: { name?: string };
  hostPath?: { path: string; type?: string };
  persistentVolumeClaim?: { claimName: string };
  emptyDir?: Record<string, unknown>;
  projected?: {
    sources?: { secret?: { name?: string }; configMap?: { name?: string } }[];
  };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  hostNetwork?: boolean;
  nodeName?: string;
  hostname?: string;
  subdomain?: string;
}

export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: PodSpec;
  status?: { phase?: string; podIP?: string; hostIP?: string };
}

export interface StatefulSet {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: {
    replicas?: number;
    serviceName?: string;
    selector: { matchLabels?: Record<string, string> };
    template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
    volumeClaimTemplates?: { metadata: { name: string } }[];
  };
  status?: { replicas?: number; readyReplicas?: number };
}

export interface ConfigMap {
  metadata: ObjectMeta;
  data?: Record<string, string>;
}

export interface Secret {
  metadata: ObjectMeta;
  type?: string;
  /** Values base64-encoded, as the API returns them. */
  data?: Record<string, string>;
}

/** Any object quorumctl creates or deletes (CronJobs, Chaos Mesh resources, ...). */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Enough to name one object for a read or a delete. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}
