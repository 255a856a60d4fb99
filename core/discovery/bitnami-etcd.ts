/**
 * Bitnami etcd StatefulSets: app.kubernetes.io/name=etcd, image bitnami/etcd, client port
 * "client" 2379, settings in ETCD_* variables (ETCD_ADVERTISE_CLIENT_URLS decides http or
 * https; ETCD_AUTO_TLS means self-signed certificates; certificates from a mounted Secret).
 */
import type { StatefulSet } from '../kubernetes/objects.js';
import type { DiscoveredCluster, DiscoveredTls } from './model.js';
import { serverContainer, type ShapeInput, type StatefulSetShape } from './shape.js';
import {
  clusterName,
  containerPort,
  envValue,
  isBitnamiImage,
  statefulSetLabels,
  statefulSetMembers,
  statefulSetWorkload,
} from './workload.js';

const CLIENT_PORT = 2379;
/** The chart mounts client certificates (auth.client.existingSecret) at this path. */
const CERTS_MOUNT = '/opt/bitnami/etcd/certs/client';

export const bitnamiEtcdShape: StatefulSetShape = {
  matches: (statefulSet) =>
    statefulSet.spec.template.metadata?.labels?.['app.kubernetes.io/name'] === 'etcd' &&
    statefulSet.spec.template.spec.containers.some((container) =>
      isBitnamiImage(container.image, 'etcd'),
    ),
  recognise(statefulSet: StatefulSet, input: ShapeInput): DiscoveredCluster {
    const namespace = statefulSet.metadata.namespace ?? 'default';
    const container = serverContainer(statefulSet.spec.template.spec.containers, (candidate) =>
      isBitnamiImage(candidate.image, 'etcd'),
    );
    const { port, guessed } =
      container === undefined
        ? { port: CLIENT_PORT, guessed: true }
        : containerPort(container, 'client', CLIENT_PORT);
    const advertised =
      container === undefined ? undefined : envValue(container, 'ETCD_ADVERTISE_CLIENT_URLS');
    const autoTls = container !== undefined && envValue(container, 'ETCD_AUTO_TLS') === 'true';
    const https = advertised?.startsWith('https://') === true || autoTls;
    const { members, notes } = statefulSetMembers(
      statefulSet,
      input,
      (host) => `${https ? 'https' : 'http'}://${host}:${port}`,
    );
    if (guessed) notes.push(`no container port named client: port ${port} guessed`);
    let tls: DiscoveredTls | undefined;
    if (https) {
      const certMount = container?.volumeMounts?.find((mount) => mount.mountPath === CERTS_MOUNT);
      const secret = statefulSet.spec.template.spec.volumes?.find(
        (volume) => volume.name === certMount?.name,
      )?.secret?.secretName;
      tls = {
        ...(secret !== undefined && { secret }),
        clientCertAuth:
          container !== undefined && envValue(container, 'ETCD_CLIENT_CERT_AUTH') === 'true',
      };
      if (autoTls)
        notes.push(
          'auto-TLS: each member made a self-signed certificate; verification needs insecureSkipVerify',
        );
    }
    return {
      name: clusterName(input.context, namespace, statefulSet.metadata.name),
      kind: 'etcd',
      context: input.context,
      namespace,
      source: 'bitnami',
      workload: statefulSetWorkload(statefulSet),
      members,
      port,
      labels: statefulSetLabels(statefulSet, input.pods),
      container: container?.name ?? 'etcd',
      ...(tls !== undefined && { tls }),
      reach: 'port-forward',
      notes,
    };
  },
};
