/**
 * Kinds to REST resources, as data: the kinds quorumctl creates, reads and deletes, so no
 * discovery round trip (GET /apis/<group>/<version>) precedes them, and so a dry run can say
 * which request it would send. Other kinds (CRDs) are looked up through discovery by the client.
 */
import { FIELD_MANAGER } from './port.js';

export interface ResourceInfo {
  /** Plural resource name, as RBAC and URLs spell it. */
  plural: string;
  /** "" for the core group. */
  group: string;
  namespaced: boolean;
}

/** Keyed by `group/Kind` ("" group for core). */
const KNOWN: Record<string, ResourceInfo> = {};
function known(group: string, kind: string, plural: string, namespaced = true): void {
  KNOWN[`${group}/${kind}`] = { plural, group, namespaced };
}
known('', 'Pod', 'pods');
known('', 'ConfigMap', 'configmaps');
known('', 'Secret', 'secrets');
known('', 'Service', 'services');
known('', 'ServiceAccount', 'serviceaccounts');
known('', 'PersistentVolumeClaim', 'persistentvolumeclaims');
known('', 'Namespace', 'namespaces', false);
known('apps', 'StatefulSet', 'statefulsets');
known('apps', 'Deployment', 'deployments');
known('batch', 'CronJob', 'cronjobs');
known('batch', 'Job', 'jobs');
known('rbac.authorization.k8s.io', 'Role', 'roles');
known('rbac.authorization.k8s.io', 'RoleBinding', 'rolebindings');
known('rbac.authorization.k8s.io', 'ClusterRole', 'clusterroles', false);
known('rbac.authorization.k8s.io', 'ClusterRoleBinding', 'clusterrolebindings', false);
known('policy', 'PodDisruptionBudget', 'poddisruptionbudgets');
for (const chaos of [
  'NetworkChaos',
  'PodChaos',
  'IOChaos',
  'StressChaos',
  'TimeChaos',
  'DNSChaos',
]) {
  known('chaos-mesh.org', chaos, chaos.toLowerCase());
}
known('chaos-mesh.org', 'Schedule', 'schedules');
known('chaos-mesh.org', 'Workflow', 'workflows');

/** "apps/v1" -> "apps"; "v1" -> "". */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** A known kind's resource, or undefined (then discovery decides). */
export function knownResource(apiVersion: string, kind: string): ResourceInfo | undefined {
  return KNOWN[`${groupOf(apiVersion)}/${kind}`];
}

/** A best guess for messages when discovery itself failed: the kind's plural. */
export function guessedResource(apiVersion: string, kind: string): ResourceInfo {
  return (
    knownResource(apiVersion, kind) ?? {
      plural: pluralOf(kind),
      group: groupOf(apiVersion),
      namespaced: true,
    }
  );
}

/** PATCH path of a server-side apply: /apis/batch/v1/namespaces/db/cronjobs/NAME?fieldManager=... */
export function applyPath(
  apiVersion: string,
  kind: string,
  namespace: string,
  name: string,
): string {
  const group = groupOf(apiVersion);
  const prefix = group === '' ? `/api/${apiVersion}` : `/apis/${apiVersion}`;
  const { plural } = guessedResource(apiVersion, kind);
  return `${prefix}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(name)}?fieldManager=${FIELD_MANAGER}&force=true`;
}

/** The resource name of a kind, as the API spells it in paths (lowercase plural). */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('chaos')) return lower; // Chaos Mesh: networkchaos, podchaos
  if (/(s|x|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}
