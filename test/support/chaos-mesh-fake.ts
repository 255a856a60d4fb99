/**
 * Chaos Mesh behind the nock API server: the resource paths quorumctl applies and deletes,
 * and matchers that record what was applied and what was deleted.
 */

/** The query of a server-side apply by quorumctl. */
export const APPLY_QUERY = { fieldManager: 'quorumctl', force: 'true' };

/** A Chaos Mesh resource as quorumctl applies it (the fields the tests read). */
export interface AppliedBody {
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  spec: { action: string; duration?: string; selector: { pods?: Record<string, string[]> } };
}

/** `/apis/chaos-mesh.org/v1alpha1/namespaces/NS/PLURAL/qctl-...`, the name captured. */
export function chaosPath(namespace: string, plural: string): RegExp {
  return new RegExp(
    `^/apis/chaos-mesh\\.org/v1alpha1/namespaces/${namespace}/${plural}/(qctl-[a-z0-9-]+)$`,
  );
}

/**
 * A body matcher that records what was applied. nock also offers it the bodies of other
 * requests to the host (the GET of a pod: ""), so only resources are recorded.
 */
export function recordApplied(applied: AppliedBody[]): (body: unknown) => boolean {
  return (body) => {
    if (typeof body === 'object' && body !== null && 'kind' in body)
      applied.push(body as AppliedBody);
    return true;
  };
}

/** A DELETE path matcher that records the name it was asked to delete. */
export function recordDeleted(
  namespace: string,
  plural: string,
  deleted: string[],
): (path: string) => boolean {
  return (path) => {
    const name = chaosPath(namespace, plural).exec(path)?.[1];
    // nock may ask a matcher more than once per request.
    if (name !== undefined && !deleted.includes(name)) deleted.push(name);
    return name !== undefined;
  };
}
