/** The Consul adapter: the servers of the Raft configuration, with autopilot's view of each. */
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { describeCause, UnreachableError, type QuorumctlError } from '../../core/errors.js';
import {
  clusterUnreachable,
  credentialsRejected,
  everyAttemptRejectedCredentials,
} from '../../core/unreachable.js';
import type { ClusterStatus, MemberError } from '../../core/model.js';
import type {
  Capability,
  ClusterAdapter,
  ClusterTarget,
  ConnectOptions,
} from '../../core/ports.js';
import { HttpTransportError } from '../transport/http.js';
import { ConsulClient } from './api-client.js';
import { clusterAttributes, serverMembers, type LeaderProbe } from './server-status.js';

const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>(['status']);

export function connect(target: ClusterTarget, options: ConnectOptions): ClusterAdapter {
  return new ConsulAdapter(target, options);
}

type Answer<T> = { value: T } | { errors: MemberError[] };

class ConsulAdapter implements ClusterAdapter {
  readonly kind = 'consul' as const;
  readonly capabilities = CAPABILITIES;
  private readonly client: ConsulClient;

  constructor(
    private readonly target: ClusterTarget,
    options: ConnectOptions,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.client = new ConsulClient(options);
  }

  /**
   * Every given agent is asked who leads (no ACL needed); the Raft configuration and autopilot
   * health are read through the first agent that answered (any agent forwards to the servers).
   */
  async status(): Promise<ClusterStatus> {
    const probes = await Promise.all(this.target.endpoints.map((endpoint) => this.probe(endpoint)));
    const answering = probes.flatMap((probe) => (probe.answered ? [probe.endpoint] : []));
    if (answering.length === 0) throw this.unreachable(probes);

    const [configuration, health] = await Promise.all([
      firstAnswer(answering, (endpoint) => this.client.raftConfiguration(endpoint)),
      firstAnswer(answering, (endpoint) => this.client.autopilotHealth(endpoint)),
    ]);
    if (!('value' in configuration) && !('value' in health)) {
      if (configuration.errors.every((error) => error.code === 'AUTH_FAILED'))
        throw this.authFailed(configuration.errors[0]?.message);
      throw this.noConfiguration(configuration.errors);
    }
    const attributes = 'value' in health ? clusterAttributes(health.value) : undefined;
    return assembleClusterStatus({
      cluster: this.target.name,
      kind: 'consul',
      members: serverMembers({
        probes,
        ...('value' in configuration && { configuration: configuration.value }),
        ...('value' in health
          ? { health: health.value }
          : health.errors[0] !== undefined && { healthError: health.errors[0] }),
      }),
      ...(attributes !== undefined && { attributes }),
      observedAt: this.now(),
    });
  }

  async close(): Promise<void> {
    // Every call uses its own short-lived connection: nothing to release.
  }

  private async probe(endpoint: string): Promise<LeaderProbe> {
    try {
      return { endpoint, answered: true, leaderAddress: await this.client.leader(endpoint) };
    } catch (cause) {
      return { endpoint, answered: false, error: memberError(cause) };
    }
  }

  private authFailed(reason: string | undefined): QuorumctlError {
    return credentialsRejected({
      system: 'Consul',
      cluster: this.target.name,
      reason: reason ?? 'the ACL token was refused',
      endpoints: this.target.endpoints,
      actions: [
        'pass an ACL token with operator:read through --token-env (sent as X-Consul-Token)',
        'check the token: consul acl token read -self',
      ],
    });
  }

  private noConfiguration(errors: MemberError[]): QuorumctlError {
    return new UnreachableError(
      'CLUSTER_UNREACHABLE',
      `Consul cluster "${this.target.name}": agents answered, but no server's Raft configuration could be read: ${errors.map((error) => error.message).join('; ')}`,
      {
        actions: [
          'a client agent needs a reachable server to forward to: check consul members -status=alive',
          'ask a server agent directly (its HTTP port, 8500 by default)',
        ],
        details: { endpoints: this.target.endpoints, errors },
      },
    );
  }

  private unreachable(probes: LeaderProbe[]): QuorumctlError {
    const attempts = probes.map((probe) =>
      probe.answered
        ? { endpoint: probe.endpoint }
        : { endpoint: probe.endpoint, error: probe.error },
    );
    if (everyAttemptRejectedCredentials(attempts))
      return this.authFailed(attempts.find((attempt) => attempt.error)?.error?.message);
    return clusterUnreachable({
      system: 'Consul',
      cluster: this.target.name,
      noun: 'agent',
      attempts,
      actions: [
        "the endpoints must be agents' HTTP addresses (port 8500 by default), e.g. --endpoints consul://consul-1:8500",
        'check that the agents are running (consul members)',
        'for HTTPS agents use consul+https:// endpoints (port 8501) and pass --cacert',
      ],
    });
  }
}

async function firstAnswer<T>(
  endpoints: string[],
  call: (endpoint: string) => Promise<T>,
): Promise<Answer<T>> {
  const errors: MemberError[] = [];
  for (const endpoint of endpoints) {
    try {
      return { value: await call(endpoint) };
    } catch (cause) {
      errors.push(memberError(cause));
    }
  }
  return { errors };
}

function memberError(cause: unknown): MemberError {
  if (cause instanceof HttpTransportError) return { code: cause.code, message: cause.message };
  return { code: 'UNKNOWN', message: describeCause(cause) };
}
