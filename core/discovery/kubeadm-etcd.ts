/**
 * Control-plane etcd of a kubeadm cluster: one static pod per control-plane node in
 * kube-system (mirror pod `etcd-<node>`, labels component=etcd and tier=control-plane,
 * host networking), configured by flags. Its endpoints are node addresses, reached directly.
 */
import type { Container, Pod } from '../kubernetes/objects.js';
import type { DiscoveredCluster, DiscoveredMember, DiscoveredTls } from './model.js';
import {
  byOrdinal,
  clusterName,
  commandLine,
  flagValue,
  isRunning,
  sharedLabels,
} from './workload.js';

export const CONTROL_PLANE_NAMESPACE = 'kube-system';
/** The label kubeadm puts on the etcd static pods (with tier=control-plane). */
export const CONTROL_PLANE_ETCD_SELECTOR = 'component=etcd';

/** kubeadm writes this annotation on the etcd static pod with the member's client URL. */
const ADVERTISE_ANNOTATION = 'kubeadm.kubernetes.io/etcd.advertise-client-urls';

/** kubeadm's client certificate for talking to etcd from a control-plane node. */
export const KUBEADM_ETCD_CLIENT_CERT = '/etc/kubernetes/pki/etcd/healthcheck-client.crt';
export const KUBEADM_ETCD_CLIENT_KEY = '/etc/kubernetes/pki/etcd/healthcheck-client.key';

export function isControlPlaneEtcd(pod: Pod): boolean {
  const labels = pod.metadata.labels ?? {};
  return (
    pod.metadata.namespace === CONTROL_PLANE_NAMESPACE &&
    labels.component === 'etcd' &&
    labels.tier === 'control-plane'
  );
}

/** The control-plane etcd cluster, when kube-system runs etcd static pods. */
export function recogniseKubeadmEtcd(
  context: string,
  pods: readonly Pod[],
): DiscoveredCluster | undefined {
  const etcdPods = pods
    .filter(isControlPlaneEtcd)
    .sort((left, right) => byOrdinal(left.metadata.name, right.metadata.name));
  const first = etcdPods[0];
  if (first === undefined) return undefined;
  const notes: string[] = [];
  const members = etcdPods.map((pod): DiscoveredMember => {
    const { endpoint, guessed } = clientUrlOf(pod);
    if (guessed) notes.push(`${pod.metadata.name}: no --advertise-client-urls; endpoint guessed`);
    return {
      name: pod.metadata.name,
      pod: pod.metadata.name,
      endpoint,
      ...(pod.spec.nodeName !== undefined && { node: pod.spec.nodeName }),
      running: isRunning(pod),
    };
  });
  const container = etcdContainer(first);
  const tls = tlsOf(container);
  const port = Number(URL.parse(members[0]?.endpoint ?? '')?.port || 2379);
  if (tls !== undefined && tls.clientCertAuth)
    notes.push(
      `client certificate: use ${KUBEADM_ETCD_CLIENT_CERT} and ${KUBEADM_ETCD_CLIENT_KEY} on a control-plane node (kubeadm makes them for this); the CA is ${tls.caFile ?? '--trusted-ca-file'}`,
    );
  const down = members.filter((member) => !member.running).map((member) => member.pod);
  if (down.length > 0) notes.push(`pods not running: ${down.join(', ')}`);
  return {
    name: clusterName(context, CONTROL_PLANE_NAMESPACE, 'etcd'),
    kind: 'etcd',
    context,
    namespace: CONTROL_PLANE_NAMESPACE,
    source: 'kubeadm',
    workload: 'StaticPods/etcd',
    members,
    port,
    labels: sharedLabels(etcdPods),
    container: container?.name ?? 'etcd',
    ...(tls !== undefined && { tls }),
    reach: 'direct',
    notes,
  };
}

function etcdContainer(pod: Pod): Container | undefined {
  return (
    pod.spec.containers.find((container) => container.name === 'etcd') ?? pod.spec.containers[0]
  );
}

/** The first https URL of --advertise-client-urls (else its first URL, else the annotation). */
function clientUrlOf(pod: Pod): { endpoint: string; guessed: boolean } {
  const container = etcdContainer(pod);
  const flag =
    container === undefined
      ? undefined
      : flagValue(commandLine(container), '--advertise-client-urls');
  const urls = (flag ?? pod.metadata.annotations?.[ADVERTISE_ANNOTATION] ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
  const chosen = urls.find((url) => url.startsWith('https://')) ?? urls[0];
  if (chosen !== undefined) return { endpoint: chosen.replace(/\/$/, ''), guessed: false };
  const host = pod.status?.hostIP ?? pod.status?.podIP ?? pod.spec.nodeName ?? pod.metadata.name;
  return { endpoint: `https://${host}:2379`, guessed: true };
}

function tlsOf(container: Container | undefined): DiscoveredTls | undefined {
  if (container === undefined) return undefined;
  const words = commandLine(container);
  const caFile = flagValue(words, '--trusted-ca-file');
  const certFile = flagValue(words, '--cert-file');
  const keyFile = flagValue(words, '--key-file');
  const clientCertAuth = flagValue(words, '--client-cert-auth');
  if (caFile === undefined && certFile === undefined && keyFile === undefined) return undefined;
  return {
    ...(caFile !== undefined && caFile !== '' && { caFile }),
    ...(certFile !== undefined && certFile !== '' && { certFile }),
    ...(keyFile !== undefined && keyFile !== '' && { keyFile }),
    clientCertAuth: clientCertAuth === '' || clientCertAuth === 'true',
    clientCertFile: KUBEADM_ETCD_CLIENT_CERT,
    clientKeyFile: KUBEADM_ETCD_CLIENT_KEY,
  };
}
