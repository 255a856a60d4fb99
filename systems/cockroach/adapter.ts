/** The CockroachDB adapter: nodes as peers (leaders exist per range only), ranges as Raft groups. */
import { assembleClusterStatus } from '../../core/cluster-status.js';
import { describeCause, type QuorumctlError } from '../../core/errors.js';
import { clusterUnreachable, credentialsRejected } from '../../core/unreachable.js';
import { DEFAULT_WORST_GROUPS } from '../../core/groups.js';
import type {
  ClusterStatus,
  MemberError,
  MemberStatus,
  RaftGroupStatus,
} from '../../core/model.js';
import type {
  Capability,
  ClusterAdapter,
  ClusterTarget,
  ConnectOptions,
} from '../../core/ports.js';
import { HttpTransportError } from '../transport/http.js';
import {
  decommissionedNodeCount,
  nodeMembers,
  problemRangeIds,
  rangeCounts,
  rangeGroup,
  rangeSummary,
  type ReadinessProbe,
} from './node-status.js';
import { StatusClient } from './status-client.js';
import type { NodesResponse } from './status-types.js';

const CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>(['status']);

export function connect(target: ClusterTarget, options: ConnectOptions): ClusterAdapter {
  return new CockroachAdapter(target, options);
}

class CockroachAdapter implements ClusterAdapter {
  readonly kind = 'cockroach' as const;
  readonly capabilities = CAPABILITIES;
  private readonly client: StatusClient;

  constructor(
    private readonly target: ClusterTarget,
    options: ConnectOptions,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.client = new StatusClient(options);
  }

  /**
   * Every given endpoint is asked whether it is ready; the node list (with liveness and store
   * metrics for the whole cluster) comes from the first node that gives it, then the problem
   * ranges and the details of the worst of them from that same node.
   */
  async status(): Promise<ClusterStatus> {
    const [first, ...others] = this.target.endpoints;
    const nodeErrors = new Map<string, MemberError>();
    const fetchNodes = async (endpoint: string) => {
      try {
        return { endpoint, nodes: await this.client.nodes(endpoint) };
      } catch (cause) {
        nodeErrors.set(endpoint, memberError(cause));
        return undefined;
      }
    };
    const [probes, firstNodes] = await Promise.all([
      Promise.all(this.target.endpoints.map((endpoint) => this.probe(endpoint))),
      first === undefined ? undefined : fetchNodes(first),
    ]);
    let source = firstNodes;
    for (const endpoint of others) {
      if (source !== undefined) break;
      if (probes.some((probe) => probe.endpoint === endpoint && probe.answered))
        source = await fetchNodes(endpoint);
    }
    if (source === undefined) {
      const refusals = [...nodeErrors.values()];
      if (refusals.length > 0 && refusals.every((error) => error.code === 'AUTH_FAILED'))
        throw this.authFailed(refusals[0]?.message);
      if (!probes.some((probe) => probe.answered)) throw this.unreachable(probes);
    }

    const members =
      source === undefined
        ? probes.map(memberFromProbeOnly)
        : nodeMembers(
            source.nodes,
            probes,
            source.endpoint.startsWith('https:') ? 'https' : 'http',
          );
    const groups = source === undefined ? undefined : await this.rangeGroups(source);
    const decommissioned = source === undefined ? 0 : decommissionedNodeCount(source.nodes);
    return assembleClusterStatus({
      cluster: this.target.name,
      kind: 'cockroach',
      leadership: 'per-group',
      members,
      ...(groups !== undefined && { groups }),
      ...(decommissioned > 0 && { attributes: { decommissionedNodes: decommissioned } }),
      observedAt: this.now(),
    });
  }

  async close(): Promise<void> {
    // Every call uses its own short-lived connection: nothing to release.
  }

  private async rangeGroups(source: { endpoint: string; nodes: NodesResponse }) {
    const counts = rangeCounts(source.nodes);
    let named: RaftGroupStatus[] = [];
    try {
      const ids = problemRangeIds(
        await this.client.problemRanges(source.endpoint),
        DEFAULT_WORST_GROUPS,
      );
      const liveness = source.nodes.livenessByNodeId ?? {};
      const details = await Promise.all(
        ids.map(async (id) => {
          try {
            return rangeGroup(id, await this.client.range(source.endpoint, id), liveness);
          } catch {
            return undefined; // Counted in the totals all the same; just not named.
          }
        }),
      );
      named = details.filter((group) => group !== undefined);
    } catch {
      // Problem ranges fan out to every node and may time out: the counts still stand.
    }
    return counts === undefined && named.length === 0 ? undefined : rangeSummary(counts, named);
  }

  private async probe(endpoint: string): Promise<ReadinessProbe> {
    try {
      return { endpoint, answered: true, ...(await this.client.readiness(endpoint)) };
    } catch (cause) {
      return { endpoint, answered: false, error: memberError(cause) };
    }
  }

  private authFailed(reason: string | undefined): QuorumctlError {
    return credentialsRejected({
      system: 'CockroachDB',
      cluster: this.target.name,
      reason: reason ?? 'the status API refused the request',
      endpoints: this.target.endpoints,
      actions: [
        'the status API needs a DB Console session of an admin user on secure clusters',
        'pass --user and the password variable (--password-env, default QUORUMCTL_PASSWORD), or a session from `cockroach auth-session login USER --only-cookie` through --token-env',
      ],
    });
  }

  private unreachable(probes: ReadinessProbe[]): QuorumctlError {
    return clusterUnreachable({
      system: 'CockroachDB',
      cluster: this.target.name,
      noun: 'node',
      attempts: probes.map((probe) =>
        probe.answered
          ? { endpoint: probe.endpoint }
          : { endpoint: probe.endpoint, error: probe.error },
      ),
      actions: [
        "the endpoints must be the nodes' HTTP (DB Console) addresses, port 8080 by default, e.g. --endpoints cockroach://db-1:8080",
        'check that the nodes are running (cockroach node status --host=HOST:26257)',
        'for secure clusters use cockroach+https:// endpoints and pass --cacert',
      ],
    });
  }
}

/** Nothing but the endpoints is known: each stands for one node. */
function memberFromProbeOnly(probe: ReadinessProbe): MemberStatus {
  const member: MemberStatus = {
    id: probe.endpoint,
    name: probe.endpoint,
    endpoint: probe.endpoint,
    role: 'peer',
    voter: true,
    reachable: probe.answered,
    alarms: [],
  };
  if (!probe.answered) member.error = probe.error;
  else member.attributes = { ready: probe.ready };
  return member;
}

function memberError(cause: unknown): MemberError {
  if (cause instanceof HttpTransportError) return { code: cause.code, message: cause.message };
  return { code: 'UNKNOWN', message: describeCause(cause) };
}
