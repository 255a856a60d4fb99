/**
 * Cluster events from two successive observations (pure): leader change or loss, term
 * change, member unreachable or back, alarm raised or cleared, cluster unreachable or back.
 * The agent streams them on `/events`.
 */
import type { ClusterStatus, MemberStatus, SystemKind } from '../model.js';
import { isLeaderChange, type LeaderSeen } from './derived.js';

export const CLUSTER_EVENT_TYPES = [
  'leader-change',
  'leader-lost',
  'term-change',
  'member-unreachable',
  'member-back',
  'alarm-raised',
  'alarm-cleared',
  'cluster-unreachable',
  'cluster-back',
] as const;
export type ClusterEventType = (typeof CLUSTER_EVENT_TYPES)[number];

export interface ClusterEvent {
  type: ClusterEventType;
  cluster: string;
  kind: SystemKind;
  /** ISO 8601 time of the poll that saw it. */
  at: string;
  /** One sentence for people. */
  message: string;
  /** The facts, for scripts: member names and IDs, terms, alarm, error code. */
  details: Record<string, string | number>;
}

/** What the agent remembers between polls. */
export interface ObservedState {
  /** The last status a poll got (absent until one did). */
  status?: ClusterStatus;
  /** The last leader any poll saw, with its name, kept across leaderless polls. */
  lastLeader?: LeaderSeen & { name: string };
  /** Whether the last poll got a status. */
  up?: boolean;
}

/** Events of a poll that got `current`, given what was observed before. */
export function statusEvents(previous: ObservedState, current: ClusterStatus): ClusterEvent[] {
  const event = eventFactory(current.cluster, current.kind, current.observedAt);
  const events: ClusterEvent[] = [];
  if (previous.up === false) {
    events.push(event('cluster-back', 'the agent reaches the cluster again', {}));
  }
  const before = previous.status;

  const leader = current.members.find((member) => member.id === current.leaderId);
  const seen = leaderSeenOf(current, leader);
  if (seen !== undefined && isLeaderChange(previous.lastLeader, seen)) {
    const from = previous.lastLeader;
    events.push(
      event(
        'leader-change',
        from?.id === seen.id
          ? `${seen.name} was re-elected leader at term ${seen.term ?? '?'}`
          : `leader changed from ${from?.name ?? '?'} to ${seen.name}`,
        {
          from: from?.name ?? '',
          fromId: from?.id ?? '',
          to: seen.name,
          toId: seen.id,
          ...(seen.term !== undefined && { term: seen.term }),
        },
      ),
    );
  } else if (seen === undefined && before?.leaderId !== undefined && hasClusterLeader(current)) {
    const name = previous.lastLeader?.name ?? before.leaderId;
    events.push(
      event('leader-lost', `no leader: the reachable members agree on none (was ${name})`, {
        from: name,
        fromId: before.leaderId,
      }),
    );
  }

  if (before?.term !== undefined && current.term !== undefined && current.term !== before.term) {
    events.push(
      event('term-change', `term changed from ${before.term} to ${current.term}`, {
        from: before.term,
        to: current.term,
      }),
    );
  }

  if (before !== undefined) events.push(...memberEvents(before.members, current.members, event));
  events.push(...alarmEvents(before, current, event));
  return events;
}

/** Events of a poll that got no status. */
export function pollFailureEvents(
  previous: ObservedState,
  failure: { cluster: string; kind: SystemKind; at: string; code: string; message: string },
): ClusterEvent[] {
  if (previous.up === false) return [];
  const event = eventFactory(failure.cluster, failure.kind, failure.at);
  return [
    event('cluster-unreachable', `the agent cannot reach the cluster: ${failure.message}`, {
      code: failure.code,
      error: failure.message,
    }),
  ];
}

/** The state to remember after a poll that got `current`. */
export function nextObservedState(previous: ObservedState, current: ClusterStatus): ObservedState {
  const leader = current.members.find((member) => member.id === current.leaderId);
  const seen = leaderSeenOf(current, leader);
  const lastLeader = seen ?? previous.lastLeader;
  return lastLeader === undefined
    ? { status: current, up: true }
    : { status: current, up: true, lastLeader };
}

/** CockroachDB has leaders per range only: "leader lost" would be noise there. */
function hasClusterLeader(status: ClusterStatus): boolean {
  return status.leadership !== 'per-group';
}

function leaderSeenOf(
  status: ClusterStatus,
  leader: MemberStatus | undefined,
): (LeaderSeen & { name: string }) | undefined {
  if (status.leaderId === undefined) return undefined;
  const name = leader?.name ?? status.leaderId;
  return status.term === undefined
    ? { id: status.leaderId, name }
    : { id: status.leaderId, name, term: status.term };
}

type EventFactory = (
  type: ClusterEventType,
  message: string,
  details: ClusterEvent['details'],
) => ClusterEvent;

function eventFactory(cluster: string, kind: SystemKind, at: string): EventFactory {
  return (type, message, details) => ({ type, cluster, kind, at, message, details });
}

function memberEvents(
  before: readonly MemberStatus[],
  after: readonly MemberStatus[],
  event: EventFactory,
): ClusterEvent[] {
  const previousById = new Map(before.map((member) => [member.id, member]));
  const events: ClusterEvent[] = [];
  for (const member of after) {
    const was = previousById.get(member.id);
    if (was === undefined || was.reachable === member.reachable) continue;
    if (member.reachable) {
      events.push(
        event('member-back', `${member.name} (${member.endpoint}) answers again`, {
          member: member.name,
          memberId: member.id,
        }),
      );
    } else {
      const reason = member.error?.message ?? 'no answer';
      events.push(
        event(
          'member-unreachable',
          `${member.name} (${member.endpoint}) is unreachable: ${reason}`,
          {
            member: member.name,
            memberId: member.id,
            code: member.error?.code ?? 'UNKNOWN',
            error: reason,
          },
        ),
      );
    }
  }
  return events;
}

function alarmEvents(
  before: ClusterStatus | undefined,
  after: ClusterStatus,
  event: EventFactory,
): ClusterEvent[] {
  const key = (alarm: { memberId: string; alarm: string }) =>
    `${alarm.memberId}\u0000${alarm.alarm}`;
  const previous = new Map((before?.alarms ?? []).map((alarm) => [key(alarm), alarm]));
  const current = new Map(after.alarms.map((alarm) => [key(alarm), alarm]));
  const nameOf = (memberId: string) =>
    after.members.find((member) => member.id === memberId)?.name ??
    before?.members.find((member) => member.id === memberId)?.name ??
    memberId;
  const events: ClusterEvent[] = [];
  // On the first poll there is nothing to compare with: alarms already active are raised then.
  for (const [id, alarm] of current) {
    if (previous.has(id)) continue;
    events.push(
      event('alarm-raised', `alarm ${alarm.alarm} raised on ${nameOf(alarm.memberId)}`, {
        alarm: alarm.alarm,
        member: nameOf(alarm.memberId),
        memberId: alarm.memberId,
      }),
    );
  }
  for (const [id, alarm] of previous) {
    if (current.has(id)) continue;
    events.push(
      event('alarm-cleared', `alarm ${alarm.alarm} cleared on ${nameOf(alarm.memberId)}`, {
        alarm: alarm.alarm,
        member: nameOf(alarm.memberId),
        memberId: alarm.memberId,
      }),
    );
  }
  return events;
}
