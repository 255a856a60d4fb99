// What a drill's observations add up to: leader timeline, time to new leader, write
// unavailability, recovery, the agreed leader from member claims, and the verdict.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RecordedOperation } from '../../chaos/checker/history.js';
import type { FaultTimelineEntry } from '../../chaos/report/drill-report.js';
import {
  leaderChanges,
  recoveryAfter,
  summarizeOperations,
  timeToNewLeader,
  writeUnavailability,
} from '../../chaos/report/metrics.js';
import { judgeDrill, type DrillObservations } from '../../chaos/report/verdict.js';
import { agreedLeader } from '../../chaos/runner/leader-claims.js';
import { lostWrites } from '../../chaos/workload/lost-writes.js';

const fault = (
  members: string[],
  injectedAtMs: number,
  healedAtMs?: number,
): FaultTimelineEntry => ({
  id: 'f',
  kind: 'kill',
  members,
  requestedAtMs: injectedAtMs - 50,
  injectedAtMs,
  ...(healedAtMs !== undefined && { healedAtMs }),
});

const write = (
  invokeMs: number,
  completeMs: number,
  outcome: 'ok' | 'fail' = 'ok',
): RecordedOperation => ({
  client: 0,
  key: 'k0',
  op: 'write',
  value: `v${invokeMs}`,
  outcome,
  invokeMs,
  completeMs,
});

describe('leader timeline', () => {
  const timeline = leaderChanges([
    { atMs: 0, leader: 'n1', term: 2 },
    { atMs: 150, leader: 'n1', term: 2 },
    { atMs: 1000, leader: null },
    { atMs: 1200, leader: null },
    { atMs: 2300, leader: 'n3', term: 3 },
  ]);

  test('keeps the first observation and each change', () => {
    assert.deepEqual(
      timeline.map((observation) => observation.leader),
      ['n1', null, 'n3'],
    );
  });

  test('time to new leader runs from the fault that hit the leader to the first other leader', () => {
    const result = timeToNewLeader(timeline, [fault(['n2'], 100), fault(['n1'], 900)]);
    // Counted from when the fault was fully in place (900), not when it was asked for (850).
    assert.equal(result?.ms, 1400);
    assert.equal(result?.from, 'n1');
    assert.equal(result?.to, 'n3');
  });

  test('a new leader before the fault was fully in place counts as 0 ms', () => {
    const early = leaderChanges([
      { atMs: 0, leader: 'n1' },
      { atMs: 960, leader: 'n2' },
    ]);
    assert.equal(timeToNewLeader(early, [fault(['n1'], 1000)])?.ms, 0);
  });

  test('no fault on the leader, or no other leader seen: undefined', () => {
    assert.equal(timeToNewLeader(timeline, [fault(['n2'], 900)]), undefined);
    assert.equal(
      timeToNewLeader(leaderChanges([{ atMs: 0, leader: 'n1' }]), [fault(['n1'], 10)]),
      undefined,
    );
  });
});

describe('availability', () => {
  test('the longest stretch without an acknowledged write, edges included', () => {
    const operations = [
      write(0, 100),
      write(100, 300),
      write(300, 2000, 'fail'),
      write(2000, 2500),
    ];
    assert.deepEqual(writeUnavailability(operations, 0, 3000), {
      longestMs: 2200,
      fromMs: 300,
      toMs: 2500,
    });
    assert.equal(writeUnavailability([], 0, 500).longestMs, 500);
  });

  test('recovery: heal to the first write acknowledged after it', () => {
    assert.equal(recoveryAfter([write(0, 100), write(900, 1300)], 1000), 300);
    assert.equal(recoveryAfter([write(0, 100)], 1000), undefined);
  });

  test('operation counts per type and the commonest errors', () => {
    const summary = summarizeOperations(
      [
        write(0, 1),
        write(1, 2, 'fail'),
        {
          client: 1,
          key: 'k0',
          op: 'read',
          outcome: 'ok',
          invokeMs: 0,
          completeMs: 1,
          result: null,
        },
      ],
      { 'write: timeout': 1, 'read: refused': 3 },
    );
    assert.equal(summary.total, 3);
    assert.deepEqual(summary.byType.write, { ok: 1, fail: 1, unknown: 0 });
    assert.deepEqual(summary.commonErrors[0], { reason: 'read: refused', count: 3 });
  });

  test('a lost write is an acknowledged write whose record was not found', () => {
    const lost = lostWrites(
      [
        { key: 'k1', value: 'w0-1', client: 0, receipt: 'r1', acknowledgedAtMs: 5 },
        { key: 'k2', value: 'w0-2', client: 0, receipt: 'r2', acknowledgedAtMs: 6 },
      ],
      new Set(['r1']),
    );
    assert.deepEqual(
      lost.map((write) => write.key),
      ['k2'],
    );
  });
});

describe('agreedLeader', () => {
  test('the highest term wins: an isolated old leader still naming itself loses', () => {
    assert.deepEqual(
      agreedLeader([
        { leader: 'n1', term: 2 },
        { leader: 'n3', term: 3 },
        { leader: 'n3', term: 3 },
      ]),
      { leader: 'n3', term: 3 },
    );
  });

  test('without terms the most named wins; a tie or nobody is no leader', () => {
    assert.deepEqual(agreedLeader([{ leader: 'n1' }, { leader: 'n2' }, { leader: 'n2' }]), {
      leader: 'n2',
    });
    assert.equal(agreedLeader([{ leader: 'n1' }, { leader: 'n2' }]), undefined);
    assert.equal(agreedLeader([{ leader: null }]), undefined);
  });
});

describe('judgeDrill', () => {
  const passing: DrillObservations = {
    expectations: { leaderChange: 'required', maxLostWrites: 0, linearizable: true },
    maxTimeToNewLeaderMs: 3000,
    maxRecoveryMs: 8000,
    faultHitLeader: true,
    timeToNewLeaderMs: 1200,
    otherLeadersSeen: ['n3'],
    leaderBefore: 'n1',
    recoveryMs: 20,
    acknowledgedBeforeFault: 50,
    lostWrites: 0,
    checker: { verdict: 'linearizable', durationMs: 12 },
  };

  test('PASS when everything holds', () => {
    const judged = judgeDrill(passing);
    assert.equal(judged.verdict, 'PASS');
    assert.deepEqual(judged.reasons, []);
  });

  test('FAIL on a lost write, a non-linearizable history, a slow or missing new leader', () => {
    assert.equal(judgeDrill({ ...passing, lostWrites: 1 }).verdict, 'FAIL');
    assert.equal(
      judgeDrill({
        ...passing,
        checker: { verdict: 'not-linearizable', durationMs: 1, failingKey: 'k1' },
      }).verdict,
      'FAIL',
    );
    const slow = judgeDrill({ ...passing, timeToNewLeaderMs: 3500 });
    assert.equal(slow.verdict, 'FAIL');
    assert.match(slow.reasons.join(), /new-leader: expected within 3\.00 s, observed 3\.50 s/);
    assert.equal(judgeDrill({ ...passing, timeToNewLeaderMs: null }).verdict, 'FAIL');
    assert.equal(judgeDrill({ ...passing, recoveryMs: null }).verdict, 'FAIL');
  });

  test('forbidden leader change: another leader is a FAIL', () => {
    const forbidden = {
      ...passing,
      expectations: { ...passing.expectations, leaderChange: 'forbidden' as const },
    };
    assert.equal(judgeDrill(forbidden).verdict, 'FAIL');
    assert.equal(judgeDrill({ ...forbidden, otherLeadersSeen: [] }).verdict, 'PASS');
  });

  test('INCONCLUSIVE when the checker timed out, nothing was written first, or the read-back failed', () => {
    assert.equal(
      judgeDrill({
        ...passing,
        checker: { verdict: 'unknown', durationMs: 30_000, reason: 'budget' },
      }).verdict,
      'INCONCLUSIVE',
    );
    assert.equal(judgeDrill({ ...passing, acknowledgedBeforeFault: 0 }).verdict, 'INCONCLUSIVE');
    assert.equal(
      judgeDrill({ ...passing, lostWrites: null, readBackError: 'timeout' }).verdict,
      'INCONCLUSIVE',
    );
  });

  test('a FAIL outweighs an INCONCLUSIVE', () => {
    assert.equal(
      judgeDrill({ ...passing, lostWrites: 2, checker: { verdict: 'unknown', durationMs: 1 } })
        .verdict,
      'FAIL',
    );
  });
});
