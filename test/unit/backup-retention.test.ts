// prune's plan: calendar buckets like restic's --keep-*, and the newest verified backup is sacred.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  isoWeekOf,
  planRetention,
  type RetainedBackup,
  type RetentionPolicy,
} from '../../core/backup/retention.js';
import { backupName } from '../../core/backup/manifest.js';

const NONE: RetentionPolicy = { last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0 };

function backup(iso: string, verified = false): RetainedBackup {
  return { name: `b-${iso}`, takenAt: new Date(iso), verified };
}

describe('planRetention', () => {
  test('keep the last 2 and one per day for 2 days', () => {
    const history = [
      backup('2026-11-29T05:00:00Z'),
      backup('2026-11-29T04:00:00Z'),
      backup('2026-11-29T03:00:00Z'),
      backup('2026-11-28T23:00:00Z'),
      backup('2026-11-28T01:00:00Z'),
      backup('2026-11-27T12:00:00Z'),
    ];
    const plan = planRetention(history, { ...NONE, last: 2, daily: 2 });
    assert.deepEqual(plan.keep, [
      { name: 'b-2026-11-29T05:00:00Z', reasons: ['last', 'daily'] },
      { name: 'b-2026-11-29T04:00:00Z', reasons: ['last'] },
      { name: 'b-2026-11-28T23:00:00Z', reasons: ['daily'] },
    ]);
    assert.deepEqual(plan.remove, [
      'b-2026-11-29T03:00:00Z',
      'b-2026-11-28T01:00:00Z',
      'b-2026-11-27T12:00:00Z',
    ]);
  });

  test('the newest verified backup is kept even when no bucket wants it', () => {
    const plan = planRetention(
      [backup('2026-11-29T05:00:00Z'), backup('2026-11-20T05:00:00Z', true)],
      { ...NONE, last: 1 },
    );
    assert.deepEqual(plan.keep.at(-1), {
      name: 'b-2026-11-20T05:00:00Z',
      reasons: ['newest-verified'],
    });
    assert.deepEqual(plan.remove, []);
  });

  test('ISO weeks start on Monday and take the year of their Thursday', () => {
    assert.equal(isoWeekOf(new Date('2026-11-29T23:00:00Z')), '2026-W48'); // a Sunday
    assert.equal(isoWeekOf(new Date('2026-11-30T00:00:00Z')), '2026-W49'); // the Monday after
    assert.equal(isoWeekOf(new Date('2027-01-01T00:00:00Z')), '2026-W53');
  });

  test('law: for random histories, the plan equals a naive reference and never drops the newest verified', () => {
    const start = Date.UTC(2025, 0, 1);
    const arbitraryHistory = fc.uniqueArray(
      fc.record({
        minutes: fc.integer({ min: 0, max: 60 * 24 * 120 }),
        verified: fc.boolean(),
      }),
      { selector: (entry) => entry.minutes, maxLength: 60 },
    );
    const arbitraryPolicy = fc.record({
      last: fc.nat(5),
      hourly: fc.nat(6),
      daily: fc.nat(7),
      weekly: fc.nat(4),
      monthly: fc.nat(3),
    });
    fc.assert(
      fc.property(arbitraryHistory, arbitraryPolicy, (entries, policy) => {
        const history = entries.map(({ minutes, verified }) => ({
          name: `b${String(minutes).padStart(6, '0')}`,
          takenAt: new Date(start + minutes * 60_000),
          verified,
        }));
        const plan = planRetention(history, policy);
        const kept = new Set(plan.keep.map((entry) => entry.name));
        assert.deepEqual(kept, naiveKept(history, policy));
        assert.equal(kept.size + plan.remove.length, history.length);
        const newestVerified = [...history]
          .filter((entry) => entry.verified)
          .sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime())[0];
        if (newestVerified !== undefined) assert.ok(kept.has(newestVerified.name));
      }),
    );
  });
});

/** The definition, written plainly: group by bucket, newest per group, newest groups first. */
function naiveKept(history: RetainedBackup[], policy: RetentionPolicy): Set<string> {
  const newestFirst = [...history].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
  const kept = new Set(newestFirst.slice(0, policy.last).map((entry) => entry.name));
  const buckets: [number, (time: Date) => string][] = [
    [policy.hourly, (time) => time.toISOString().slice(0, 13)],
    [policy.daily, (time) => time.toISOString().slice(0, 10)],
    [policy.weekly, isoWeekOf],
    [policy.monthly, (time) => time.toISOString().slice(0, 7)],
  ];
  for (const [count, keyOf] of buckets) {
    const newestPerBucket = new Map<string, RetainedBackup>();
    for (const entry of newestFirst) {
      if (!newestPerBucket.has(keyOf(entry.takenAt)))
        newestPerBucket.set(keyOf(entry.takenAt), entry);
    }
    [...newestPerBucket.values()].slice(0, count).forEach((entry) => kept.add(entry.name));
  }
  const verified = newestFirst.find((entry) => entry.verified);
  if (verified !== undefined) kept.add(verified.name);
  return kept;
}

describe('backupName', () => {
  test('cluster and UTC time, safe in file names, sortable', () => {
    assert.equal(
      backupName('sandbox/demo prod', new Date('2026-11-29T05:38:00.123Z')),
      'sandbox_demo_prod-20261129T053800Z',
    );
    assert.equal(backupName('///', new Date('2026-11-29T05:38:00Z')), 'cluster-20261129T053800Z');
  });
});
