/**
 * etcd maintenance over the v3 JSON gateway: Defragment (one member), Compact (to the current
 * revision), alarms (list, deactivate), MoveLeader (sent to the leader), and a write probe.
 */
import { UnreachableError, UnsafeOperationError, UsageError } from '../../core/errors.js';
import type { MemberRef } from '../../core/check/observations.js';
import { pickSuccessor } from '../../core/maintenance/leader-plan.js';
import type { ClusterAlarm, ClusterStatus } from '../../core/model.js';
import type {
  ClusterTarget,
  ConnectOptions,
  LeaderTransferRequest,
  LeaderTransferResult,
} from '../../core/ports.js';
import { HttpTransportError } from '../transport/http.js';
import { EtcdGateway } from './gateway.js';

/**
 * A defragment blocks the member until its backend file is rewritten: seconds per GiB in use
 * on a good disk, minutes on a slow one. The status timeout (3 s) would abandon it half-way.
 */
export const DEFRAGMENT_TIMEOUT_MS = 10 * 60_000;
/** MoveLeader returns once the target leads; etcd itself gives up after its request timeout. */
const MOVE_LEADER_TIMEOUT_MS = 30_000;

interface AlarmResponse {
  alarms?: { memberID?: string; alarm?: string }[];
}

interface RangeResponse {
  header?: { revision?: string };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

export class EtcdMaintenance {
  constructor(
    private readonly gateway: EtcdGateway,
    private readonly endpoints: readonly string[],
  ) {}

  /** Rewrites one member's backend; that member serves nothing until it returns. */
  async defragment(member: MemberRef): Promise<void> {
    await this.gateway.call(
      member.endpoint,
      '/v3/maintenance/defragment',
      {},
      DEFRAGMENT_TIMEOUT_MS,
    );
  }

  /**
   * Compacts to the current revision (read from a linearizable range's header) and waits for
   * the compaction to be applied (physical). Compacting twice at the same revision is done.
   */
  async compact(): Promise<{ revision: number }> {
    return this.onAnyEndpoint(async (endpoint) => {
      const range = await this.gateway.call<RangeResponse>(endpoint, '/v3/kv/range', {
        key: b64('quorumctl/compact'),
        count_only: true,
      });
      const revision = Number(range.header?.revision ?? 0);
      try {
        await this.gateway.call(
          endpoint,
          '/v3/kv/compaction',
          { revision: String(revision), physical: true },
          DEFRAGMENT_TIMEOUT_MS,
        );
      } catch (cause) {
        if (!(cause instanceof HttpTransportError && /compacted/.test(cause.message))) throw cause;
      }
      return { revision };
    });
  }

  async listAlarms(): Promise<ClusterAlarm[]> {
    const answer = await this.onAnyEndpoint((endpoint) =>
      this.gateway.call<AlarmResponse>(endpoint, '/v3/maintenance/alarm', { action: 'GET' }),
    );
    return (answer.alarms ?? []).map((alarm) => ({
      memberId: alarm.memberID ?? '0',
      alarm: alarm.alarm ?? 'NONE',
    }));
  }

  async disarmAlarm(alarm: ClusterAlarm): Promise<void> {
    await this.onAnyEndpoint((endpoint) =>
      this.gateway.call(endpoint, '/v3/maintenance/alarm', {
        action: 'DEACTIVATE',
        memberID: alarm.memberId,
        alarm: alarm.alarm,
      }),
    );
  }

  /**
   * etcd move-leader: asked of the current leader (others answer "not leader"); `to` omitted
   * picks the most caught-up healthy follower. A leader that changed meanwhile is retried once.
   */
  async transferLeader(
    status: () => Promise<ClusterStatus>,
    request: LeaderTransferRequest,
  ): Promise<LeaderTransferResult> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await status();
      const leader = current.members.find((member) => member.id === current.leaderId);
      if (leader === undefined) {
        throw new UnsafeOperationError(
          'NO_LEADER',
          `cluster "${current.cluster}" has no leader to move`,
          {
            actions: ['wait for an election (quorumctl status), then retry'],
          },
        );
      }
      const target = this.transferTarget(current, request);
      if (target.id === leader.id) return { from: leader.name, to: leader.name };
      try {
        await this.gateway.call(
          leader.endpoint,
          '/v3/maintenance/transfer-leadership',
          { targetID: target.id },
          MOVE_LEADER_TIMEOUT_MS,
        );
        return { from: leader.name, to: target.name };
      } catch (cause) {
        const lostLeadership =
          cause instanceof HttpTransportError && /not leader/.test(cause.message);
        if (!lostLeadership || attempt >= 2) throw cause;
      }
    }
  }

  /** Writes and deletes through the first endpoint that answers. */
  async put(key: string, value: string): Promise<void> {
    await this.onAnyEndpoint((endpoint) =>
      this.gateway.call(endpoint, '/v3/kv/put', { key: b64(key), value: b64(value) }),
    );
  }

  async delete(key: string): Promise<void> {
    await this.onAnyEndpoint((endpoint) =>
      this.gateway.call(endpoint, '/v3/kv/deleterange', { key: b64(key) }),
    );
  }

  private transferTarget(status: ClusterStatus, request: LeaderTransferRequest) {
    if (request.to === undefined) {
      const candidate = pickSuccessor(status, []);
      if (candidate === undefined) {
        throw new UnsafeOperationError(
          'NO_LEADER_CANDIDATE',
          `no healthy voter of "${status.cluster}" can take over leadership`,
          { actions: ['bring the other voters back first (quorumctl status shows which)'] },
        );
      }
      return candidate;
    }
    const wanted = request.to;
    const target = status.members.find(
      (member) => member.id === wanted.id || member.name === wanted.name,
    );
    if (target === undefined || !target.voter || !target.reachable) {
      throw new UsageError(
        'NOT_A_LEADER_CANDIDATE',
        `${wanted.name} cannot lead: ${target === undefined ? 'not a member' : !target.voter ? 'a learner cannot lead' : 'it does not answer'}`,
        {
          actions: ['name a healthy voter, or leave --to out to pick the most caught-up follower'],
        },
      );
    }
    return target;
  }

  /**
   * The endpoints in order until one answers at the transport level; an answer with an
   * error (a gRPC failure) is final, since the next member would say the same.
   */
  private async onAnyEndpoint<T>(call: (endpoint: string) => Promise<T>): Promise<T> {
    const failures: string[] = [];
    for (const endpoint of this.endpoints) {
      try {
        return await call(endpoint);
      } catch (cause) {
        if (cause instanceof HttpTransportError && cause.code.startsWith('HTTP_')) throw cause;
        failures.push(`${endpoint}: ${cause instanceof Error ? cause.message : String(cause)}`);
      }
    }
    throw new UnreachableError(
      'CLUSTER_UNREACHABLE',
      `no etcd endpoint answered: ${failures.join('; ')}`,
      {
        actions: [
          'check that the endpoints are right and the members are running (quorumctl status)',
        ],
      },
    );
  }
}

/** The write probe of `recover nospace`, for the CLI to pass to ops. */
export function etcdWriteProbe(target: ClusterTarget, options: ConnectOptions): EtcdMaintenance {
  return new EtcdMaintenance(new EtcdGateway(options), target.endpoints);
}
