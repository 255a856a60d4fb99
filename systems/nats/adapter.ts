/** The NATS JetStream adapter: the meta group as members, streams and consumers as Raft groups. */
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { describeCause, type QuorumctlError } from '../../core/errors.js';
import {
  clusterUnreachable,
  credentialsRejected,
  everyAttemptRejectedCredentials,
} from '../../core/unreachable.js';
import { summarizeGroups } from '../../core/groups.js';
import type { Attributes, ClusterStatus, MemberError } from '../../core/model.js';
import type { MemberRef } from '../../core/check/observations.js';
import type {
  Capability,
  ClusterAdapter,
  ClusterTarget,
  ConnectOptions,
  LeaderTransferRequest,
  LeaderTransferResult,
} from '../../core/ports.js';
import { HttpTransportError } from '../transport/http.js';
import { metaGroupStatus } from './meta-members.js';
import { NatsMonitoring } from './monitoring.js';
import { raftGroups, type GroupsObservation } from './raft-groups.js';
import {
  jetStreamEnabled,
  serverNameOf,
  type ReachedServer,
  type ServerProbe,
} from './server-probe.js';

/**
 * Membership is removal only: a server joins the meta group by being started with routes to
 * the cluster, which no API does for it.
 */
const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  'status',
  'membership',
  'transferLeader',
]);

export function connect(target: ClusterTarget, options: ConnectOptions): ClusterAdapter {
  return new NatsAdapter(target, options);
}

class NatsAdapter implements ClusterAdapter {
  readonly kind = 'nats' as const;
  readonly capabilities = CAPABILITIES;
  private readonly monitoring: NatsMonitoring;

  constructor(
    private readonly target: ClusterTarget,
    private readonly options: ConnectOptions,
    private readonly now: () => Date = () => new Date(),
  ) {
    // The monitoring port takes no credentials in 2.9: options.auth is for the JetStream API.
    this.monitoring = new NatsMonitoring({
      timeoutMs: options.timeoutMs,
      ...(options.tls !== undefined && { tls: options.tls }),
      ...(options.signal !== undefined && { signal: options.signal }),
    });
  }

  /** Asks every monitoring endpoint at once; a server that does not answer is data, not an error. */
  async status(): Promise<ClusterStatus> {
    const probes = await Promise.all(
      monitoringEndpoints(this.target).map((endpoint) => this.probe(endpoint)),
    );
    const reached = probes.filter((probe): probe is ReachedServer => probe.reachable);
    if (reached.length === 0) throw this.unreachable(probes);

    const meta = metaGroupStatus(probes);
    const down = new Set(
      meta.members.filter((member) => !member.reachable).map((member) => member.name),
    );
    const observations = reached.flatMap((probe): GroupsObservation[] =>
      probe.jsz === undefined ? [] : [{ server: serverNameOf(probe), jsz: probe.jsz }],
    );
    const attributes: Attributes = {};
    if (meta.clusterSize !== undefined) attributes.metaClusterSize = meta.clusterSize;
    return assembleClusterStatus({
      cluster: this.target.name,
      kind: 'nats',
      ...(meta.clusterName !== undefined && { clusterId: meta.clusterName }),
      members: meta.members,
      ...(reached.some(jetStreamEnabled) && {
        groups: summarizeGroups(raftGroups(observations, down)),
      }),
      ...(Object.keys(attributes).length > 0 && { attributes }),
      observedAt: this.now(),
    });
  }

  /** `$JS.API.SERVER.REMOVE` of a server that is gone; a server still online is refused. */
  async removeMember(member: MemberRef): Promise<void> {
    await (await this.maintenance()).removePeer(member);
  }

  /** Meta leader step-down, or a stream's when `group` names it. */
  async transferLeader(request: LeaderTransferRequest): Promise<LeaderTransferResult> {
    return (await this.maintenance()).transferLeader(request);
  }

  async close(): Promise<void> {
    // Every call uses its own short-lived connection: nothing to release.
  }

  /** Loaded on use: status never pays for the NATS client library. */
  private async maintenance() {
    const { NatsMaintenance } = await import('./maintenance.js');
    return new NatsMaintenance(this.target, this.options, { status: () => this.status() });
  }

  /** /varz decides reachability; the other answers are extras whose failure is reported. */
  private async probe(endpoint: string): Promise<ServerProbe> {
    const [varz, jsz, healthz, routez] = await Promise.allSettled([
      this.monitoring.varz(endpoint),
      this.monitoring.jsz(endpoint),
      this.monitoring.healthz(endpoint),
      this.monitoring.routez(endpoint),
    ]);
    if (varz.status === 'rejected')
      return { endpoint, reachable: false, error: memberError(varz.reason) };
    const probe: ReachedServer = { endpoint, reachable: true, varz: varz.value, problems: [] };
    if (jsz.status === 'fulfilled') probe.jsz = jsz.value;
    else probe.problems.push(failure('/jsz', jsz.reason));
    if (healthz.status === 'fulfilled') probe.healthz = healthz.value;
    else probe.problems.push(failure('/healthz', healthz.reason));
    if (routez.status === 'fulfilled') probe.routez = routez.value;
    else probe.problems.push(failure('/routez', routez.reason));
    return probe;
  }

  /** Nobody answered; when every endpoint wanted credentials, that is bad input, not an outage. */
  private unreachable(probes: ServerProbe[]): QuorumctlError {
    const attempts = probes.map((probe) =>
      probe.reachable
        ? { endpoint: probe.endpoint }
        : { endpoint: probe.endpoint, error: probe.error },
    );
    if (everyAttemptRejectedCredentials(attempts)) {
      return credentialsRejected({
        system: 'NATS',
        cluster: this.target.name,
        reason:
          attempts.find((attempt) => attempt.error)?.error?.message ?? 'authentication failed',
        endpoints: this.target.endpoints,
        actions: [
          'point --endpoints at the nats-server monitoring port itself (it takes no credentials), not at a proxy',
        ],
      });
    }
    return clusterUnreachable({
      system: 'NATS',
      cluster: this.target.name,
      noun: 'monitoring endpoint',
      attempts,
      actions: [
        "check that the endpoints are the servers' HTTP monitoring ports (`http: 8222` in the server config; --endpoints nats://HOST:8222), not the client port 4222",
        'check that the servers are running (quorumctl sandbox ls for a sandbox)',
        'for a TLS monitoring port (https:) pass --cacert and use nats+https:// endpoints',
      ],
    });
  }
}

/**
 * Monitoring URLs when the inventory names them apart, else the endpoints themselves
 * (sandbox contexts and `--endpoints nats://HOST:8222` give the monitoring port).
 */
function monitoringEndpoints(target: ClusterTarget): string[] {
  const urls =
    target.monitorUrls !== undefined && target.monitorUrls.length > 0
      ? target.monitorUrls
      : target.endpoints;
  return [...new Set(urls.map((url) => url.replace(/\/+$/, '')))];
}

function memberError(cause: unknown): MemberError {
  if (cause instanceof HttpTransportError) return { code: cause.code, message: cause.message };
  return { code: 'UNKNOWN', message: describeCause(cause) };
}

/** `/jsz: no answer within 2000 ms`; HTTP status failures name their path already. */
function failure(path: string, cause: unknown): string {
  const message = cause instanceof HttpTransportError ? cause.message : describeCause(cause);
  return message.startsWith(path) ? message : `${path}: ${message}`;
}
