/**
 * NATS JetStream maintenance over the JetStream API: peer removal of a server that is gone
 * (`$JS.API.SERVER.REMOVE`), meta leader step-down and stream leader step-down, each waiting
 * until the cluster shows the outcome.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { MemberRef } from '../../core/check/observations.js';
import {
  PartialFailureError,
  UnreachableError,
  UnsafeOperationError,
  UsageError,
  describeCause,
  isQuorumctlError,
} from '../../core/errors.js';
import { guardedChange, viewOf } from '../../core/maintenance/quorum-view.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import type {
  ClusterTarget,
  ConnectOptions,
  LeaderTransferRequest,
  LeaderTransferResult,
} from '../../core/ports.js';
import {
  JetStreamApiError,
  jetStreamRequest,
  openNatsConnection,
  streamInfo,
} from './backup-client.js';

/** How long the cluster gets to show a new leader or a removed peer. */
export const SETTLE_TIMEOUT_MS = 10_000;
const POLL_MS = 200;
/**
 * Before 2.11 a step-down cannot name the next leader (the server picks one at random):
 * with `--to`, step down again while someone else was picked, at most this many times.
 */
export const MAX_STEP_DOWNS = 5;
/** nats-server learned `placement.preferred` for step-downs in 2.11. */
const PREFERRED_SINCE = [2, 11, 0] as const;

const JS_ERR_SERVER_NOT_MEMBER = 10044;
const JS_ERR_STREAM_NOT_FOUND = 10059;
const JS_ERR_NO_PEERS = 10005;

/** What maintenance needs from the adapter: its status, and where the time comes from. */
export interface NatsMaintenanceDeps {
  status: () => Promise<ClusterStatus>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export class NatsMaintenance {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly target: ClusterTarget,
    private readonly options: ConnectOptions,
    private readonly deps: NatsMaintenanceDeps,
  ) {
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = deps.now ?? (() => Date.now());
  }

  /**
   * Removes a server that is gone for good from the meta group. A server that still answers
   * is refused: removing a live peer only makes it rejoin, and is never what an operator
   * replacing a dead server means.
   */
  async removePeer(member: MemberRef): Promise<void> {
    const status = await this.deps.status();
    const peer = findMember(status, member, this.target.name);
    if (peer.reachable) {
      throw new UnsafeOperationError(
        'PEER_STILL_ONLINE',
        `NATS cluster "${this.target.name}": ${peer.name} is still online, so it is not removed from the meta group`,
        {
          actions: [
            `stop ${peer.name} for good first (peer removal is for servers that will not come back), then run this again`,
            'to move leadership away from it instead: quorumctl leader evacuate --from ' +
              peer.name,
          ],
          details: { member: peer.name, peerId: peer.id },
        },
      );
    }
    guardedChange(viewOf(status), { type: 'remove', member: peer.name });
    await this.withConnection('peer remove', async (nc) => {
      try {
        await jetStreamRequest(
          nc,
          '$JS.API.SERVER.REMOVE',
          { peer: peer.name, peer_id: peer.id },
          this.options.timeoutMs,
        );
      } catch (error) {
        throw this.apiError(error, `removing ${peer.name} from the meta group`);
      }
    });
    const gone = await this.until(async () => {
      const after = await this.deps.status().catch(() => undefined);
      return after !== undefined && !inMetaGroup(after, peer);
    });
    if (!gone) {
      throw new PartialFailureError(
        'PEER_REMOVAL_UNCONFIRMED',
        `NATS cluster "${this.target.name}": the meta leader accepted the removal of ${peer.name}, but it is still listed after ${SETTLE_TIMEOUT_MS / 1000} s`,
        { actions: ['check again with quorumctl members list; the meta leader log says why'] },
      );
    }
  }

  /** Meta step-down (no `group`) or stream step-down (`group` = the stream's name). */
  transferLeader(request: LeaderTransferRequest): Promise<LeaderTransferResult> {
    return request.group === undefined
      ? this.stepDownMeta(request.to)
      : this.stepDownStream(request.group, request.to);
  }

  private async stepDownMeta(to: MemberRef | undefined): Promise<LeaderTransferResult> {
    const status = await this.deps.status();
    const from = leaderOf(status);
    if (from === undefined) {
      throw new UnreachableError(
        'NO_LEADER',
        `NATS cluster "${this.target.name}" has no meta leader to step down right now`,
        { actions: ['wait for the election to finish (quorumctl status), then run this again'] },
      );
    }
    const wanted = to === undefined ? undefined : findMember(status, to, this.target.name);
    if (wanted !== undefined && !wanted.reachable) {
      throw new UnsafeOperationError(
        'TARGET_UNHEALTHY',
        `NATS cluster "${this.target.name}": ${wanted.name} is not reachable, so it cannot take over the meta leadership`,
        { actions: ['pick a healthy server (quorumctl status), or omit --to'] },
      );
    }
    if (wanted?.name === from.name) return { from: from.name, to: from.name };
    return this.withConnection('meta step-down', async (nc) => {
      const preferred = wanted !== undefined && supportsPreferred(nc);
      let leader = from.name;
      for (let attempt = 1; ; attempt += 1) {
        const body = preferred ? { placement: { preferred: wanted.name } } : undefined;
        try {
          await jetStreamRequest(nc, '$JS.API.META.LEADER.STEPDOWN', body, this.options.timeoutMs);
        } catch (error) {
          throw this.apiError(error, `stepping down the meta leader ${leader}`);
        }
        const next = await this.nextLeader(leader, async () => {
          const after = await this.deps.status().catch(() => undefined);
          return after === undefined ? undefined : leaderOf(after)?.name;
        });
        if (next === undefined) {
          throw new PartialFailureError(
            'NO_NEW_LEADER',
            `NATS cluster "${this.target.name}": ${leader} stepped down, but no other server leads the meta group after ${SETTLE_TIMEOUT_MS / 1000} s`,
            {
              actions: [
                'watch quorumctl status; the servers\u2019 logs say why no election finished',
              ],
            },
          );
        }
        leader = next;
        if (wanted === undefined || leader === wanted.name) return { from: from.name, to: leader };
        if (preferred || attempt >= MAX_STEP_DOWNS) {
          throw notPreferred(this.target.name, from.name, leader, wanted.name, attempt);
        }
      }
    });
  }

  private async stepDownStream(
    stream: string,
    to: MemberRef | undefined,
  ): Promise<LeaderTransferResult> {
    return this.withConnection('stream step-down', async (nc) => {
      const leaderNow = async () =>
        (await streamInfo(nc, stream, this.options.timeoutMs).catch(() => undefined))?.cluster
          ?.leader || undefined;
      let info;
      try {
        info = await streamInfo(nc, stream, this.options.timeoutMs);
      } catch (error) {
        throw this.apiError(error, `reading stream ${stream}`, stream);
      }
      const from = info.cluster?.leader;
      if ((info.config.num_replicas ?? 1) < 2) {
        throw new UsageError(
          'STREAM_NOT_REPLICATED',
          `stream ${stream} has one replica: there is no other server to lead it`,
          { actions: [`raise its replicas first: nats stream edit ${stream} --replicas 3`] },
        );
      }
      if (from === undefined || from === '') {
        throw new UnreachableError('NO_LEADER', `stream ${stream} has no leader right now`, {
          actions: ['wait for its election to finish (quorumctl status shows leaderless groups)'],
        });
      }
      if (to !== undefined && to.name === from) return { from, to: from };
      const preferred = to !== undefined && supportsPreferred(nc);
      let leader = from;
      for (let attempt = 1; ; attempt += 1) {
        const body = preferred ? { placement: { preferred: to.name } } : undefined;
        try {
          await jetStreamRequest(
            nc,
            `$JS.API.STREAM.LEADER.STEPDOWN.${stream}`,
            body,
            this.options.timeoutMs,
          );
        } catch (error) {
          throw this.apiError(error, `stepping down the leader of stream ${stream}`, stream);
        }
        const next = await this.nextLeader(leader, leaderNow);
        if (next === undefined) {
          throw new PartialFailureError(
            'NO_NEW_LEADER',
            `stream ${stream}: ${leader} stepped down, but no other replica leads after ${SETTLE_TIMEOUT_MS / 1000} s`,
            {
              actions: [
                'watch quorumctl status (leaderless groups); the servers\u2019 logs say why',
              ],
            },
          );
        }
        leader = next;
        if (to === undefined || leader === to.name) return { from, to: leader };
        if (preferred || attempt >= MAX_STEP_DOWNS) {
          throw notPreferred(`stream ${stream}`, from, leader, to.name, attempt);
        }
      }
    });
  }

  /** Polls until a leader other than `previous` is named; undefined when the time is up. */
  private async nextLeader(
    previous: string,
    read: () => Promise<string | undefined>,
  ): Promise<string | undefined> {
    let next: string | undefined;
    const changed = await this.until(async () => {
      next = await read();
      return next !== undefined && next !== previous;
    });
    return changed ? next : undefined;
  }

  private async until(condition: () => Promise<boolean>): Promise<boolean> {
    const deadline = this.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      if (await condition()) return true;
      if (this.now() >= deadline || this.options.signal?.aborted === true) return false;
      await this.sleep(POLL_MS);
    }
  }

  private async withConnection<T>(
    what: string,
    work: (nc: NatsConnection) => Promise<T>,
  ): Promise<T> {
    const nc = await openNatsConnection(this.target, this.options, `quorumctl ${what}`);
    try {
      return await work(nc);
    } finally {
      await nc.close().catch(() => undefined);
    }
  }

  /** A JetStream API failure in the operator's terms. */
  private apiError(error: unknown, doing: string, stream?: string): Error {
    const cluster = `NATS cluster "${this.target.name}"`;
    if (error instanceof JetStreamApiError) {
      if (error.errCode === JS_ERR_SERVER_NOT_MEMBER) {
        return new UsageError('MEMBER_NOT_FOUND', `${cluster}: ${doing}: ${error.message}`, {
          actions: ['quorumctl members list shows the meta group'],
          cause: error,
        });
      }
      if (error.errCode === JS_ERR_STREAM_NOT_FOUND) {
        return new UsageError(
          'STREAM_NOT_FOUND',
          `${cluster}: no stream ${stream ?? ''} in the account the credentials log into`,
          {
            actions: [
              'check the stream name (nats stream ls) and that --user is a user of its account',
            ],
            cause: error,
          },
        );
      }
      if (error.errCode === JS_ERR_NO_PEERS) {
        return new UnsafeOperationError(
          'NO_REPLACEMENT_LEADER',
          `${cluster}: ${doing} refused: ${error.message}`,
          {
            actions: ['bring another server back first (quorumctl status)'],
            cause: error,
          },
        );
      }
      return new UsageError(
        'JETSTREAM_API_ERROR',
        `${cluster}: ${doing} failed: ${error.message}`,
        {
          actions: ['the meta leader log says more'],
          cause: error,
        },
      );
    }
    if (isQuorumctlError(error)) return error;
    // No answer at all: no meta leader, or (nats-server 2.10+) a user outside the system account.
    return new UnreachableError('NO_ANSWER', `${cluster}: ${doing}: ${describeCause(error)}`, {
      actions: [
        stream === undefined
          ? 'meta-group operations need a user of the system account: --user SYSUSER --password-env VAR'
          : 'stream operations need a user of the stream\u2019s account: --user USER --password-env VAR',
        'check that the meta group has a leader: quorumctl status',
      ],
      cause: error,
    });
  }
}

/** The meta-group member a MemberRef names: by peer ID or server name. */
function findMember(status: ClusterStatus, ref: MemberRef, cluster: string): MemberStatus {
  const found =
    status.members.find((member) => member.id === ref.id && member.voter) ??
    status.members.find((member) => member.name === ref.name && member.voter) ??
    status.members.find((member) => member.name === ref.id && member.voter);
  if (found !== undefined) return found;
  const names = status.members.filter((member) => member.voter).map((member) => member.name);
  throw new UsageError(
    'MEMBER_NOT_FOUND',
    `NATS cluster "${cluster}" has no meta-group member ${ref.name || ref.id} (members: ${names.join(', ')})`,
    { actions: ['quorumctl members list shows the meta group by server name and peer ID'] },
  );
}

function leaderOf(status: ClusterStatus): MemberStatus | undefined {
  return status.leaderId === undefined
    ? undefined
    : status.members.find((member) => member.id === status.leaderId);
}

/** Still a meta-group peer: the leader lists it (by peer ID or name) as a voter. */
function inMetaGroup(status: ClusterStatus, peer: MemberStatus): boolean {
  return status.members.some(
    (member) => member.voter && (member.id === peer.id || member.name === peer.name),
  );
}

function supportsPreferred(nc: NatsConnection): boolean {
  const version = /^v?(\d+)\.(\d+)\.(\d+)/.exec(nc.info?.version ?? '');
  if (version === null) return false;
  const parts = version.slice(1, 4).map(Number);
  for (const [index, wanted] of PREFERRED_SINCE.entries()) {
    const part = parts[index] ?? 0;
    if (part !== wanted) return part > wanted;
  }
  return true;
}

function notPreferred(
  what: string,
  from: string,
  leader: string,
  wanted: string,
  attempts: number,
): PartialFailureError {
  return new PartialFailureError(
    'PREFERRED_LEADER_NOT_REACHED',
    `${what}: leadership moved from ${from} to ${leader}, not ${wanted}, after ${attempts} step-down${attempts === 1 ? '' : 's'}`,
    {
      actions: [
        'before nats-server 2.11 a step-down cannot choose the next leader: run it again, or upgrade',
      ],
      details: { from, to: leader, wanted, stepDowns: attempts },
    },
  );
}
