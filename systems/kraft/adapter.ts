/** The KRaft adapter: controller quorum status over the Kafka protocol, DescribeQuorum at the leader. */
import {
  describeCause,
  isQuorumctlError,
  UnreachableError,
  UnsupportedOperationError,
  type QuorumctlError,
} from '../../core/errors.js';
import { clusterUnreachable } from '../../core/unreachable.js';
import type { ClusterStatus } from '../../core/model.js';
import type { MemberRef } from '../../core/check/observations.js';
import { guardedChange, viewOf } from '../../core/maintenance/quorum-view.js';
import type {
  AddedMember,
  AddMemberRequest,
  Capability,
  ClusterAdapter,
  ClusterTarget,
  ConnectOptions,
} from '../../core/ports.js';
import { httpCall, HttpTransportError } from '../transport/http.js';
import { KraftClient } from './client.js';
import {
  addRaftVoter,
  addVoterRequest,
  removeRaftVoter,
  removeVoterRequest,
} from './membership.js';
import type { DescribeQuorumResult } from './messages.js';
import { statusFromMetrics, type MetricsScrape } from './metrics-status.js';
import type { KraftConnectionOptions } from './connection.js';
import {
  addressKey,
  formatAddress,
  statusFromQuorum,
  statusWithoutLeader,
  type EndpointProbe,
} from './quorum-status.js';
import { parseRaftMetrics } from './raft-metrics.js';
import {
  bestQuorumAnswer,
  closeSessions,
  clusterIdOf,
  controllersOf,
  endpointFor,
  isGiven,
  leaderAddress,
  memberError,
  openSession,
  type Session,
} from './routing.js';

/** No transferLeader: KRaft has no leader transfer API (the generic command offers the restart runbook). */
const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>(['status', 'membership']);

export function connect(target: ClusterTarget, options: ConnectOptions): ClusterAdapter {
  return new KraftAdapter(target, options);
}

export class KraftAdapter implements ClusterAdapter {
  readonly kind = 'kraft' as const;
  readonly capabilities = CAPABILITIES;

  constructor(
    private readonly target: ClusterTarget,
    private readonly options: ConnectOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Over the Kafka protocol when it can be used; from the JMX exporter pages (monitorUrls)
   * when credentials ask for SASL, which quorumctl does not speak, or when the protocol gave
   * no status.
   */
  async status(): Promise<ClusterStatus> {
    const monitorUrls = this.target.monitorUrls ?? [];
    if (this.hasCredentials()) {
      if (monitorUrls.length > 0) return this.statusFromMetrics(monitorUrls, 'SASL_NOT_SUPPORTED');
      this.refuseSasl();
    }
    try {
      return await this.statusFromProtocol();
    } catch (error) {
      if (monitorUrls.length === 0 || !isQuorumctlError(error)) throw error;
      return this.statusFromMetrics(monitorUrls, error.code, error);
    }
  }

  /**
   * Asks every given endpoint DescribeCluster and DescribeQuorum at once; the leader's answer
   * is the quorum. When no given endpoint leads, follows DescribeCluster's ControllerId one
   * hop. Voters whose endpoints were not given are probed (ApiVersions) for reachability.
   */
  private async statusFromProtocol(): Promise<ClusterStatus> {
    const given = [...new Set(this.target.endpoints)];
    const connection = this.connectionOptions();
    const sessions = await Promise.all(given.map((endpoint) => openSession(endpoint, connection)));
    try {
      if (sessions.every((session) => session.client === undefined)) {
        throw this.unreachable(sessions);
      }
      let answer = bestQuorumAnswer(sessions);
      if (answer === undefined) {
        const address = leaderAddress(sessions);
        if (address !== undefined && !isGiven(address, sessions)) {
          const hop = await openSession(endpointFor(address, given), connection);
          sessions.push(hop);
          if (hop.quorum !== undefined) answer = hop;
        }
      }
      const controllers = controllersOf(sessions);
      const clusterId = clusterIdOf(sessions);
      if (answer?.quorum === undefined) {
        return await this.leaderless(sessions, controllers, clusterId, given);
      }
      const probes = [
        ...sessions.map(probeOf),
        ...(await this.probeAll(unprobedVoters(answer.quorum, controllers, sessions), given)),
      ];
      return statusFromQuorum({
        cluster: this.target.name,
        quorum: answer.quorum,
        ...(clusterId !== undefined && { clusterId }),
        controllers,
        probes,
        ...(answer.client !== undefined && {
          finalizedFeatures: answer.client.versions.finalizedFeatures,
        }),
        now: this.now(),
      });
    } finally {
      closeSessions(sessions);
    }
  }

  /** AddRaftVoter at the leader for a controller already running as an observer. */
  async addMember(request: AddMemberRequest): Promise<AddedMember> {
    const voter = addVoterRequest(request);
    await addRaftVoter(this.target, this.options, voter);
    return { id: String(voter.voterId), name: request.name };
  }

  /**
   * RemoveRaftVoter with the directory ID DescribeQuorum reports. Refused (exit 4) when the
   * voters left would have fewer healthy members than their majority: the leader would only
   * time out waiting for a commit that cannot come.
   */
  async removeMember(member: MemberRef): Promise<void> {
    const status = await this.status();
    const { voter, request } = removeVoterRequest(status, member);
    guardedChange(viewOf(status), { type: 'remove', member: voter.name });
    await removeRaftVoter(this.target, this.options, request);
  }

  async close(): Promise<void> {
    // Every status opens and closes its own connections: nothing to release.
  }

  /**
   * Nobody that answered leads the quorum. With a leadership answer (NOT_LEADER_OR_FOLLOWER)
   * or a leader named but unreachable, that is a cluster state worth showing; otherwise the
   * answers explain why the quorum could not be described, and that is the error.
   */
  private async leaderless(
    sessions: Session[],
    controllers: Map<number, string>,
    clusterId: string | undefined,
    given: string[],
  ): Promise<ClusterStatus> {
    const failures = sessions.flatMap((session) =>
      session.client === undefined || session.quorumFailure === undefined
        ? []
        : [session.quorumFailure],
    );
    // A leader DescribeCluster names but nobody could connect to is down; one that answered
    // DescribeQuorum with nonsense is not.
    const named = leaderAddress(sessions);
    const namedUnreachable =
      named !== undefined &&
      sessions.find((session) => addressKey(session.endpoint) === addressKey(named))?.client ===
        undefined;
    const leadershipKnownMissing =
      failures.some((failure) => failure.leadership) || namedUnreachable;
    if (!leadershipKnownMissing) {
      const typed = failures.find((failure) => failure.error !== undefined)?.error;
      throw typed ?? this.notDescribed(sessions);
    }
    const unprobed = [...controllers.values()].filter((address) => !isGiven(address, sessions));
    const probes = [
      ...sessions.map((session) => ({
        ...probeOf(session),
        ...(session.quorumFailure !== undefined && {
          quorumAnswer: session.quorumFailure.memberError.message,
        }),
      })),
      ...(await this.probeAll(unprobed, given)),
    ];
    return statusWithoutLeader({
      cluster: this.target.name,
      ...(clusterId !== undefined && { clusterId }),
      controllers,
      probes,
      now: this.now(),
    });
  }

  private probeAll(addresses: string[], given: string[]): Promise<EndpointProbe[]> {
    return Promise.all(
      addresses.map(async (address): Promise<EndpointProbe> => {
        const endpoint = endpointFor(address, given);
        try {
          (await KraftClient.open(endpoint, this.connectionOptions())).close();
          return { endpoint, reachable: true };
        } catch (cause) {
          return { endpoint, reachable: false, error: memberError(cause) };
        }
      }),
    );
  }

  private async statusFromMetrics(
    urls: string[],
    protocolError: string,
    cause?: QuorumctlError,
  ): Promise<ClusterStatus> {
    const scrapes = await Promise.all(urls.map((url) => this.scrape(url)));
    if (scrapes.every((scrape) => 'error' in scrape)) {
      throw (
        cause ??
        new UnreachableError(
          'CLUSTER_UNREACHABLE',
          `cannot reach KRaft cluster "${this.target.name}": no monitor URL answered: ${scrapes
            .map((scrape) => `${scrape.url} (${'error' in scrape ? scrape.error.message : 'ok'})`)
            .join(', ')}`,
          {
            actions: [
              'check the JMX exporter URLs (quorumctl config view) and that the exporter runs',
            ],
            details: { monitorUrls: urls },
          },
        )
      );
    }
    return statusFromMetrics({
      cluster: this.target.name,
      scrapes,
      protocolError,
      now: this.now(),
    });
  }

  private async scrape(url: string): Promise<MetricsScrape> {
    try {
      const response = await httpCall(url, {
        method: 'GET',
        timeoutMs: this.options.timeoutMs,
        ...(this.options.tls !== undefined && { tls: this.options.tls }),
        ...(this.options.signal !== undefined && { signal: this.options.signal }),
      });
      if (response.statusCode !== 200) {
        return {
          url,
          error: {
            code: `HTTP_${response.statusCode}`,
            message: `GET answered HTTP ${response.statusCode}`,
          },
        };
      }
      const metrics = parseRaftMetrics(response.body);
      return metrics === undefined
        ? {
            url,
            error: {
              code: 'NO_RAFT_METRICS',
              message:
                'no kafka_server_raft_metrics_* or kafka_server_raftmetrics_* samples: does the exporter have raft-metrics rules?',
            },
          }
        : { url, metrics };
    } catch (cause) {
      return {
        url,
        error:
          cause instanceof HttpTransportError
            ? { code: cause.code, message: cause.message }
            : { code: 'UNKNOWN', message: describeCause(cause) },
      };
    }
  }

  private hasCredentials(): boolean {
    const auth = this.options.auth;
    return (
      auth?.username !== undefined || auth?.password !== undefined || auth?.token !== undefined
    );
  }

  private connectionOptions(): KraftConnectionOptions {
    return {
      timeoutMs: this.options.timeoutMs,
      ...(this.options.tls !== undefined && { tls: this.options.tls }),
      ...(this.options.signal !== undefined && { signal: this.options.signal }),
    };
  }

  /** SASL needs its own handshake; failing plainly beats sending credentials nowhere. */
  private refuseSasl(): never {
    throw new UnsupportedOperationError(
      'SASL_NOT_SUPPORTED',
      `KRaft cluster "${this.target.name}": quorumctl does not speak SASL yet, so --user/--token-env cannot be used`,
      {
        actions: [
          'use a PLAINTEXT or SSL listener (mutual TLS with --cert/--key authenticates too)',
          'drop --user/--token-env (and auth from the inventory entry) for this cluster',
          'or give the JMX exporter URLs (config add-cluster --monitor-urls) to read the raft metrics',
        ],
      },
    );
  }

  private unreachable(sessions: Session[]): QuorumctlError {
    return clusterUnreachable({
      system: 'KRaft',
      cluster: this.target.name,
      noun: 'endpoint',
      attempts: sessions.map((session) =>
        session.error === undefined
          ? { endpoint: session.endpoint }
          : { endpoint: session.endpoint, error: session.error },
      ),
      actions: [
        'check that the endpoints are right (quorumctl config view) and the controllers are running',
        'give controller listener ports (controller.listener.names, often 9093) or broker ports',
        'for TLS listeners pass --cacert (and --cert/--key) and use kraft+https:// endpoints',
      ],
    });
  }

  private notDescribed(sessions: Session[]): QuorumctlError {
    const answers = sessions.map(
      (session) =>
        `${session.endpoint} (${session.error?.message ?? session.quorumFailure?.memberError.message ?? 'no answer'})`,
    );
    return new UnreachableError(
      'QUORUM_NOT_DESCRIBED',
      `KRaft cluster "${this.target.name}": no endpoint described the quorum: ${answers.join(', ')}`,
      {
        actions: [
          'give the controller listener endpoints of the quorum (or a broker of the cluster)',
          'raise --timeout if the leader is busy',
        ],
        details: {
          endpoints: sessions.map((session) => session.endpoint),
          errors: sessions.map(
            (session) => session.error ?? session.quorumFailure?.memberError ?? null,
          ),
        },
      },
    );
  }
}

function probeOf(session: Session): EndpointProbe {
  return session.client !== undefined
    ? { endpoint: session.endpoint, reachable: true }
    : {
        endpoint: session.endpoint,
        reachable: false,
        error: session.error ?? { code: 'UNKNOWN', message: 'no answer' },
      };
}

/**
 * One address per voter not already asked: where DescribeQuorum v2 `nodes` says it listens,
 * else where DescribeCluster registered it. A voter reached through a given endpoint is done.
 */
function unprobedVoters(
  quorum: DescribeQuorumResult,
  controllers: ReadonlyMap<number, string>,
  sessions: readonly Session[],
): string[] {
  const addresses = new Map<string, string>();
  for (const voter of quorum.partition.voters) {
    const node = quorum.nodes.find((candidate) => candidate.nodeId === voter.replicaId);
    const registered = controllers.get(voter.replicaId);
    const candidates = [
      ...(node?.listeners ?? []).map((listener) => formatAddress(listener.host, listener.port)),
      ...(registered === undefined ? [] : [registered]),
    ];
    const first = candidates[0];
    if (first === undefined || candidates.some((address) => isGiven(address, sessions))) continue;
    addresses.set(addressKey(first), first);
  }
  return [...addresses.values()];
}
