/**
 * The Kubernetes API as ops/ and the faces use it: a port, so discovery, preflight, backups
 * and chaos are written against plain objects and tested with an in-memory fake or nock.
 * systems/kubernetes/ implements it on @kubernetes/client-node.
 *
 * Every method maps API failures to typed errors (core/kubernetes/errors.ts): 401/403 name
 * the missing permission, 404 of a namespace is a usage error, an unreachable server exit 3.
 */
import type {
  ConfigMap,
  KubernetesObject,
  ObjectRef,
  Pod,
  Secret,
  StatefulSet,
} from './objects.js';

/** The field manager of every server-side apply, so `kubectl` shows who owns the fields. */
export const FIELD_MANAGER = 'quorumctl';

/** One namespace, or every namespace the credentials may list. */
export type NamespaceSelection = { all: true } | { all?: false; name: string };

export interface ApplyResult {
  ref: ObjectRef;
  /** Whether the object existed before the apply. */
  action: 'created' | 'configured';
}

/** A local TCP port forwarded to a pod's port; closed with `close()`. */
export interface Tunnel {
  namespace: string;
  pod: string;
  podPort: number;
  /** 127.0.0.1:<localPort> reaches the pod's port. */
  localPort: number;
  close(): Promise<void>;
}

export interface KubernetesApi {
  /** The kubeconfig context in use, or "in-cluster" for a service account. */
  readonly context: string;
  /** The API server URL (for messages). */
  readonly server: string;
  /** The context's namespace, or the service account's, or "default". */
  readonly defaultNamespace: string;

  listPods(namespace: NamespaceSelection, labelSelector?: string): Promise<Pod[]>;
  listStatefulSets(namespace: NamespaceSelection, labelSelector?: string): Promise<StatefulSet[]>;
  readPod(namespace: string, name: string): Promise<Pod>;
  readStatefulSet(namespace: string, name: string): Promise<StatefulSet>;
  /** undefined when it does not exist (a chart may not create it). */
  readConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  readSecret(namespace: string, name: string): Promise<Secret>;
  /** Resolves when the namespace exists; a NAMESPACE_NOT_FOUND usage error otherwise. */
  assertNamespace(namespace: string): Promise<void>;

  /** Server-side apply with field manager "quorumctl": creates or updates. */
  apply(object: KubernetesObject): Promise<ApplyResult>;
  /** Deletes; "absent" when it was already gone (a heal that runs twice is fine). */
  delete(ref: ObjectRef): Promise<'deleted' | 'absent'>;
  /** Objects of any kind (CRDs included) in one namespace, by label selector. */
  list(
    kind: { apiVersion: string; kind: string; namespace: string },
    labelSelector?: string,
  ): Promise<KubernetesObject[]>;

  /** Forwards a local port to the pod's port (the API server's portforward subresource). */
  portForward(namespace: string, pod: string, podPort: number): Promise<Tunnel>;

  /** Closes open tunnels. */
  close(): Promise<void>;
}

/** How to open the API: a kubeconfig context, or the pod's service account. */
export interface KubernetesConnectOptions {
  /** A kubeconfig file (default: $KUBECONFIG, then ~/.kube/config). */
  kubeconfig?: string;
  /** A context of the kubeconfig (default: its current-context). */
  context?: string;
  /** Use the in-cluster service account (default: when running in a pod with no kubeconfig). */
  inCluster?: boolean;
  /** Budget of each API call. */
  timeoutMs: number;
}
