/**
 * Use case: `preflight --from-cluster`. Reads the manifests a Kubernetes cluster runs (the
 * control plane's etcd static pods, a StatefulSet, pods) and the ConfigMaps they mount, and
 * feeds them to the same parsers and rules as the file mode.
 */
import {
  CONTROL_PLANE_ETCD_SELECTOR,
  CONTROL_PLANE_NAMESPACE,
} from '../core/discovery/kubeadm-etcd.js';
import { UsageError } from '../core/errors.js';
import { findCluster, type InventoryCluster } from '../core/inventory.js';
import type { SystemKind } from '../core/model.js';
import type { ConfigMap, PodSpec } from '../core/kubernetes/objects.js';
import type { KubernetesApi } from '../core/kubernetes/port.js';
import type { PlannedConfig } from '../core/preflight/facts.js';
import { baseName } from '../core/preflight/parsers/common.js';
import { parseConfig, type IncludeResolver } from '../core/preflight/parsers/index.js';
import { parseKubernetes } from '../core/preflight/parsers/kubernetes.js';
import {
  buildPreflightReport,
  type FailOn,
  type PreflightReport,
} from '../core/preflight/report.js';
import type { InventoryLocation } from './inventory-location.js';
import { attachDynamicConfigs } from './preflight.js';
import {
  clusterSource,
  configurationKeys,
  mountedConfigMaps,
  renderManifest,
  runsEtcd,
} from './preflight-cluster-sources.js';

/** What to read: every member's manifest, so the rules that compare members see them all. */
export type ClusterManifestSelection =
  | { controlPlane: true }
  | { namespace: string; statefulSet: string }
  | { namespace: string; pods: string[] };

export interface ClusterPreflightRequest {
  api: KubernetesApi;
  selection: ClusterManifestSelection;
  /** Only configurations of this system are read. */
  kind?: SystemKind;
  failOn: FailOn;
}

export async function runClusterPreflight(
  request: ClusterPreflightRequest,
): Promise<PreflightReport> {
  const configs = await loadClusterConfigs(request.api, request.selection, request.kind);
  return buildPreflightReport({ configs }, request.failOn);
}

/** The planned configuration of every member the selection names, read from the API. */
export async function loadClusterConfigs(
  api: KubernetesApi,
  selection: ClusterManifestSelection,
  kind?: SystemKind,
): Promise<PlannedConfig[]> {
  if ('controlPlane' in selection) {
    const pods = await api.listPods({ name: CONTROL_PLANE_NAMESPACE }, CONTROL_PLANE_ETCD_SELECTOR);
    if (pods.length === 0) {
      throw new UsageError(
        'PREFLIGHT_CONFIG_NOT_FOUND',
        `no etcd static pods (${CONTROL_PLANE_ETCD_SELECTOR}) in namespace ${CONTROL_PLANE_NAMESPACE} of context "${api.context}": the control plane's etcd is external or managed`,
        {
          actions: [
            `check: kubectl --context ${api.context} get pods -n ${CONTROL_PLANE_NAMESPACE} -l ${CONTROL_PLANE_ETCD_SELECTOR}`,
            'an external etcd: preflight its configuration files instead (quorumctl preflight FILE...)',
          ],
          details: { context: api.context, namespace: CONTROL_PLANE_NAMESPACE },
        },
      );
    }
    // Sorted by name, so the report lists members in a stable order.
    return [...pods]
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .flatMap((pod) =>
        parseKubernetes(
          renderManifest(pod, 'Pod'),
          clusterSource(api.context, CONTROL_PLANE_NAMESPACE, 'pod', pod.metadata.name),
        ),
      );
  }
  if ('statefulSet' in selection) {
    const statefulSet = await api.readStatefulSet(selection.namespace, selection.statefulSet);
    return workloadConfigs(api, {
      namespace: selection.namespace,
      resource: 'statefulset',
      name: statefulSet.metadata.name,
      spec: statefulSet.spec.template.spec,
      manifest: () => renderManifest(statefulSet, 'StatefulSet'),
      kind,
    });
  }
  const configs: PlannedConfig[] = [];
  for (const name of selection.pods) {
    const pod = await api.readPod(selection.namespace, name);
    configs.push(
      ...(await workloadConfigs(api, {
        namespace: selection.namespace,
        resource: 'pod',
        name: pod.metadata.name,
        spec: pod.spec,
        manifest: () => renderManifest(pod, 'Pod'),
        kind,
      })),
    );
  }
  return configs;
}

interface Workload {
  namespace: string;
  resource: 'pod' | 'statefulset';
  name: string;
  spec: PodSpec;
  manifest: () => string;
  kind: SystemKind | undefined;
}

/**
 * etcd keeps its configuration in the pod spec (flags, ETCD_* variables); ZooKeeper, KRaft and
 * NATS in a file, which preflight can read when a mounted ConfigMap holds it.
 */
async function workloadConfigs(api: KubernetesApi, workload: Workload): Promise<PlannedConfig[]> {
  const source = clusterSource(api.context, workload.namespace, workload.resource, workload.name);
  if (
    (workload.kind === undefined || workload.kind === 'etcd') &&
    workload.spec.containers.some(runsEtcd)
  )
    return parseKubernetes(workload.manifest(), source);

  const mounted = mountedConfigMaps(workload.spec);
  const configMaps: ConfigMap[] = [];
  for (const name of mounted) {
    const configMap = await api.readConfigMap(workload.namespace, name);
    if (configMap !== undefined) configMaps.push(configMap);
  }
  const keys = configurationKeys(configMaps, workload.kind);
  if (keys.length === 0) throw configurationNotFound(api, workload, mounted, configMaps);

  const keySource = (configMap: string, key: string) =>
    clusterSource(api.context, workload.namespace, 'configmap', configMap, key);
  // A path inside the container is matched to a key by its file name (mounts keep key names).
  const byFileName = (path: string) => {
    const wanted = baseName(path);
    for (const configMap of configMaps) {
      const text = configMap.data?.[wanted];
      if (text !== undefined) return { file: keySource(configMap.metadata.name, wanted), text };
    }
    return undefined;
  };
  const resolveInclude: IncludeResolver = (path) => byFileName(path);
  const parsed = keys.flatMap(({ configMap, key, text, format }) =>
    parseConfig(text, keySource(configMap, key), format, { resolveInclude }),
  );
  return attachDynamicConfigs(parsed, {
    read: (path) => Promise.resolve(byFileName(path)),
    missingActions: () => [
      `the file is written at start-up, not kept in a ConfigMap: copy it out and preflight the files, e.g. kubectl -n ${workload.namespace} exec ${workload.resource === 'pod' ? workload.name : `${workload.name}-0`} -- cat PATH > zoo.cfg.dynamic`,
    ],
  });
}

function configurationNotFound(
  api: KubernetesApi,
  workload: Workload,
  mounted: readonly string[],
  found: readonly ConfigMap[],
): UsageError {
  const missing = mounted.filter((name) => !found.some((map) => map.metadata.name === name));
  const what = `${workload.resource} "${workload.name}" in namespace "${workload.namespace}" (context "${api.context}")`;
  const lookedAt =
    mounted.length === 0
      ? 'it mounts no ConfigMap'
      : `its ConfigMaps (${mounted.join(', ')}) hold no zoo.cfg, KRaft server.properties or nats.conf${missing.length === 0 ? '' : `; ${missing.join(', ')} do not exist`}`;
  return new UsageError(
    'PREFLIGHT_CONFIG_NOT_FOUND',
    `configuration not found in the pod spec or its ConfigMaps: ${what} runs no etcd container${workload.kind === undefined ? '' : ` of kind ${workload.kind}`}, and ${lookedAt}`,
    {
      actions: [
        'charts that write the file at start-up from environment variables (Bitnami) keep it only in the pod: copy it out, e.g. kubectl exec POD -- cat /opt/bitnami/zookeeper/conf/zoo.cfg > zoo.cfg, then quorumctl preflight zoo.cfg',
        `see what the pods mount: kubectl --context ${api.context} -n ${workload.namespace} get ${workload.resource} ${workload.name} -o yaml`,
      ],
      details: {
        context: api.context,
        namespace: workload.namespace,
        [workload.resource]: workload.name,
        configMaps: [...mounted],
      },
    },
  );
}

/** What `--cluster NAME` reads: the workload `discover --write` recorded for the entry. */
export function selectionForInventoryCluster(cluster: InventoryCluster): ClusterManifestSelection {
  const reference = cluster.kubernetes;
  if (reference === undefined) {
    throw new UsageError(
      'PREFLIGHT_NOT_IN_KUBERNETES',
      `cluster "${cluster.name}" has no kubernetes reference in the inventory, so there is nothing to read from a cluster`,
      {
        actions: [
          'record where it runs: quorumctl discover --write',
          'or name the workload: --control-plane, -n NS --statefulset NAME, or -n NS --pod NAME',
        ],
      },
    );
  }
  const [workloadKind, workloadName] = reference.workload.split('/');
  if (workloadKind === 'StaticPods' && reference.namespace === CONTROL_PLANE_NAMESPACE)
    return { controlPlane: true };
  if (workloadKind === 'StatefulSet' && workloadName !== undefined && workloadName !== '')
    return { namespace: reference.namespace, statefulSet: workloadName };
  // StrimziPodSet, bare pods: every member's pod (Strimzi keeps one ConfigMap per pod).
  return { namespace: reference.namespace, pods: [...reference.pods] };
}

/** `--cluster NAME`: the inventory entry's workload, and the context it was discovered in. */
export async function inventorySelection(
  inventory: InventoryLocation,
  name: string,
): Promise<{ selection: ClusterManifestSelection; context?: string }> {
  const { loadInventory } = await import('./inventory-store.js');
  const { inventory: loaded } = await loadInventory(inventory);
  const cluster = findCluster(loaded, name, inventory.path);
  const context = cluster.kubernetes?.context;
  return {
    selection: selectionForInventoryCluster(cluster),
    ...(context !== undefined && { context }),
  };
}
