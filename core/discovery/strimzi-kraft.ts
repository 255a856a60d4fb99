/**
 * Strimzi KRaft clusters: pods managed by StrimziPodSets (not StatefulSets), one set per
 * KafkaNodePool, labelled strimzi.io/cluster and strimzi.io/kind=Kafka. The controllers
 * (strimzi.io/controller-role=true, dedicated or dual-role) form the quorum; broker-only pods
 * are not members. Controllers listen on 9090 (tcp-ctrlplane) with mutual TLS.
 */
import type { Pod } from '../kubernetes/objects.js';
import type { DiscoveredCluster, DiscoveredMember, SkippedWorkload } from './model.js';
import {
  byOrdinal,
  clusterName,
  containerPort,
  isRunning,
  podDnsName,
  sharedLabels,
} from './workload.js';

const CLUSTER_LABEL = 'strimzi.io/cluster';
const CONTROLLER_ROLE_LABEL = 'strimzi.io/controller-role';
const CONTROLLER_PORT_NAME = 'tcp-ctrlplane';
const CONTROLLER_PORT = 9090;

function isStrimziKafkaPod(pod: Pod): boolean {
  const labels = pod.metadata.labels ?? {};
  return labels['strimzi.io/kind'] === 'Kafka' && labels[CLUSTER_LABEL] !== undefined;
}

/** Kafka pods, not the ZooKeeper, entity operator or exporter pods of the same Kafka resource. */
function isKafkaNode(pod: Pod): boolean {
  const labels = pod.metadata.labels ?? {};
  return (
    labels['strimzi.io/component-type'] === 'kafka' ||
    labels['strimzi.io/name'] === `${labels[CLUSTER_LABEL] ?? ''}-kafka`
  );
}

export function recogniseStrimziKraft(
  context: string,
  pods: readonly Pod[],
  clusterDomain: string,
): { clusters: DiscoveredCluster[]; skipped: SkippedWorkload[] } {
  const groups = new Map<string, Pod[]>();
  for (const pod of pods.filter(isStrimziKafkaPod).filter(isKafkaNode)) {
    const key = `${pod.metadata.namespace ?? 'default'}/${pod.metadata.labels?.[CLUSTER_LABEL] ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), pod]);
  }
  const clusters: DiscoveredCluster[] = [];
  const skipped: SkippedWorkload[] = [];
  for (const [key, kafkaPods] of groups) {
    const [namespace = 'default', kafka = ''] = key.split('/');
    const controllers = kafkaPods
      .filter((pod) => pod.metadata.labels?.[CONTROLLER_ROLE_LABEL] === 'true')
      .sort((left, right) => byOrdinal(left.metadata.name, right.metadata.name));
    if (controllers.length === 0) {
      skipped.push({
        namespace,
        workload: `Kafka/${kafka}`,
        reason:
          'Strimzi Kafka without KRaft controllers (ZooKeeper mode, or no node pool with the controller role)',
      });
      continue;
    }
    clusters.push(controllerQuorum(context, namespace, kafka, controllers, clusterDomain));
  }
  return { clusters, skipped };
}

function controllerQuorum(
  context: string,
  namespace: string,
  kafka: string,
  controllers: Pod[],
  clusterDomain: string,
): DiscoveredCluster {
  const podSets = [
    ...new Set(
      controllers.map(
        (pod) =>
          pod.metadata.ownerReferences?.find((owner) => owner.kind === 'StrimziPodSet')?.name ??
          pod.metadata.labels?.['strimzi.io/controller-name'] ??
          `${kafka}-kafka`,
      ),
    ),
  ].sort();
  // One pool: the StrimziPodSet is the workload; controllers spread over pools: the Kafka.
  const workloadName = podSets.length === 1 ? (podSets[0] ?? kafka) : kafka;
  const workload = podSets.length === 1 ? `StrimziPodSet/${workloadName}` : `Kafka/${kafka}`;
  const first = controllers[0];
  const container =
    first?.spec.containers.find((candidate) => candidate.name === 'kafka') ??
    first?.spec.containers[0];
  const { port, guessed } =
    container === undefined
      ? { port: CONTROLLER_PORT, guessed: true }
      : containerPort(container, CONTROLLER_PORT_NAME, CONTROLLER_PORT);
  const members = controllers.map((pod): DiscoveredMember => {
    const name = pod.metadata.name;
    const service = pod.spec.subdomain ?? `${kafka}-kafka-brokers`;
    return {
      name,
      pod: name,
      endpoint: `https://${podDnsName(pod.spec.hostname ?? name, service, namespace, clusterDomain)}:${port}`,
      ...(pod.spec.nodeName !== undefined && { node: pod.spec.nodeName }),
      running: isRunning(pod),
    };
  });
  const caSecret =
    first?.spec.volumes?.find((volume) => volume.name === 'cluster-ca')?.secret?.secretName ??
    `${kafka}-cluster-ca-cert`;
  const notes = [
    `the controller listener ${port} (${CONTROLLER_PORT_NAME}) requires mutual TLS: the CA is in Secret ${caSecret}; the client certificate must be signed by the cluster CA (Secret ${kafka}-cluster-ca)`,
  ];
  if (podSets.length > 1) notes.push(`controllers in node pools: ${podSets.join(', ')}`);
  if (guessed) notes.push(`no container port named ${CONTROLLER_PORT_NAME}: port ${port} guessed`);
  const down = members.filter((member) => !member.running).map((member) => member.pod);
  if (down.length > 0) notes.push(`pods not running: ${down.join(', ')}`);
  return {
    name: clusterName(context, namespace, workloadName),
    kind: 'kraft',
    context,
    namespace,
    source: 'strimzi',
    workload,
    members,
    port,
    labels: sharedLabels(controllers),
    container: container?.name ?? 'kafka',
    tls: { secret: caSecret, clientCertAuth: true },
    reach: 'port-forward',
    notes,
  };
}
