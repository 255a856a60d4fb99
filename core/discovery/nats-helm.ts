/**
 * NATS Helm chart releases (nats-io/k8s): StatefulSet labelled app.kubernetes.io/name=nats and
 * app.kubernetes.io/instance=<release>, image nats, monitoring port "monitor" 8222, the server
 * configuration in the ConfigMap mounted at /etc/nats-config. quorumctl reads the JetStream
 * meta group, so a release without JetStream is skipped, with that reason.
 */
import type { Container, StatefulSet } from '../kubernetes/objects.js';
import type { DiscoveredCluster, SkippedWorkload } from './model.js';
import { serverContainer, type ShapeInput, type StatefulSetShape } from './shape.js';
import {
  clusterName,
  commandLine,
  containerPort,
  imageName,
  skippedStatefulSet,
  statefulSetLabels,
  statefulSetMembers,
  statefulSetWorkload,
} from './workload.js';

const MONITOR_PORT = 8222;
const CONFIG_KEY = 'nats.conf';

function natsContainer(statefulSet: StatefulSet): Container | undefined {
  return statefulSet.spec.template.spec.containers.find(
    (container) => imageName(container.image) === 'nats',
  );
}

/** The ConfigMap volumes the server container mounts (the chart's is `<fullname>-config`). */
function configMapNames(statefulSet: StatefulSet): string[] {
  const container = natsContainer(statefulSet);
  const mounted = new Set(container?.volumeMounts?.map((mount) => mount.name) ?? []);
  return (statefulSet.spec.template.spec.volumes ?? [])
    .filter((volume) => mounted.has(volume.name))
    .map((volume) => volume.configMap?.name)
    .filter((name): name is string => name !== undefined);
}

/**
 * Whether a nats-server configuration enables JetStream: a `jetstream { ... }` block (or
 * `"jetstream": {` as the chart renders it), or `jetstream: enabled|true`. undefined when the
 * text does not mention it (the server default: off).
 */
export function jetStreamInConfig(text: string): boolean | undefined {
  const code = text
    .split('\n')
    .map((line) => line.replace(/(^|\s)(#|\/\/).*$/, '$1'))
    .join('\n');
  const match = /(?:^|[\s{,])"?jetstream"?\s*(?:[:=]\s*)?("?[A-Za-z]+"?|\{)/im.exec(code);
  if (match === null) return undefined;
  const value = (match[1] ?? '').replaceAll('"', '').toLowerCase();
  return value === '{' || ['true', 'enabled', 'enable', 'on', 'yes'].includes(value);
}

export const natsHelmShape: StatefulSetShape = {
  matches: (statefulSet) =>
    statefulSet.spec.template.metadata?.labels?.['app.kubernetes.io/name'] === 'nats' &&
    natsContainer(statefulSet) !== undefined,
  configMapsOf: configMapNames,
  recognise(statefulSet: StatefulSet, input: ShapeInput): DiscoveredCluster | SkippedWorkload {
    const namespace = statefulSet.metadata.namespace ?? 'default';
    const container = serverContainer(
      statefulSet.spec.template.spec.containers,
      (candidate) => imageName(candidate.image) === 'nats',
    );
    const words = container === undefined ? [] : commandLine(container);
    const configs = configMapNames(statefulSet).map((name) => ({
      name,
      map: input.configMap(name),
    }));
    const config = configs.find((entry) => entry.map?.data?.[CONFIG_KEY] !== undefined);
    const fromArgs = words.includes('--jetstream') || words.includes('-js') ? true : undefined;
    const fromConfig =
      config === undefined ? undefined : jetStreamInConfig(config.map?.data?.[CONFIG_KEY] ?? '');
    const jetStream = fromArgs ?? fromConfig;
    if (jetStream !== true) {
      const why =
        config === undefined && fromArgs === undefined
          ? `no ${CONFIG_KEY} found${configs.length === 0 ? '' : ` in ConfigMap ${configs.map((entry) => entry.name).join(', ')}`}: cannot tell whether JetStream is on`
          : `JetStream is off (no jetstream block in ${config?.name ?? 'the server configuration'})`;
      return skippedStatefulSet(
        statefulSet,
        `NATS without JetStream: ${why}; quorumctl reads the JetStream meta group (chart value config.jetstream.enabled=true)`,
      );
    }
    const { port, guessed } =
      container === undefined
        ? { port: MONITOR_PORT, guessed: true }
        : containerPort(container, 'monitor', MONITOR_PORT);
    const { members, notes } = statefulSetMembers(
      statefulSet,
      input,
      (host) => `http://${host}:${port}`,
    );
    if (guessed) notes.push(`no container port named monitor: port ${port} guessed`);
    notes.unshift(`endpoints are the monitoring port (${port}), as status reads /jsz and /varz`);
    return {
      name: clusterName(input.context, namespace, statefulSet.metadata.name),
      kind: 'nats',
      context: input.context,
      namespace,
      source: 'nats-helm',
      workload: statefulSetWorkload(statefulSet),
      members,
      port,
      labels: statefulSetLabels(statefulSet, input.pods),
      container: container?.name ?? 'nats',
      reach: 'port-forward',
      notes,
    };
  },
};
