/**
 * What every recogniser needs from pods and StatefulSets: cluster names, member order, the
 * labels all members share, container ports, image names and command-line flags.
 */
import type { Container, Pod, StatefulSet } from '../kubernetes/objects.js';
import { UsageError } from '../errors.js';
import type { DiscoveredMember, SkippedWorkload } from './model.js';

/** `<context>.<namespace>.<workload>`, lower case: the inventory name of a discovered cluster. */
export function clusterName(context: string, namespace: string, workload: string): string {
  return `${context}.${namespace}.${workload}`.toLowerCase();
}

/** Pod phase Running and not being deleted. */
export function isRunning(pod: Pod): boolean {
  const deleting = (pod.metadata as { deletionTimestamp?: string }).deletionTimestamp;
  return pod.status?.phase === 'Running' && deleting === undefined;
}

/** The trailing number of a pod name (`zk-2` -> 2, `my-cluster-controller-10` -> 10). */
export function ordinalOf(podName: string): number | undefined {
  const match = /-(\d+)$/.exec(podName);
  return match === null ? undefined : Number(match[1]);
}

/** By ordinal, so `-10` follows `-9`; names without one by name, after those with one. */
export function byOrdinal(left: string, right: string): number {
  const a = ordinalOf(left);
  const b = ordinalOf(right);
  if (a !== undefined && b !== undefined && a !== b) return a - b;
  if (a === undefined && b !== undefined) return 1;
  if (a !== undefined && b === undefined) return -1;
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * Labels that change on every rollout or differ per pod: a Chaos Mesh selector built on them
 * would stop matching after the next upgrade.
 */
const VOLATILE_LABELS = new Set([
  'controller-revision-hash',
  'pod-template-hash',
  'pod-template-generation',
  'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index',
  'helm.sh/chart',
  'app.kubernetes.io/version',
  'strimzi.io/pod-name',
]);

/** The labels every pod carries with the same value, without the volatile ones. */
export function sharedLabels(
  pods: readonly Pod[],
  fallback: Record<string, string> = {},
): Record<string, string> {
  const sets = pods.map((pod) => pod.metadata.labels ?? {});
  const first = sets[0] ?? fallback;
  const shared: Record<string, string> = {};
  for (const key of Object.keys(first).sort()) {
    const value = first[key];
    if (value === undefined || VOLATILE_LABELS.has(key)) continue;
    if (sets.every((labels) => labels[key] === value)) shared[key] = value;
  }
  return shared;
}

/** `docker.io/bitnami/zookeeper:3.9.3-debian-12-r8` -> `bitnami/zookeeper` (no registry, tag, digest). */
export function imageRepository(image: string | undefined): string {
  if (image === undefined) return '';
  const withoutDigest = image.split('@')[0] ?? image;
  const parts = withoutDigest.split('/');
  const last = parts.pop() ?? '';
  const name = last.split(':')[0] ?? last;
  const first = parts[0];
  // A first segment with a dot, a port or "localhost" is a registry, not a repository path.
  if (first !== undefined && (/[.:]/.test(first) || first === 'localhost')) parts.shift();
  return [...parts, name].join('/');
}

/**
 * A Bitnami image of this server: `bitnami/<name>`, also the `bitnamilegacy` and
 * `bitnamisecure` repositories Bitnami moved its images to in 2025, and mirrors that keep the
 * path (`harbor.example.com/proxy/bitnami/<name>`).
 */
export function isBitnamiImage(image: string | undefined, name: string): boolean {
  const parts = imageRepository(image).split('/');
  return parts.pop() === name && parts.some((part) => part.startsWith('bitnami'));
}

/** The last path segment of the image repository: `bitnami/zookeeper` -> `zookeeper`. */
export function imageName(image: string | undefined): string {
  return imageRepository(image).split('/').pop() ?? '';
}

/** The container port with this name, else the fallback number (and whether it was guessed). */
export function containerPort(
  container: Container,
  name: string,
  fallback: number,
): { port: number; guessed: boolean } {
  const named = container.ports?.find((port) => port.name === name);
  if (named !== undefined) return { port: named.containerPort, guessed: false };
  const numbered = container.ports?.find((port) => port.containerPort === fallback);
  return { port: fallback, guessed: numbered === undefined };
}

/** The value of `--flag=value` or `--flag value` in a command line; `''` for a bare `--flag`. */
export function flagValue(words: readonly string[], flag: string): string | undefined {
  for (let index = 0; index < words.length; index++) {
    const word = words[index] ?? '';
    if (word.startsWith(`${flag}=`)) return word.slice(flag.length + 1);
    if (word === flag) {
      const next = words[index + 1];
      return next === undefined || next.startsWith('-') ? '' : next;
    }
  }
  return undefined;
}

/** The command and arguments of a container, as one list of words. */
export function commandLine(container: Container): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])];
}

/** A literal environment variable of the container (values from Secrets are not read). */
export function envValue(container: Container, name: string): string | undefined {
  return container.env?.find((variable) => variable.name === name)?.value;
}

/** The pods a StatefulSet owns (by owner reference, in its namespace). */
export function podsOwnedBy(statefulSet: StatefulSet, pods: readonly Pod[]): Pod[] {
  return pods.filter(
    (pod) =>
      pod.metadata.namespace === statefulSet.metadata.namespace &&
      (pod.metadata.ownerReferences ?? []).some(
        (owner) => owner.kind === 'StatefulSet' && owner.name === statefulSet.metadata.name,
      ),
  );
}

/** Kubernetes' default DNS domain; kubelets started with --cluster-domain use another. */
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** `--cluster-domain`: DNS labels separated by dots (`cluster.local`, `k8s.example.com`). */
export function parseClusterDomain(text: string): string {
  const domain = text.trim().replace(/\.$/, '').toLowerCase();
  const label = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
  if (domain !== '' && domain.length <= 253 && domain.split('.').every((part) => label.test(part)))
    return domain;
  throw new UsageError('CLUSTER_DOMAIN_INVALID', `--cluster-domain "${text}" is not a DNS domain`, {
    actions: [
      "pass the kubelets' --cluster-domain, e.g. cluster.local (the default) or k8s.example.com",
      'kubectl get cm -n kube-system coredns -o yaml shows it in the kubernetes plugin line',
    ],
  });
}

/** The in-cluster DNS name of a StatefulSet pod: `<pod>.<service>.<namespace>.svc.<domain>`. */
export function podDnsName(
  pod: string,
  service: string,
  namespace: string,
  clusterDomain: string = DEFAULT_CLUSTER_DOMAIN,
): string {
  return `${pod}.${service}.${namespace}.svc.${clusterDomain}`;
}

/**
 * One member per replica (`<name>-0` .. `<name>-<replicas-1>`), each reached at the pod's DNS
 * name under the governing service: the names are stable, so a pod being rescheduled still
 * has the endpoint the inventory holds. Missing or unready pods become notes.
 */
export function statefulSetMembers(
  statefulSet: StatefulSet,
  input: { pods: readonly Pod[]; clusterDomain: string },
  endpointOf: (podDns: string) => string,
): { members: DiscoveredMember[]; notes: string[] } {
  const { pods, clusterDomain } = input;
  const namespace = statefulSet.metadata.namespace ?? 'default';
  const name = statefulSet.metadata.name;
  const service = statefulSet.spec.serviceName ?? name;
  const replicas = statefulSet.spec.replicas ?? 1;
  const owned = podsOwnedBy(statefulSet, pods);
  const members: DiscoveredMember[] = [];
  const missing: string[] = [];
  const notRunning: string[] = [];
  for (let ordinal = 0; ordinal < replicas; ordinal++) {
    const podName = `${name}-${ordinal}`;
    const pod = owned.find((candidate) => candidate.metadata.name === podName);
    const running = pod !== undefined && isRunning(pod);
    if (pod === undefined) missing.push(podName);
    else if (!running) notRunning.push(`${podName} (${pod.status?.phase ?? 'unknown phase'})`);
    members.push({
      name: podName,
      pod: podName,
      endpoint: endpointOf(podDnsName(podName, service, namespace, clusterDomain)),
      ...(pod?.spec.nodeName !== undefined && { node: pod.spec.nodeName }),
      running,
    });
  }
  const notes: string[] = [];
  if (replicas === 0) notes.push('scaled to 0 replicas');
  if (missing.length > 0) notes.push(`pods not found: ${missing.join(', ')}`);
  if (notRunning.length > 0) notes.push(`pods not running: ${notRunning.join(', ')}`);
  return { members, notes };
}

/** The pod label set of a StatefulSet's members (its pods, else its pod template). */
export function statefulSetLabels(
  statefulSet: StatefulSet,
  pods: readonly Pod[],
): Record<string, string> {
  return sharedLabels(
    podsOwnedBy(statefulSet, pods),
    statefulSet.spec.template.metadata?.labels ?? statefulSet.spec.selector.matchLabels ?? {},
  );
}

/** `StatefulSet/<name>`. */
export function statefulSetWorkload(statefulSet: StatefulSet): string {
  return `StatefulSet/${statefulSet.metadata.name}`;
}

export function skippedStatefulSet(statefulSet: StatefulSet, reason: string): SkippedWorkload {
  return {
    namespace: statefulSet.metadata.namespace ?? 'default',
    workload: statefulSetWorkload(statefulSet),
    reason,
  };
}
