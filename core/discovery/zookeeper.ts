/**
 * ZooKeeper StatefulSets: the Bitnami chart (app.kubernetes.io/name=zookeeper, image
 * bitnami/zookeeper, client port "client" 2181, headless service <name>-headless) and the
 * Pravega zookeeper-operator (pod labels kind=ZookeeperMember and app=<name>, image
 * pravega/zookeeper). Members are reached by their stable pod DNS names.
 */
import type { StatefulSet } from '../kubernetes/objects.js';
import type { DiscoveredCluster, DiscoverySource } from './model.js';
import { serverContainer, type ShapeInput, type StatefulSetShape } from './shape.js';
import {
  clusterName,
  containerPort,
  envValue,
  imageRepository,
  isBitnamiImage,
  statefulSetLabels,
  statefulSetMembers,
  statefulSetWorkload,
} from './workload.js';

const CLIENT_PORT = 2181;
/** The AdminServer's container port: Bitnami's name, then the Pravega operator's. */
const ADMIN_PORT_NAMES: readonly string[] = ['http-admin', 'admin-server'];

function sourceOf(statefulSet: StatefulSet): DiscoverySource | undefined {
  const labels = statefulSet.spec.template.metadata?.labels ?? {};
  const images = statefulSet.spec.template.spec.containers.map((c) => c.image);
  if (
    labels['app.kubernetes.io/name'] === 'zookeeper' &&
    images.some((image) => isBitnamiImage(image, 'zookeeper'))
  )
    return 'bitnami';
  if (
    labels.kind === 'ZookeeperMember' &&
    images.some((image) => imageRepository(image).endsWith('zookeeper'))
  )
    return 'pravega';
  return undefined;
}

export const zookeeperShape: StatefulSetShape = {
  matches: (statefulSet) => sourceOf(statefulSet) !== undefined,
  recognise(statefulSet: StatefulSet, input: ShapeInput): DiscoveredCluster {
    const source = sourceOf(statefulSet) ?? 'image';
    const namespace = statefulSet.metadata.namespace ?? 'default';
    const container = serverContainer(statefulSet.spec.template.spec.containers, (candidate) =>
      imageRepository(candidate.image).endsWith('zookeeper'),
    );
    const { port, guessed } =
      container === undefined
        ? { port: CLIENT_PORT, guessed: true }
        : containerPort(container, 'client', CLIENT_PORT);
    const { members, notes } = statefulSetMembers(
      statefulSet,
      input,
      (host) => `http://${host}:${port}`,
    );
    if (guessed) notes.push(`no container port named client: port ${port} guessed`);
    const adminPort = container?.ports?.find((candidate) =>
      ADMIN_PORT_NAMES.includes(candidate.name ?? ''),
    )?.containerPort;
    // Bitnami whitelists only srvr, mntr and ruok: the AdminServer answers for `conf`.
    const monitorUrls =
      adminPort === undefined
        ? undefined
        : members.map(
            (member) =>
              `http://${URL.parse(member.endpoint)?.hostname ?? ''}:${adminPort}/commands`,
          );
    // Bitnami's client TLS listens on another port (tls.client.port); quorumctl speaks plain 2181.
    if (container !== undefined && envValue(container, 'ZOO_TLS_CLIENT_ENABLE') === 'true')
      notes.push('client TLS is on (ZOO_TLS_CLIENT_ENABLE): the plain client port may be closed');
    return {
      name: clusterName(input.context, namespace, statefulSet.metadata.name),
      kind: 'zookeeper',
      context: input.context,
      namespace,
      source,
      workload: statefulSetWorkload(statefulSet),
      members,
      port,
      ...(monitorUrls !== undefined && { monitorUrls }),
      labels: statefulSetLabels(statefulSet, input.pods),
      container: container?.name ?? 'zookeeper',
      reach: 'port-forward',
      notes,
    };
  },
};
