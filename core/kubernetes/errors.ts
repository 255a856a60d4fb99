/**
 * Typed errors for Kubernetes API failures. The client knows which call failed (verb,
 * resource, group, namespace), so a 403 names the exact permission that is missing and the
 * role in docs/kubernetes-rbac.md that grants it, instead of echoing the server's sentence.
 */
import { ExitCode } from '../exit-codes.js';
import { QuorumctlError, UnreachableError, UsageError } from '../errors.js';
import { featuresGranting, RBAC_DOC, rbacDocLink } from './rbac.js';

/** One API call, as RBAC sees it. */
export interface KubernetesCall {
  verb: 'get' | 'list' | 'create' | 'patch' | 'delete';
  /** Plural resource, with the subresource: "pods", "pods/portforward", "networkchaos". */
  resource: string;
  /** "" for the core group. */
  group: string;
  namespace?: string;
  name?: string;
}

/** The credentials lack a permission (HTTP 403) or were rejected (401): exit 7. */
export class KubernetesForbiddenError extends QuorumctlError {
  readonly exitCode = ExitCode.forbidden;
}

/** "list statefulsets.apps in namespace data" / "create pods/portforward (core) ..." */
export function describeCall(call: KubernetesCall): string {
  const resource = call.group === '' ? call.resource : `${call.resource}.${call.group}`;
  const object = call.name === undefined ? resource : `${resource} "${call.name}"`;
  const where =
    call.namespace === undefined ? 'across all namespaces' : `in namespace "${call.namespace}"`;
  return `${call.verb} ${object} ${where}`;
}

export function forbiddenError(
  call: KubernetesCall,
  context: { context: string; server: string; user?: string },
  serverMessage?: string,
): KubernetesForbiddenError {
  const features = featuresGranting(call.verb, call.resource, call.group);
  const link = features[0] === undefined ? RBAC_DOC : rbacDocLink(features[0]);
  const who = context.user === undefined ? `context "${context.context}"` : `"${context.user}"`;
  return new KubernetesForbiddenError(
    'KUBERNETES_FORBIDDEN',
    `forbidden: ${who} may not ${describeCall(call)} (missing verb "${call.verb}" on resource "${call.resource}"${call.group === '' ? '' : ` of API group "${call.group}"`}); see ${link}`,
    {
      actions: [
        `grant the ${features.length === 0 ? '' : `"${features.join('" or "')}" `}role from ${link} to the account of context "${context.context}"`,
        `check with: kubectl auth can-i ${call.verb} ${call.group === '' ? call.resource : `${call.resource}.${call.group}`}${call.namespace === undefined ? ' --all-namespaces' : ` -n ${call.namespace}`} --context ${context.context}`,
      ],
      details: {
        verb: call.verb,
        resource: call.resource,
        group: call.group,
        ...(call.namespace !== undefined && { namespace: call.namespace }),
        features,
        doc: link,
        ...(serverMessage !== undefined && { serverMessage }),
      },
    },
  );
}

export function unauthorizedError(
  call: KubernetesCall,
  context: { context: string; server: string },
): KubernetesForbiddenError {
  return new KubernetesForbiddenError(
    'KUBERNETES_UNAUTHORIZED',
    `the API server ${context.server} rejected the credentials of context "${context.context}" (401) when asked to ${describeCall(call)}`,
    {
      actions: [
        'refresh the credentials (an expired token or client certificate), e.g. log in again with your cloud CLI',
        `check with: kubectl --context ${context.context} auth whoami`,
      ],
      details: { ...call, doc: RBAC_DOC },
    },
  );
}

export function namespaceNotFound(namespace: string, context: { context: string }): UsageError {
  return new UsageError(
    'NAMESPACE_NOT_FOUND',
    `namespace "${namespace}" does not exist in context "${context.context}"`,
    {
      actions: [
        `list them: kubectl --context ${context.context} get namespaces`,
        'or pass --all-namespaces',
      ],
      details: { namespace, context: context.context },
    },
  );
}

export function objectNotFound(call: KubernetesCall, context: { context: string }): UsageError {
  return new UsageError(
    'KUBERNETES_OBJECT_NOT_FOUND',
    `${call.resource}${call.group === '' ? '' : `.${call.group}`} "${call.name ?? '?'}" does not exist${call.namespace === undefined ? '' : ` in namespace "${call.namespace}"`} (context "${context.context}")`,
    {
      actions: [
        `list them: kubectl --context ${context.context} get ${call.resource.split('/')[0] ?? call.resource}${call.namespace === undefined ? ' -A' : ` -n ${call.namespace}`}`,
      ],
      details: { ...call },
    },
  );
}

export function apiServerUnreachable(
  context: { context: string; server: string },
  reason: string,
  cause?: unknown,
): UnreachableError {
  return new UnreachableError(
    'KUBERNETES_UNREACHABLE',
    `cannot reach the Kubernetes API server ${context.server} (context "${context.context}"): ${reason}`,
    {
      actions: [
        `check the context: kubectl --context ${context.context} cluster-info`,
        'a VPN or bastion may be needed; --kube-context picks another context',
      ],
      details: { server: context.server, context: context.context },
      cause,
    },
  );
}

/**
 * An inventory entry whose pods and endpoints do not pair up one to one: each endpoint is
 * reached through its own pod, so neither a tunnel nor a fault can be aimed. The inventory
 * parser refuses such entries; this guards what is built from them in memory.
 */
export function podsMisaligned(
  cluster: string,
  endpoints: readonly string[],
  pods: readonly string[],
): UsageError {
  return new UsageError(
    'KUBERNETES_PODS_MISALIGNED',
    `cluster "${cluster}" lists ${endpoints.length} endpoints but ${pods.length} pods; each endpoint needs its pod`,
    {
      actions: ['run quorumctl discover --write again to refresh the inventory entry'],
      details: { endpoints: [...endpoints], pods: [...pods] },
    },
  );
}
