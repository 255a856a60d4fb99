/**
 * Bitnami Kafka chart releases (bitnami/charts bitnami/kafka): StatefulSets whose pods are
 * labelled app.kubernetes.io/name=kafka and run a Bitnami kafka image. Since chart 26 the
 * controller-eligible StatefulSet `<fullname>-controller` holds the KRaft quorum (its
 * server.properties in ConfigMap `<fullname>-controller-configuration`) and `<fullname>-broker`
 * the brokers; charts 20-25 run one StatefulSet set up by KAFKA_CFG_* variables. Only nodes
 * whose process.roles include `controller` are quorum members.
 */
import type { Container, StatefulSet } from '../kubernetes/objects.js';
import { parseJavaProperties } from '../preflight/parsers/java-properties.js';
import type { DiscoveredCluster, DiscoveredTls, SkippedWorkload } from './model.js';
import { serverContainer, type ShapeInput, type StatefulSetShape } from './shape.js';
import {
  clusterName,
  isBitnamiImage,
  skippedStatefulSet,
  statefulSetLabels,
  statefulSetMembers,
  statefulSetWorkload,
} from './workload.js';

const CONTROLLER_PORT = 9093;
/** Container port names of the controller listener: chart >= 26, then charts 20-25. */
const CONTROLLER_PORT_NAMES: readonly string[] = ['controller', 'kafka-ctlr'];
const CONFIG_KEY = 'server.properties';
/** Variables the Bitnami image writes into server.properties: KAFKA_CFG_FOO_BAR is foo.bar. */
const ENV_PREFIX = 'KAFKA_CFG_';
/** The chart's volume of the configuration ConfigMap (its kafka-init container mounts it). */
const CONFIG_VOLUME = 'kafka-configmaps';
/** The chart's TLS volume, projected from tls.existingSecret or the Secret it generates. */
const CERTS_VOLUME = 'kafka-certs';
const COMPONENT_LABEL = 'app.kubernetes.io/component';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';
/** Listener names Kafka takes as their own protocol when the protocol map omits them. */
const SECURITY_PROTOCOLS = new Set(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']);

const isBitnamiKafkaImage = (image: string | undefined) => isBitnamiImage(image, 'kafka');

/**
 * ConfigMap volumes holding server.properties: the chart's `kafka-configmaps` (chart >= 26), or
 * any mounted at a path or subPath named server.properties (charts 20-25 with `config`). The
 * scripts, log4j and JMX exporter ConfigMaps are not read.
 */
function configMapNames(statefulSet: StatefulSet): string[] {
  const spec = statefulSet.spec.template.spec;
  const holdsConfig = new Set(
    [...(spec.initContainers ?? []), ...spec.containers]
      .flatMap((container) => container.volumeMounts ?? [])
      .filter((mount) => mount.mountPath.endsWith(`/${CONFIG_KEY}`) || mount.subPath === CONFIG_KEY)
      .map((mount) => mount.name),
  );
  return (spec.volumes ?? [])
    .filter((volume) => volume.name === CONFIG_VOLUME || holdsConfig.has(volume.name))
    .map((volume) => volume.configMap?.name)
    .filter((name): name is string => name !== undefined);
}

interface KafkaSettings {
  values: ReadonlyMap<string, string>;
  /** Why no server.properties was read (absent ConfigMap, no such key, a parse error). */
  unreadable?: string;
}

/** The mounted server.properties, or why it could not be read. */
function serverProperties(statefulSet: StatefulSet, input: ShapeInput): KafkaSettings {
  const maps = configMapNames(statefulSet).map((name) => ({ name, map: input.configMap(name) }));
  const found = maps.find((entry) => entry.map?.data?.[CONFIG_KEY] !== undefined);
  const text = found?.map?.data?.[CONFIG_KEY];
  if (found === undefined || text === undefined) {
    const first = maps[0];
    const unreadable =
      first === undefined
        ? `no ConfigMap with ${CONFIG_KEY} is mounted`
        : first.map === undefined
          ? `ConfigMap ${first.name} not found`
          : `ConfigMap ${first.name} has no ${CONFIG_KEY}`;
    return { values: new Map(), unreadable };
  }
  try {
    const settings = parseJavaProperties(text, `${found.name}/${CONFIG_KEY}`, CONFIG_KEY);
    // Later lines win, as java.util.Properties.load does.
    return { values: new Map(settings.map((setting) => [setting.key, setting.value])) };
  } catch {
    return {
      values: new Map(),
      unreadable: `the ${CONFIG_KEY} of ConfigMap ${found.name} does not parse`,
    };
  }
}

/**
 * The node's settings as the Bitnami image applies them: the mounted server.properties, then
 * the literal KAFKA_CFG_* variables over it (KAFKA_CFG_PROCESS_ROLES is process.roles).
 */
function settingsOf(
  statefulSet: StatefulSet,
  container: Container | undefined,
  input: ShapeInput,
): KafkaSettings {
  const { values, unreadable } = serverProperties(statefulSet, input);
  const merged = new Map(values);
  for (const { name, value } of container?.env ?? [])
    if (name.startsWith(ENV_PREFIX) && value !== undefined && value !== '')
      merged.set(name.slice(ENV_PREFIX.length).toLowerCase().replaceAll('_', '.'), value);
  return { values: merged, ...(unreadable !== undefined && { unreadable }) };
}

/** `a, b` -> `['a', 'b']`; undefined when the setting is absent or empty. */
function listOf(value: string | undefined): string[] | undefined {
  const items = (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items.length === 0 ? undefined : items;
}

/** The security protocol of a listener: listener.security.protocol.map, else its own name. */
function protocolOf(values: ReadonlyMap<string, string>, listener: string): string | undefined {
  // Kafka upper-cases listener names (ListenerName.normalised).
  for (const entry of listOf(values.get('listener.security.protocol.map')) ?? []) {
    const [name = '', protocol = ''] = entry.split(':');
    if (name.trim().toUpperCase() === listener) return protocol.trim().toUpperCase();
  }
  return SECURITY_PROTOCOLS.has(listener) ? listener : undefined;
}

/** The port of a listener in `listeners` (`CONTROLLER://:9093`). */
function listenerPort(values: ReadonlyMap<string, string>, listener: string): number | undefined {
  for (const entry of listOf(values.get('listeners')) ?? []) {
    const match = /^([^:]+):\/\/.*:(\d+)$/.exec(entry);
    if (match?.[1]?.toUpperCase() === listener) return Number(match[2]);
  }
  return undefined;
}

function brokersSkipped(statefulSet: StatefulSet, why: string): SkippedWorkload {
  const instance = statefulSet.spec.template.metadata?.labels?.[INSTANCE_LABEL];
  const where =
    instance === undefined
      ? ''
      : ` (${INSTANCE_LABEL}=${instance}, ${COMPONENT_LABEL}=controller-eligible)`;
  return skippedStatefulSet(
    statefulSet,
    `Bitnami Kafka brokers (${why}) are not quorum members; the controllers are in the controller-eligible StatefulSet of the same release${where}`,
  );
}

/** The chart's JMX exporter beside the server (metrics.jmx.enabled): its container and port. */
function jmxExporterOf(
  containers: readonly Container[],
): { container: string; port: number } | undefined {
  for (const container of containers) {
    const port = container.ports?.find((candidate) => candidate.name === 'metrics');
    if (port !== undefined) return { container: container.name, port: port.containerPort };
  }
  return undefined;
}

/** What quorumctl can do about a SASL controller listener: it has no SASL handshake. */
function saslNote(
  listener: string,
  protocol: string,
  exporter: { container: string; port: number } | undefined,
): string {
  const cannot = `the controller listener ${listener} is ${protocol}: quorumctl does not speak SASL, so it cannot read the quorum over the Kafka protocol`;
  return exporter === undefined
    ? `${cannot}; make the controller listener PLAINTEXT or SSL (chart value listeners.controller.protocol), or enable the JMX exporter (chart value metrics.jmx.enabled=true) and discover again: status then reads its pages`
    : `${cannot}: status reads the JMX exporter pages beside each controller instead (container ${exporter.container}, port ${exporter.port}: the monitorUrls); for the full quorum view make the listener PLAINTEXT or SSL (chart value listeners.controller.protocol)`;
}

function tlsOf(
  statefulSet: StatefulSet,
  values: ReadonlyMap<string, string>,
  listener: string,
): DiscoveredTls {
  const volume = statefulSet.spec.template.spec.volumes?.find(
    (candidate) => candidate.name === CERTS_VOLUME,
  );
  const secret =
    volume?.secret?.secretName ??
    volume?.projected?.sources?.find((source) => source.secret?.name !== undefined)?.secret?.name;
  const clientAuth =
    values.get(`listener.name.${listener.toLowerCase()}.ssl.client.auth`) ??
    values.get('ssl.client.auth');
  return { ...(secret !== undefined && { secret }), clientCertAuth: clientAuth === 'required' };
}

function controllerCluster(
  statefulSet: StatefulSet,
  input: ShapeInput,
  container: Container | undefined,
  settings: KafkaSettings,
  roles: readonly string[] | undefined,
): DiscoveredCluster {
  const namespace = statefulSet.metadata.namespace ?? 'default';
  const { values } = settings;
  const notes: string[] = [];
  if (roles === undefined)
    notes.push(
      `${settings.unreadable === undefined ? 'process.roles is not set' : `${CONFIG_KEY} could not be read (${settings.unreadable})`}: taken as a controller, as the chart's controller-eligible StatefulSet runs process.roles=controller or controller,broker; the controller listener's protocol is unknown (the chart's default is SASL_PLAINTEXT)`,
    );
  else if (roles.includes('broker'))
    notes.push(
      `process.roles=${roles.join(',')}: each member is a KRaft controller and a broker at once`,
    );
  const listener = listOf(values.get('controller.listener.names'))?.[0]?.toUpperCase();
  const protocol = listener === undefined ? undefined : protocolOf(values, listener);
  const https = protocol === 'SSL' || protocol === 'SASL_SSL';
  const tls = https && listener !== undefined ? tlsOf(statefulSet, values, listener) : undefined;
  const exporter = jmxExporterOf(statefulSet.spec.template.spec.containers);
  if (protocol?.startsWith('SASL_') === true && listener !== undefined)
    notes.push(saslNote(listener, protocol, exporter));
  if (tls !== undefined)
    notes.push(
      `the controller listener ${listener ?? '?'} is ${protocol ?? '?'} (https endpoints)${tls.secret === undefined ? ': pass its CA with --cacert' : `: the chart's certificates are in Secret ${tls.secret}`}${tls.clientCertAuth ? '; it requires client certificates (ssl.client.auth=required)' : ''}`,
    );
  if (roles !== undefined && protocol === undefined)
    notes.push(
      listener === undefined
        ? 'controller.listener.names is not set: the controller listener and its protocol are unknown (plaintext assumed)'
        : `the controller listener ${listener} is not in listener.security.protocol.map: plaintext assumed`,
    );
  const named = container?.ports?.find((port) => CONTROLLER_PORT_NAMES.includes(port.name ?? ''));
  const fromListeners = listener === undefined ? undefined : listenerPort(values, listener);
  const port = named?.containerPort ?? fromListeners ?? CONTROLLER_PORT;
  if (named === undefined && fromListeners === undefined)
    notes.push(`no container port named controller: port ${port} guessed`);
  const found = statefulSetMembers(
    statefulSet,
    input,
    (host) => `${https ? 'https' : 'http'}://${host}:${port}`,
  );
  // The KRaft adapter falls back to these pages when the Kafka protocol gives no status.
  const monitorUrls =
    exporter === undefined
      ? undefined
      : found.members.map(
          (member) =>
            `http://${URL.parse(member.endpoint)?.hostname ?? ''}:${exporter.port}/metrics`,
        );
  return {
    name: clusterName(input.context, namespace, statefulSet.metadata.name),
    kind: 'kraft',
    context: input.context,
    namespace,
    source: 'bitnami',
    workload: statefulSetWorkload(statefulSet),
    members: found.members,
    port,
    ...(monitorUrls !== undefined && { monitorUrls }),
    labels: statefulSetLabels(statefulSet, input.pods),
    container: container?.name ?? 'kafka',
    ...(tls !== undefined && { tls }),
    reach: 'port-forward',
    notes: [...notes, ...found.notes],
  };
}

export const bitnamiKafkaShape: StatefulSetShape = {
  matches: (statefulSet) =>
    statefulSet.spec.template.metadata?.labels?.['app.kubernetes.io/name'] === 'kafka' &&
    statefulSet.spec.template.spec.containers.some((container) =>
      isBitnamiKafkaImage(container.image),
    ),
  configMapsOf: configMapNames,
  recognise(statefulSet: StatefulSet, input: ShapeInput): DiscoveredCluster | SkippedWorkload {
    const container = serverContainer(statefulSet.spec.template.spec.containers, (candidate) =>
      isBitnamiKafkaImage(candidate.image),
    );
    const settings = settingsOf(statefulSet, container, input);
    const roles = listOf(settings.values.get('process.roles'))?.map((role) => role.toLowerCase());
    const component = statefulSet.spec.template.metadata?.labels?.[COMPONENT_LABEL];
    if (roles !== undefined && !roles.includes('controller'))
      return brokersSkipped(statefulSet, `process.roles=${roles.join(',')}`);
    if (roles === undefined) {
      const zookeeper = settings.values.get('zookeeper.connect')?.trim();
      if (zookeeper !== undefined && zookeeper !== '')
        return skippedStatefulSet(
          statefulSet,
          `Kafka in ZooKeeper mode (zookeeper.connect=${zookeeper}, no process.roles): its quorum is the ZooKeeper ensemble (discover it too, e.g. the Bitnami zookeeper chart)`,
        );
      if (component === 'broker')
        return brokersSkipped(
          statefulSet,
          `${COMPONENT_LABEL}=broker; ${settings.unreadable ?? 'no process.roles'}`,
        );
      if (component !== 'controller-eligible')
        return skippedStatefulSet(
          statefulSet,
          `Bitnami Kafka with neither process.roles nor zookeeper.connect${settings.unreadable === undefined ? '' : ` (${settings.unreadable})`}: cannot tell whether it runs KRaft controllers; add it with quorumctl config add-cluster`,
        );
    }
    return controllerCluster(statefulSet, input, container, settings, roles);
  },
};
