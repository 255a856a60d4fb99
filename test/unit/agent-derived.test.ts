import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  appendSizeSample,
  backupAgeSeconds,
  fragmentationRatio,
  growthBytesPerSecond,
  isLeaderChange,
  lastElectionGapSeconds,
  leaderChangeRate,
  leaderChangeTimes,
  leaderlessSeconds,
  learnerCatchUpRatio,
  pruneLeaderHistory,
  quotaExhaustionEtaSeconds,
  type LeaderObservation,
  type SizeSample,
} from '../../core/metrics/derived.js';

/** A fake clock: polls every `stepMs` from a fixed epoch. */
function clock(stepMs: number, startMs = Date.UTC(2026, 0, 1)) {
  let now = startMs;
  return {
    now: () => now,
    tick: (ms = stepMs) => {
      now += ms;
      return now;
    },
  };
}

function leaderPolls(
  stepMs: number,
  // A leader ID, null for a reached poll without one, 'down' for a failed poll.
  leaders: readonly (string | null)[],
  terms?: readonly number[],
): LeaderObservation[] {
  const fake = clock(stepMs);
  return leaders.map((leader, index) => {
    const atMs = index === 0 ? fake.now() : fake.tick();
    if (leader === 'down') return { atMs, reached: false };
    const observation: LeaderObservation = { atMs, reached: true };
    if (leader !== null) observation.leaderId = leader;
    const term = terms?.[index];
    if (term !== undefined) observation.term = term;
    return observation;
  });
}

describe('quota exhaustion ETA', () => {
  it('fits a line: 1 MB/s growth with 10 MB left is 10 s', () => {
    const fake = clock(1000);
    const samples: SizeSample[] = [];
    for (let index = 0; index < 10; index += 1) {
      samples.push({ atMs: fake.now(), bytes: 50e6 + index * 1e6 });
      fake.tick();
    }
    assert.equal(growthBytesPerSecond(samples), 1e6);
    assert.equal(quotaExhaustionEtaSeconds(samples, 69e6), 10);
  });

  it('is +Inf when the size shrinks or stays, 0 at or over the quota, undefined without history', () => {
    const flat = [
      { atMs: 0, bytes: 100 },
      { atMs: 5000, bytes: 100 },
    ];
    assert.equal(quotaExhaustionEtaSeconds(flat, 1000), Infinity);
    const shrinking = [
      { atMs: 0, bytes: 500 },
      { atMs: 5000, bytes: 400 },
    ];
    assert.equal(quotaExhaustionEtaSeconds(shrinking, 1000), Infinity);
    assert.equal(quotaExhaustionEtaSeconds([{ atMs: 0, bytes: 1000 }], 1000), 0);
    assert.equal(quotaExhaustionEtaSeconds([{ atMs: 0, bytes: 10 }], 1000), undefined);
    assert.equal(quotaExhaustionEtaSeconds([], 1000), undefined);
    assert.equal(quotaExhaustionEtaSeconds(flat, 0), undefined);
  });

  it('resists one outlier better than first-to-last would', () => {
    // Steady 1 kB/s with a compaction dip in the middle.
    const samples = Array.from({ length: 21 }, (_, index) => ({
      atMs: index * 1000,
      bytes: index === 10 ? 0 : 1e6 + index * 1000,
    }));
    const growth = growthBytesPerSecond(samples) ?? 0;
    assert.ok(growth > 500 && growth < 1500, `growth ${growth}`);
  });

  it('is exact for any line (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 2, max: 50 }),
        fc.integer({ min: 1, max: 60_000 }),
        (slopePerSecond, count, stepMs) => {
          const samples = Array.from({ length: count }, (_, index) => ({
            atMs: 1.7e12 + index * stepMs,
            bytes: 1e6 + (slopePerSecond * index * stepMs) / 1000,
          }));
          const growth = growthBytesPerSecond(samples) ?? NaN;
          assert.ok(Math.abs(growth - slopePerSecond) / slopePerSecond < 1e-6);
        },
      ),
    );
  });

  it('keeps the window and thins samples, always ending with the newest', () => {
    let samples: SizeSample[] = [];
    for (let second = 0; second <= 100; second += 1) {
      samples = appendSizeSample(samples, { atMs: second * 1000, bytes: second }, 60_000, 10_000);
    }
    assert.equal(samples.at(-1)?.atMs, 100_000);
    assert.ok(samples.every((sample) => sample.atMs > 40_000));
    for (let index = 2; index < samples.length; index += 1) {
      assert.ok(samples[index]!.atMs - samples[index - 2]!.atMs >= 10_000);
    }
    assert.ok(samples.length <= 8, `kept ${samples.length}`);
  });
});

describe('leader changes', () => {
  it('counts another leader, or the same one at a higher term; not a poll failure or a gap', () => {
    assert.equal(isLeaderChange(undefined, { id: 'a' }), false);
    assert.equal(isLeaderChange({ id: 'a', term: 2 }, { id: 'a', term: 2 }), false);
    assert.equal(isLeaderChange({ id: 'a', term: 2 }, { id: 'a', term: 3 }), true);
    assert.equal(isLeaderChange({ id: 'a' }, { id: 'b' }), true);
    const history = leaderPolls(1000, ['a', 'a', 'down', 'a', null, null, 'b', 'b', 'b', 'c']);
    assert.deepEqual(
      leaderChangeTimes(history).map((atMs) => (atMs - history[0]!.atMs) / 1000),
      [6, 9],
    );
  });

  it('rate: changes per second over the window ending now', () => {
    const history = leaderPolls(60_000, ['a', 'b', 'c', 'c', 'd']);
    const now = history.at(-1)!.atMs;
    assert.equal(leaderChangeRate(history, now, 15 * 60_000), 3 / 900);
    // Only the change at the last poll falls inside a 90 s window.
    assert.equal(leaderChangeRate(history, now, 90_000), 1 / 90);
  });

  it('election gap: last poll with the old leader to the first with a leader again', () => {
    const history = leaderPolls(500, ['a', 'a', null, null, null, 'b', 'b']);
    // Last 'a' at 0.5 s, first 'b' at 2.5 s.
    assert.equal(lastElectionGapSeconds(history), 2);
    assert.equal(lastElectionGapSeconds(leaderPolls(500, ['a', 'a', 'a'])), undefined);
    // A change between two polls is at most one interval.
    assert.equal(lastElectionGapSeconds(leaderPolls(500, ['a', 'b'])), 0.5);
    // Only the most recent change counts.
    assert.equal(lastElectionGapSeconds(leaderPolls(1000, ['a', null, null, 'b', 'c'])), 1);
  });

  it('leaderless seconds: from the last poll with a leader until now, 0 while one leads', () => {
    const fake = clock(1000);
    const history = leaderPolls(1000, ['a', 'a', null, 'down', null]);
    const now = history.at(-1)!.atMs + 250;
    assert.equal(leaderlessSeconds(history, now), 3.25);
    assert.equal(leaderlessSeconds(leaderPolls(1000, ['a', null, 'b']), fake.tick(10_000)), 0);
    // Never saw one: counted from the first leaderless poll.
    const never = leaderPolls(1000, [null, null]);
    assert.equal(leaderlessSeconds(never, never.at(-1)!.atMs), 1);
    assert.equal(leaderlessSeconds(leaderPolls(1000, ['down']), 0), undefined);
  });

  it('pruning keeps the anchor before the window, so a change at its edge still counts', () => {
    const history = leaderPolls(60_000, ['a', 'a', 'a', 'b']);
    const now = history.at(-1)!.atMs;
    const pruned = pruneLeaderHistory(history, now, 30_000);
    assert.equal(pruned.length, 2);
    assert.equal(pruned[0]!.leaderId, 'a');
    assert.equal(leaderChangeTimes(pruned).length, 1);
  });

  it('term changes alone count when the system has terms', () => {
    const history = leaderPolls(1000, ['a', 'a', 'a'], [4, 4, 5]);
    assert.equal(leaderChangeTimes(history).length, 1);
  });
});

describe('ratios and ages', () => {
  it('fragmentation: share of the file that is free pages', () => {
    assert.equal(fragmentationRatio(100, 25), 0.75);
    assert.equal(fragmentationRatio(100, 100), 0);
    assert.equal(fragmentationRatio(100, 120), 0);
    assert.equal(fragmentationRatio(0, 0), undefined);
    assert.equal(fragmentationRatio(100, undefined), undefined);
  });

  it('learner catch-up: its index over the leader commit index, clamped', () => {
    assert.equal(learnerCatchUpRatio(50, 200), 0.25);
    assert.equal(learnerCatchUpRatio(210, 200), 1);
    assert.equal(learnerCatchUpRatio(0, 0), 1);
    assert.equal(learnerCatchUpRatio(undefined, 200), undefined);
  });

  it('backup age from the fake clock', () => {
    const fake = clock(1000);
    const completed = fake.now();
    assert.equal(backupAgeSeconds(completed, fake.tick(90_000)), 90);
    assert.equal(backupAgeSeconds(undefined, fake.now()), undefined);
  });
});
