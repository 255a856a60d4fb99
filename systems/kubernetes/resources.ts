/**
 * Kinds to REST resources. The kinds quorumctl creates, reads and deletes are known here, so
 * no discovery round trip (GET /apis/<group>/<version>) precedes them: fewer calls, fewer
 * permissions, simpler nock tests. Other kinds (CRDs) are looked up through discovery.
 */
import { KubernetesObjectApi, V1APIResource } from '@kubernetes/client-node';

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

/** A best guess for messages when discovery itself failed: lower-case kind. */
export function guessedResource(apiVersion: string, kind: string): ResourceInfo {
  return (
    knownResource(apiVersion, kind) ?? {
      plural: kind.toLowerCase(),
      group: groupOf(apiVersion),
      namespaced: true,
    }
  );
}

/** client-node's generic object API, answering known kinds without discovery. */
export class ObjectApi extends KubernetesObjectApi {
  protected override async resource(
    apiVersion: string,
    kind: string,
  ): Promise<V1APIResource | undefined> {
    const info = knownResource(apiVersion, kind);
    if (info !== undefined) {
      return Object.assign(new V1APIResource(), {
        name: info.plural,
        kind,
        namespaced: info.namespaced,
        singularName: kind.toLowerCase(),
        verbs: [],
      });
    }
    return super.resource(apiVersion, kind);
  }

  /** The resource of any kind (discovery for unknown ones); undefined when not served. */
  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const found = await this.resource(apiVersion, kind);
    return found === undefined
      ? undefined
      : { plural: found.name, group: groupOf(apiVersion), namespaced: found.namespaced };
  }
}
