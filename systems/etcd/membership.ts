/**
 * etcd membership over the v3 JSON gateway: MemberAdd (as a learner or voter), MemberPromote,
 * MemberRemove and MemberList. IDs stay decimal strings (uint64); etcd's refusals become typed
 * errors, and its "unhealthy cluster" refusal right after a start is retried within a deadline.
 */
import type { MemberRef } from '../../core/check/observations.js';
import {
  UnreachableError,
  UnsafeOperationError,
  UsageError,
  describeCause,
  type QuorumctlError,
} from '../../core/errors.js';
import { LEARNER_NOT_READY } from '../../core/maintenance/membership-plan.js';
import type { AddedMember, AddMemberRequest, TlsOptions } from '../../core/ports.js';
import { httpCall, HttpTransportError } from '../transport/http.js';
import type { EtcdGateway } from './gateway.js';
import type { Member, MemberListResponse } from './gateway-types.js';

/** A configuration change commits through Raft: give it longer than a status read. */
const CHANGE_TIMEOUT_MS = 10_000;
/**
 * etcd refuses changes ("unhealthy cluster") until every voter has been connected for 5 s
 * (HealthInterval), e.g. just after a member (re)started: retry that long and a bit more.
 */
const UNHEALTHY_RETRY_MS = 15_000;

interface MemberAddResponse extends MemberListResponse {
  member?: Member;
}

export interface MembershipOptions {
  timeoutMs: number;
  tls?: TlsOptions;
  signal?: AbortSignal;
  /** Injected in tests. */
  sleep?: (ms: number) => Promise<void>;
}

export class EtcdMembership {
  constructor(
    private readonly gateway: EtcdGateway,
    /** Client URLs to try in order; the first that answers serves the call. */
    private readonly endpoints: () => readonly string[],
    private readonly options: MembershipOptions,
  ) {}

  async list(): Promise<Member[]> {
    const response = await this.call<MemberListResponse>('/v3/cluster/member/list', {});
    return response.members ?? [];
  }

  /** MemberAdd; the answer says how the new member must be started (`--initial-cluster`). */
  async add(request: AddMemberRequest): Promise<AddedMember> {
    if (request.role === 'observer') {
      throw new UsageError('ROLE_UNSUPPORTED', 'etcd has no observers: use --role learner');
    }
    if (request.peerUrls.length === 0) {
      throw new UsageError('PEER_URLS_REQUIRED', `etcd needs the peer URLs of ${request.name}`, {
        actions: ['pass --peer-urls https://10.0.0.4:2380'],
      });
    }
    const response = await this.call<MemberAddResponse>('/v3/cluster/member/add', {
      peerURLs: request.peerUrls,
      isLearner: request.role === 'learner',
    });
    const id = response.member?.ID;
    if (id === undefined) {
      throw new UnsafeOperationError('ETCD_BAD_ANSWER', 'MemberAdd answered without a member ID');
    }
    return {
      id,
      name: request.name,
      startEnvironment: startEnvironment(request, id, response.members ?? []),
    };
  }

  async promote(member: MemberRef): Promise<void> {
    await this.call('/v3/cluster/member/promote', { ID: member.id }, member.name);
  }

  async remove(member: MemberRef): Promise<void> {
    // Not through the member itself: it applies its own removal and stops before answering
    // ("etcdserver: server stopped"), which would read as a refusal.
    await this.call('/v3/cluster/member/remove', { ID: member.id }, member.name, member.endpoint);
  }

  /**
   * Tries each endpoint until one answers; etcd's own answers (refusals) end the attempt,
   * except "unhealthy cluster", which is retried until UNHEALTHY_RETRY_MS has passed.
   */
  private async call<T>(
    path: string,
    body: object,
    subject?: string,
    avoidEndpoint?: string,
  ): Promise<T> {
    const deadline = Date.now() + UNHEALTHY_RETRY_MS;
    const sleep = this.options.sleep ?? defaultSleep;
    for (let attempt = 0; ; attempt += 1) {
      const answer = await this.onAnyEndpoint(path, body, avoidEndpoint);
      if (answer.ok) return answer.value as T;
      const refusal = refusalOf(path, answer.reason, subject);
      if (!refusal.retry || Date.now() >= deadline || this.options.signal?.aborted === true) {
        throw refusal.error;
      }
      await sleep(Math.min(2000, 250 * 2 ** attempt));
    }
  }

  private async onAnyEndpoint(
    path: string,
    body: object,
    avoidEndpoint?: string,
  ): Promise<{ ok: true; value: unknown } | { ok: false; reason: string }> {
    const failures: string[] = [];
    const others = this.endpoints().filter((endpoint) => endpoint !== avoidEndpoint);
    for (const endpoint of others.length > 0 ? others : this.endpoints()) {
      const url = endpoint.replace(/\/+$/, '') + path;
      let response;
      try {
        const token = await this.gateway.authToken(endpoint);
        response = await httpCall(url, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: token === undefined ? {} : { authorization: token },
          timeoutMs: Math.max(this.options.timeoutMs, CHANGE_TIMEOUT_MS),
          ...(this.options.tls !== undefined && { tls: this.options.tls }),
          ...(this.options.signal !== undefined && { signal: this.options.signal }),
        });
      } catch (cause) {
        if (cause instanceof HttpTransportError && cause.code === 'TIMEOUT') {
          // The change may have been proposed: trying another member could apply it twice.
          throw new UnreachableError(
            'MEMBERSHIP_CHANGE_UNKNOWN',
            `${path} on ${endpoint} did not answer in time: the change may or may not have been applied`,
            { actions: ['quorumctl members list shows the configuration now'], cause },
          );
        }
        failures.push(`${endpoint}: ${describeCause(cause)}`);
        continue;
      }
      const reason = gatewayReason(response.body);
      if (response.statusCode === 200) return { ok: true, value: JSON.parse(response.body) };
      // A learner serves no membership RPCs: ask the next member.
      if (reason.includes('rpc not supported for learner')) {
        failures.push(`${endpoint}: ${reason}`);
        continue;
      }
      return { ok: false, reason: reason === '' ? `HTTP ${response.statusCode}` : reason };
    }
    throw new UnreachableError('ETCD_UNREACHABLE', `no etcd member answered ${path}`, {
      actions: ['quorumctl status shows which members answer'],
      details: { attempts: failures },
    });
  }
}

/** How the new member must start: what `etcdctl member add` prints. */
function startEnvironment(
  request: AddMemberRequest,
  id: string,
  members: readonly Member[],
): Record<string, string> {
  const initialCluster = members.flatMap((member) => {
    const name = member.ID === id ? request.name : (member.name ?? '');
    // A member added earlier but never started has no name yet: etcd cannot list it either.
    if (name === '') return [];
    return (member.peerURLs ?? []).map((url) => `${name}=${url}`);
  });
  return {
    ETCD_NAME: request.name,
    ETCD_INITIAL_CLUSTER: initialCluster.join(','),
    ETCD_INITIAL_ADVERTISE_PEER_URLS: request.peerUrls.join(','),
    ETCD_INITIAL_CLUSTER_STATE: 'existing',
  };
}

/** etcd's refusal as a typed error; `retry` for the transient ones. */
export function refusalOf(
  path: string,
  reason: string,
  subject: string | undefined,
): { retry: boolean; error: QuorumctlError } {
  const who = subject ?? 'the member';
  if (reason.includes('unhealthy cluster')) {
    return {
      retry: true,
      error: new UnsafeOperationError(
        'CLUSTER_UNHEALTHY',
        `etcd refused ${path}: unhealthy cluster (a voter has not been connected to the others for the last 5 s)`,
        {
          actions: [
            'quorumctl status shows which member is down or restarting; retry once all are up',
          ],
        },
      ),
    };
  }
  if (reason.includes('in sync with leader')) {
    return {
      retry: false,
      error: new UnsafeOperationError(
        LEARNER_NOT_READY,
        `etcd refused to promote ${who}: it has not caught up with the leader yet`,
        { actions: [`wait, then quorumctl members promote ${who}`] },
      ),
    };
  }
  if (reason.includes('too many learner')) {
    return {
      retry: false,
      error: new UnsafeOperationError('MEMBERSHIP_CHANGE_PENDING', `etcd refused: ${reason}`, {
        actions: ['promote or remove the existing learner first (quorumctl members list)'],
      }),
    };
  }
  if (reason.includes('member not found')) {
    return {
      retry: false,
      error: new UsageError('MEMBER_UNKNOWN', `etcd has no member ${who}`, {
        actions: ['quorumctl members list shows the members and their IDs'],
      }),
    };
  }
  if (reason.includes('can only promote a learner')) {
    return {
      retry: false,
      error: new UsageError('NOT_A_LEARNER', `${who} is not a learner: nothing to promote`),
    };
  }
  if (reason.includes('Peer URLs already exists')) {
    return {
      retry: false,
      error: new UsageError(
        'PEER_URLS_IN_USE',
        `etcd refused: another member has these peer URLs`,
        {
          actions: ['quorumctl members list shows each member with its peer URLs'],
        },
      ),
    };
  }
  return {
    retry: false,
    error: new UnsafeOperationError('ETCD_REFUSED', `etcd refused ${path}: ${reason}`, {
      actions: ['quorumctl status shows the cluster; quorumctl members plan shows the quorum math'],
    }),
  };
}

/** The gateway reports gRPC failures as `{"error": "...", "message": "...", "code": N}`. */
function gatewayReason(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: string; message?: string };
    return parsed.error ?? parsed.message ?? '';
  } catch {
    return body.slice(0, 200);
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
