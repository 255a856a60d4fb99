/**
 * Use case: apply objects quorumctl generated (the backup CronJob and its ServiceAccount) to a
 * namespace with server-side apply, or, on a dry run, say which API calls that would make.
 */
import type { KubernetesObject } from '../../core/kubernetes/objects.js';
import type { KubernetesApi } from '../../core/kubernetes/port.js';
import { applyPath } from '../../core/kubernetes/resources.js';

/** The HTTP request server-side apply sends for one object. */
export interface ApplyCall {
  method: 'PATCH';
  path: string;
  contentType: 'application/apply-patch+yaml';
}

export interface AppliedObject {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** `would apply` on a dry run. */
  action: 'created' | 'configured' | 'would apply';
  call: ApplyCall;
  /** The object sent, on a dry run only (a real run prints the follow-up instead). */
  object?: KubernetesObject;
}

export interface KubernetesApplyReport {
  context: string;
  server: string;
  namespace: string;
  dryRun: boolean;
  objects: AppliedObject[];
  /** kubectl commands that check or try what was applied. */
  followUp: string[];
}

export interface ApplyObjectsRequest {
  api: KubernetesApi;
  objects: readonly KubernetesObject[];
  /** Every object is applied here (the one in its metadata is overwritten). */
  namespace: string;
  dryRun: boolean;
  /** Commands to suggest afterwards, given the namespace and context. */
  followUp?: (where: { namespace: string; context: string }) => string[];
}

/**
 * Applies the objects in order (a ServiceAccount before the CronJob that runs as it). The first
 * failure is thrown as the port typed it (a 403 names the missing permission); objects applied
 * before it stay, and applying again is harmless.
 */
export async function applyObjects(request: ApplyObjectsRequest): Promise<KubernetesApplyReport> {
  const { api, namespace } = request;
  const objects = request.objects.map((object) => ({
    ...object,
    metadata: { ...object.metadata, namespace },
  }));
  const applied: AppliedObject[] = [];
  for (const object of objects) {
    const entry = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      namespace,
      name: object.metadata.name,
      call: applyCall(object, namespace),
    };
    if (request.dryRun) {
      applied.push({ ...entry, action: 'would apply', object });
      continue;
    }
    const result = await api.apply(object);
    applied.push({ ...entry, action: result.action });
  }
  return {
    context: api.context,
    server: api.server,
    namespace,
    dryRun: request.dryRun,
    objects: applied,
    followUp: request.followUp?.({ namespace, context: api.context }) ?? [],
  };
}

/** PATCH /apis/batch/v1/namespaces/db/cronjobs/NAME?fieldManager=quorumctl&force=true */
export function applyCall(object: KubernetesObject, namespace: string): ApplyCall {
  return {
    method: 'PATCH',
    path: applyPath(object.apiVersion, object.kind, namespace, object.metadata.name),
    contentType: 'application/apply-patch+yaml',
  };
}
