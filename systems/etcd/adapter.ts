/** The etcd adapter: cluster status through the v3 JSON gateway of every member. */
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { describeCause, type QuorumctlError } from '../../core/errors.js';
import {
  clusterUnreachable,
  credentialsRejected,
  everyAttemptRejectedCredentials,
  type EndpointAttempt,
} from '../../core/unreachable.js';
import type { HashCheck, MemberRef } from '../../core/check/observations.js';
import type { MetricSample } from '../../core/metrics/sample.js';
import type { ClusterAlarm, ClusterStatus, MemberError } from '../../core/model.js';
import type {
  AddedMember,
  AddMemberRequest,
  Capability,
  ClusterAdapter,
  ClusterTarget,
  ConnectOptions,
  LeaderTransferRequest,
  LeaderTransferResult,
} from '../../core/ports.js';
import { HttpTransportError } from '../transport/http.js';
import { EtcdGateway } from './gateway.js';
import type { Member, MemberListResponse } from './gateway-types.js';
import { checkHashes } from './hash-kv.js';
import { alarmsOf, memberFromProbe, type EndpointProbe } from './member-status.js';
import { EtcdMaintenance } from './maintenance.js';
import { EtcdMembership } from './membership.js';
import { readEtcdMetricSample } from './metric-sample.js';
import { hashKv } from './snapshot-grpc.js';

const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  'status',
  'metrics',
  'hashCheck',
  'membership',
  'defragment',
  'alarms',
  'transferLeader',
]);

export function connect(target: ClusterTarget, options: ConnectOptions): ClusterAdapter {
  return new EtcdAdapter(target, options);
}

class EtcdAdapter implements ClusterAdapter {
  readonly kind = 'etcd' as const;
  readonly capabilities = CAPABILITIES;
  private readonly gateway: EtcdGateway;

  constructor(
    private readonly target: ClusterTarget,
    private readonly options: ConnectOptions,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.gateway = new EtcdGateway(options);
  }

  /**
   * Probes the given endpoints, reads the member list from one that answers, then probes
   * members the endpoints did not cover, so `--endpoints` may name any one member.
   */
  async status(): Promise<ClusterStatus> {
    // The first endpoint is asked for the member list alongside the probes, so a healthy
    // cluster costs one round trip; other endpoints are asked only if it fails.
    const [first, ...others] = this.target.endpoints;
    const [initial, firstList] = await Promise.all([
      Promise.all(this.target.endpoints.map((endpoint) => this.probe(endpoint))),
      first === undefined ? undefined : this.gateway.memberList(first).catch(() => undefined),
    ]);
    const reachable = initial.filter((probe) => probe.reachable);
    if (reachable.length === 0) throw this.unreachable(initial);

    const memberList =
      firstList ??
      (await this.firstMemberList(
        reachable.map((probe) => probe.endpoint).filter((endpoint) => others.includes(endpoint)),
      ));
    const members = memberList?.members ?? [];
    const probesById = new Map<string, EndpointProbe>();
    for (const probe of reachable) {
      const id = probe.status.header?.member_id;
      if (id !== undefined) probesById.set(id, probe);
    }
    const unprobed = members.filter(
      (member) => member.ID !== undefined && !probesById.has(member.ID),
    );
    const extra = await Promise.all(
      unprobed.map(async (member) => {
        const url = member.clientURLs?.[0];
        return [member.ID ?? '', url === undefined ? undefined : await this.probe(url)] as const;
      }),
    );
    for (const [id, probe] of extra) if (probe !== undefined) probesById.set(id, probe);
    // A given endpoint that did not answer stands for its member when the list cannot place it.
    const unreachableGiven = initial.filter((probe) => !probe.reachable);
    const statuses = members.map((member) =>
      memberFromProbe(
        member,
        probesById.get(member.ID ?? '') ?? this.givenProbeFor(member, unreachableGiven),
      ),
    );

    return assembleClusterStatus({
      cluster: this.target.name,
      kind: 'etcd',
      ...(memberList?.header?.cluster_id !== undefined && {
        clusterId: memberList.header.cluster_id,
      }),
      members:
        statuses.length > 0
          ? statuses
          : reachable.map((probe) =>
              memberFromProbe(
                { ID: probe.status.header?.member_id ?? '0', name: probe.endpoint },
                probe,
              ),
            ),
      alarms: uniqueAlarms(reachable.flatMap((probe) => alarmsOf(probe.status))),
      observedAt: this.now(),
    });
  }

  /** Disk histograms and proposal counters of every reachable member, from its /metrics. */
  metricSample(status: ClusterStatus): Promise<MetricSample> {
    return readEtcdMetricSample(status, this.options);
  }

  /** HashKV of every member at the lowest revision they all have, over gRPC (see hash-kv.ts). */
  hashCheck(members: readonly MemberRef[]): Promise<HashCheck> {
    return checkHashes(members, {
      revisionOf: async (endpoint) =>
        Number((await this.gateway.status(endpoint)).header?.revision ?? 0),
      hashAt: async (endpoint, revision) => {
        const token = await this.gateway.authToken(endpoint);
        return hashKv(endpoint, revision, {
          timeoutMs: this.options.timeoutMs,
          ...(this.options.tls !== undefined && { tls: this.options.tls }),
          ...(this.options.signal !== undefined && { signal: this.options.signal }),
          ...(token !== undefined && { token }),
        });
      },
    });
  }

  /** Capability `membership`: MemberAdd (learner or voter), MemberPromote, MemberRemove. */
  addMember(request: AddMemberRequest): Promise<AddedMember> {
    return this.membership().add(request);
  }

  promoteMember(member: MemberRef): Promise<void> {
    return this.membership().promote(member);
  }

  removeMember(member: MemberRef): Promise<void> {
    return this.membership().remove(member);
  }

  /** Capabilities `defragment`, `alarms`, `transferLeader`: see maintenance.ts. */
  defragment(member: MemberRef): Promise<void> {
    return this.maintenance().defragment(member);
  }

  compact(): Promise<{ revision: number }> {
    return this.maintenance().compact();
  }

  listAlarms(): Promise<ClusterAlarm[]> {
    return this.maintenance().listAlarms();
  }

  disarmAlarm(alarm: ClusterAlarm): Promise<void> {
    return this.maintenance().disarmAlarm(alarm);
  }

  /** etcd move-leader; `to` omitted = the most caught-up healthy follower. Names in the result. */
  transferLeader(request: LeaderTransferRequest): Promise<LeaderTransferResult> {
    return this.maintenance().transferLeader(() => this.status(), request);
  }

  private maintenance(): EtcdMaintenance {
    return new EtcdMaintenance(this.gateway, this.target.endpoints);
  }

  private membership(): EtcdMembership {
    return new EtcdMembership(this.gateway, () => this.target.endpoints, this.options);
  }

  async close(): Promise<void> {
    // Every call uses its own short-lived connection: nothing to release.
  }

  private async probe(endpoint: string): Promise<EndpointProbe> {
    try {
      const [status, quotaBytes] = await Promise.all([
        this.gateway.status(endpoint),
        this.quota(endpoint),
      ]);
      return quotaBytes === undefined
        ? { endpoint, reachable: true, status }
        : { endpoint, reachable: true, status, quotaBytes };
    } catch (cause) {
      return { endpoint, reachable: false, error: memberError(cause) };
    }
  }

  /** The quota only exists in /metrics; a member without it still has a status. */
  private async quota(endpoint: string): Promise<number | undefined> {
    try {
      return await this.gateway.metricSample(endpoint, 'etcd_server_quota_backend_bytes');
    } catch {
      return undefined;
    }
  }

  private async firstMemberList(endpoints: string[]): Promise<MemberListResponse | undefined> {
    for (const endpoint of endpoints) {
      try {
        return await this.gateway.memberList(endpoint);
      } catch {
        // Try the next reachable endpoint.
      }
    }
    return undefined;
  }

  private givenProbeFor(
    member: Member,
    unreachableGiven: EndpointProbe[],
  ): EndpointProbe | undefined {
    const urls = new Set((member.clientURLs ?? []).map(normalizeUrl));
    return (
      unreachableGiven.find((probe) => urls.has(normalizeUrl(probe.endpoint))) ??
      (member.clientURLs?.[0] === undefined
        ? undefined
        : {
            endpoint: member.clientURLs[0],
            reachable: false,
            error: { code: 'UNKNOWN', message: 'not probed' },
          })
    );
  }

  /** Nobody answered; when every endpoint rejected the credentials, that is bad input, not an outage. */
  private unreachable(probes: EndpointProbe[]): QuorumctlError {
    const attempts = probes.map(attemptOf);
    if (everyAttemptRejectedCredentials(attempts)) {
      return credentialsRejected({
        system: 'etcd',
        cluster: this.target.name,
        reason:
          attempts.find((attempt) => attempt.error)?.error?.message ?? 'authentication failed',
        endpoints: this.target.endpoints,
        actions: [
          'check --user and the password variable (--password-env, default QUORUMCTL_PASSWORD)',
        ],
      });
    }
    return clusterUnreachable({
      system: 'etcd',
      cluster: this.target.name,
      noun: 'endpoint',
      attempts,
      actions: [
        'check that the endpoints are right (quorumctl config view) and the members are running',
        'for TLS clusters pass --cacert/--cert/--key and use https:// or etcd+https:// endpoints',
      ],
    });
  }
}

function attemptOf(probe: EndpointProbe): EndpointAttempt {
  return probe.reachable
    ? { endpoint: probe.endpoint }
    : { endpoint: probe.endpoint, error: probe.error };
}

function memberError(cause: unknown): MemberError {
  if (cause instanceof HttpTransportError) return { code: cause.code, message: cause.message };
  return { code: 'UNKNOWN', message: describeCause(cause) };
}

function normalizeUrl(url: string): string {
  return url.replace(/\/+$/, '').replace('://localhost:', '://127.0.0.1:');
}

function uniqueAlarms(alarms: { memberId: string; alarm: string }[]) {
  const seen = new Set<string>();
  return alarms.filter((alarm) => {
    const key = `${alarm.memberId}/${alarm.alarm}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
