/**
 * The permissions each Kubernetes feature needs, as data: docs/kubernetes-rbac.md shows the
 * Role/ClusterRole built from it (a test keeps the two equal), and a 403 names the feature
 * whose role grants the missing permission.
 */

export type KubernetesFeature =
  'discover' | 'port-forward' | 'cluster-secrets' | 'backup-apply' | 'chaos-mesh' | 'preflight';

export interface PolicyRule {
  /** "" is the core group (pods, secrets, ...). */
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export const RBAC_DOC = 'docs/kubernetes-rbac.md';

export const FEATURE_RULES: Readonly<Record<KubernetesFeature, readonly PolicyRule[]>> = {
  discover: [
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['list'] },
  ],
  'port-forward': [
    { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
    { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create'] },
  ],
  'cluster-secrets': [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
  'backup-apply': [
    { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'create', 'patch'] },
    { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get', 'create', 'patch'] },
  ],
  'chaos-mesh': [
    {
      apiGroups: ['chaos-mesh.org'],
      resources: ['networkchaos', 'podchaos'],
      verbs: ['get', 'list', 'create', 'patch', 'delete'],
    },
    // A drill reads one member pod for the election timeout it was started with (optional).
    { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
  ],
  preflight: [
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get'] },
  ],
};

/** The features whose rules grant `verb` on `resource` of `group`, in declaration order. */
export function featuresGranting(
  verb: string,
  resource: string,
  group: string,
): KubernetesFeature[] {
  return (Object.keys(FEATURE_RULES) as KubernetesFeature[]).filter((feature) =>
    FEATURE_RULES[feature].some(
      (rule) =>
        rule.apiGroups.includes(group) &&
        rule.resources.includes(resource) &&
        rule.verbs.includes(verb),
    ),
  );
}

/** Where the doc explains a feature's role: `docs/kubernetes-rbac.md#discover`. */
export function rbacDocLink(feature: KubernetesFeature): string {
  return `${RBAC_DOC}#${feature}`;
}

/**
 * A Role (one namespace) or ClusterRole (every namespace, or kube-system's control plane
 * from anywhere) granting a feature's rules.
 */
export function roleManifest(
  feature: KubernetesFeature,
  scope: { namespace: string } | { cluster: true },
): Record<string, unknown> {
  const name = `quorumctl-${feature}`;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'namespace' in scope ? 'Role' : 'ClusterRole',
    metadata: 'namespace' in scope ? { name, namespace: scope.namespace } : { name },
    rules: FEATURE_RULES[feature].map((rule) => ({
      apiGroups: [...rule.apiGroups],
      resources: [...rule.resources],
      verbs: [...rule.verbs],
    })),
  };
}
