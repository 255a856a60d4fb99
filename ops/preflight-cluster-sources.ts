/**
 * How `preflight --from-cluster` turns API objects into the text the existing parsers read:
 * a YAML rendering of a Pod or StatefulSet (laid out like `kubectl get -o yaml`, so a
 * finding's line is a line of that rendering), the source names findings point at, and which
 * ConfigMap keys hold a configuration of which format.
 */
import { stringify } from 'yaml';
import type { SystemKind } from '../core/model.js';
import type {
  ConfigMap,
  Container,
  Pod,
  PodSpec,
  StatefulSet,
} from '../core/kubernetes/objects.js';
import type { ConfigFormat } from '../core/preflight/facts.js';
import { baseName } from '../core/preflight/parsers/common.js';
import { FORMAT_KINDS } from '../core/preflight/parsers/index.js';

/** `cluster:prod/kube-system/pod/etcd-cp1`, `cluster:prod/db/configmap/zk-config/zoo.cfg`. */
export function clusterSource(
  context: string,
  namespace: string,
  resource: 'pod' | 'statefulset' | 'configmap',
  name: string,
  key?: string,
): string {
  return `cluster:${context}/${namespace}/${resource}/${name}${key === undefined ? '' : `/${key}`}`;
}

/**
 * The object as YAML: keys sorted, lists not indented and managedFields left out, which is how
 * `kubectl get -o yaml` prints it; kind and apiVersion filled in (list items lack them).
 */
export function renderManifest(object: Pod | StatefulSet, kind: 'Pod' | 'StatefulSet'): string {
  const { managedFields: _managed, ...metadata } = object.metadata as typeof object.metadata & {
    managedFields?: unknown;
  };
  const complete = {
    ...object,
    apiVersion: object.apiVersion ?? (kind === 'Pod' ? 'v1' : 'apps/v1'),
    kind: object.kind ?? kind,
    metadata,
  };
  return stringify(complete, {
    sortMapEntries: true,
    indentSeq: false,
    lineWidth: 0,
    aliasDuplicateObjects: false,
  });
}

/** Whether the preflight Kubernetes parser finds etcd in this container (same test it uses). */
export function runsEtcd(container: Container): boolean {
  const binary = container.command?.[0] === undefined ? undefined : baseName(container.command[0]);
  return (
    container.name === 'etcd' ||
    binary === 'etcd' ||
    ((container.command ?? []).length === 0 && /(^|\/)etcd[^/]*(:|$)/.test(container.image ?? ''))
  );
}

/** The ConfigMaps a pod mounts, directly or through a projected volume, in volume order. */
export function mountedConfigMaps(spec: PodSpec): string[] {
  const names = (spec.volumes ?? []).flatMap((volume) => [
    ...(volume.configMap?.name === undefined ? [] : [volume.configMap.name]),
    ...(volume.projected?.sources ?? []).flatMap((source) =>
      source.configMap?.name === undefined ? [] : [source.configMap.name],
    ),
  ]);
  return [...new Set(names)];
}

const KRAFT_CONTENT = /^\s*(process\.roles|node\.id|controller\.quorum\.[a-z.]+)\s*[=:]/m;
const NATS_CONTENT =
  /^\s*(jetstream|cluster|server_name|listen|port|http_port|accounts|authorization|leafnodes|gateway)(?![\w-])/m;

/**
 * The format of a ConfigMap key, or undefined when it is not a configuration preflight reads
 * (log4j.properties, start scripts, ...). Names first, then content for generic suffixes.
 */
export function configMapKeyFormat(
  key: string,
  text: string,
  kind?: SystemKind,
): ConfigFormat | undefined {
  const name = key.toLowerCase();
  const format = ((): ConfigFormat | undefined => {
    if (name === 'zoo.cfg' || name.startsWith('zoo.cfg.dynamic')) return 'zoo.cfg';
    // Strimzi names it server.config; charts server.properties or controller.properties.
    if ((name.endsWith('.properties') || name === 'server.config') && KRAFT_CONTENT.test(text))
      return 'server.properties';
    if (name.endsWith('.conf') && NATS_CONTENT.test(text)) return 'nats-conf';
    return undefined;
  })();
  return format !== undefined && (kind === undefined || FORMAT_KINDS[format] === kind)
    ? format
    : undefined;
}

/** Every configuration key of the ConfigMaps, with its format. */
export function configurationKeys(
  configMaps: readonly ConfigMap[],
  kind?: SystemKind,
): { configMap: string; key: string; text: string; format: ConfigFormat }[] {
  return configMaps.flatMap((configMap) =>
    Object.entries(configMap.data ?? {}).flatMap(([key, text]) => {
      const format = configMapKeyFormat(key, text, kind);
      return format === undefined
        ? []
        : [{ configMap: configMap.metadata.name, key, text, format }];
    }),
  );
}
