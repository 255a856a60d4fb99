import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assembleClusterStatus } from '../../core/cluster-status.js';
import {
  nextObservedState,
  pollFailureEvents,
  statusEvents,
  type ObservedState,
} from '../../core/metrics/events.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';

interface MemberSpec {
  role?: MemberStatus['role'];
  reachable?: boolean;
  term?: number;
}

let second = 0;
function status(
  members: Record<string, MemberSpec>,
  alarms: { memberId: string; alarm: string }[] = [],
): ClusterStatus {
  second += 1;
  return assembleClusterStatus({
    cluster: 'prod',
    kind: 'etcd',
    members: Object.entries(members).map(([name, spec]) => {
      const reachable = spec.reachable ?? true;
      const member: MemberStatus = {
        id: `id-${name}`,
        name,
        endpoint: `http://${name}:2379`,
        role: reachable ? (spec.role ?? 'follower') : 'unknown',
        voter: true,
        reachable,
        alarms: [],
      };
      if (reachable) member.term = spec.term ?? 2;
      else member.error = { code: 'ECONNREFUSED', message: 'connection refused' };
      return member;
    }),
    alarms,
    observedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, second)),
  });
}

/** Feeds statuses through the pure functions as the agent does; returns the event types per poll. */
function run(statuses: (ClusterStatus | 'down')[]): string[][] {
  let state: ObservedState = {};
  return statuses.map((current) => {
    if (current === 'down') {
      const events = pollFailureEvents(state, {
        cluster: 'prod',
        kind: 'etcd',
        at: '2026-01-01T00:00:00.000Z',
        code: 'CLUSTER_UNREACHABLE',
        message: 'nobody answered',
      });
      state = { ...state, up: false };
      return events.map((event) => event.type);
    }
    const events = statusEvents(state, current);
    state = nextObservedState(state, current);
    return events.map((event) => event.type);
  });
}

describe('cluster events from successive polls', () => {
  it('nothing on the first poll of a healthy cluster, nothing while it stays the same', () => {
    const healthy = { a: { role: 'leader' as const }, b: {}, c: {} };
    assert.deepEqual(run([status(healthy), status(healthy)]), [[], []]);
  });

  it('leader change with names, IDs and the new term', () => {
    let state: ObservedState = {};
    const before = status({ a: { role: 'leader' }, b: {}, c: {} });
    state = nextObservedState(state, before);
    const after = status({
      a: { reachable: false },
      b: { role: 'leader', term: 3 },
      c: { term: 3 },
    });
    const events = statusEvents(state, after);
    const change = events.find((event) => event.type === 'leader-change');
    assert.ok(change);
    assert.equal(change.message, 'leader changed from a to b');
    assert.deepEqual(change.details, { from: 'a', fromId: 'id-a', to: 'b', toId: 'id-b', term: 3 });
    assert.equal(change.cluster, 'prod');
    assert.equal(change.at, after.observedAt);
    assert.deepEqual(
      events.map((event) => event.type),
      ['leader-change', 'term-change', 'member-unreachable'],
    );
    const unreachable = events.find((event) => event.type === 'member-unreachable');
    assert.equal(unreachable?.details.code, 'ECONNREFUSED');
  });

  it('a leaderless poll is a loss; the next leader is a change from the last one seen', () => {
    const types = run([
      status({ a: { role: 'leader' }, b: {}, c: {} }),
      status({ a: { reachable: false }, b: {}, c: {} }),
      status({ a: { reachable: false }, b: {}, c: {} }),
      status({ a: { reachable: false }, b: { role: 'leader', term: 3 }, c: { term: 3 } }),
      status({ a: {}, b: { role: 'leader', term: 3 }, c: { term: 3 } }),
    ]);
    assert.deepEqual(types, [
      [],
      ['leader-lost', 'member-unreachable'],
      [],
      ['leader-change'],
      ['member-back'],
    ]);
  });

  it('the same leader at a higher term is a change (re-election)', () => {
    let state = nextObservedState({}, status({ a: { role: 'leader', term: 5 }, b: { term: 5 } }));
    const events = statusEvents(state, status({ a: { role: 'leader', term: 6 }, b: { term: 6 } }));
    state = nextObservedState(state, status({ a: { role: 'leader', term: 6 }, b: { term: 6 } }));
    assert.equal(events[0]?.type, 'leader-change');
    assert.match(events[0]?.message ?? '', /re-elected/);
    assert.equal(state.lastLeader?.term, 6);
  });

  it('alarms raised and cleared, named by member', () => {
    const types = run([
      status({ a: { role: 'leader' }, b: {} }),
      status({ a: { role: 'leader' }, b: {} }, [{ memberId: 'id-b', alarm: 'NOSPACE' }]),
      status({ a: { role: 'leader' }, b: {} }, [{ memberId: 'id-b', alarm: 'NOSPACE' }]),
      status({ a: { role: 'leader' }, b: {} }),
    ]);
    assert.deepEqual(types, [[], ['alarm-raised'], [], ['alarm-cleared']]);
    const raised = statusEvents(
      {},
      status({ a: { role: 'leader' } }, [{ memberId: 'id-a', alarm: 'CORRUPT' }]),
    );
    assert.equal(raised[0]?.message, 'alarm CORRUPT raised on a');
  });

  it('cluster unreachable once, then back; the leader is compared across the outage', () => {
    const types = run([
      status({ a: { role: 'leader' }, b: {} }),
      'down',
      'down',
      status({ a: {}, b: { role: 'leader', term: 3 } }),
    ]);
    assert.deepEqual(types, [
      [],
      ['cluster-unreachable'],
      [],
      ['cluster-back', 'leader-change', 'term-change'],
    ]);
  });
});
