// Quorum arithmetic checked against a deliberately naive, counting reference.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { faultTolerance, majority, quorumMargin, summarizeQuorum } from '../../core/quorum.js';

/** Smallest k with 2k > n, found by counting up. */
function naiveMajority(voters: number): number {
  let k = 0;
  while (!(2 * k > voters)) k += 1;
  return k;
}

/**
 * With enough healthy voters: how many of them can be removed one by one while the rest
 * still reach a majority. Without: minus how many must come back to reach it.
 */
function naiveMargin(voters: number, healthyVoters: number): number {
  const needed = naiveMajority(voters);
  let remaining = healthyVoters;
  let steps = 0;
  if (remaining >= needed) {
    while (remaining - 1 >= needed) {
      remaining -= 1;
      steps += 1;
    }
    return steps;
  }
  while (remaining < needed) {
    remaining += 1;
    steps += 1;
  }
  return -steps;
}

/** How many failures an all-healthy cluster survives (never below zero). */
function naiveFaultTolerance(voters: number): number {
  return Math.max(0, naiveMargin(voters, voters));
}

const voterCount = fc.integer({ min: 0, max: 99 });
const votersAndHealthy = voterCount.chain((voters) =>
  fc.tuple(fc.constant(voters), fc.integer({ min: 0, max: voters })),
);
/** Anything a count must not be: negative integers, fractions, NaN and infinities. */
const invalidCount = fc.oneof(
  fc.integer({ min: -1_000_000, max: -1 }),
  fc.double({ noNaN: false }).filter((value) => !Number.isInteger(value) || value < 0),
);

describe('quorum arithmetic against a naive reference', () => {
  test('majority(voters) is the smallest k with 2k > voters', () => {
    fc.assert(
      fc.property(voterCount, (voters) => majority(voters) === naiveMajority(voters)),
      { numRuns: 500 },
    );
  });

  test('faultTolerance(voters) is how many voters a healthy cluster can lose', () => {
    fc.assert(
      fc.property(voterCount, (voters) => faultTolerance(voters) === naiveFaultTolerance(voters)),
      { numRuns: 500 },
    );
  });

  test('quorumMargin(voters, healthy) matches counting removals or returns', () => {
    fc.assert(
      fc.property(votersAndHealthy, ([voters, healthy]) => {
        assert.equal(quorumMargin(voters, healthy), naiveMargin(voters, healthy));
      }),
      { numRuns: 1000 },
    );
  });

  test('summarizeQuorum agrees with the individual functions', () => {
    fc.assert(
      fc.property(
        votersAndHealthy.filter(([voters]) => voters > 0),
        ([voters, healthy]) => {
          assert.deepEqual(summarizeQuorum(voters, healthy), {
            voters,
            healthyVoters: healthy,
            majority: naiveMajority(voters),
            faultTolerance: naiveFaultTolerance(voters),
            quorumMargin: naiveMargin(voters, healthy),
            hasQuorum: healthy >= naiveMajority(voters),
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('quorum laws', () => {
  test('hasQuorum holds exactly when healthy voters reach the majority', () => {
    fc.assert(
      fc.property(votersAndHealthy, ([voters, healthy]) => {
        assert.equal(summarizeQuorum(voters, healthy).hasQuorum, healthy >= majority(voters));
      }),
      { numRuns: 1000 },
    );
  });

  test('each voter failure lowers the margin by exactly one', () => {
    fc.assert(
      fc.property(
        votersAndHealthy.filter(([, healthy]) => healthy > 0),
        ([voters, healthy]) => {
          assert.equal(quorumMargin(voters, healthy - 1), quorumMargin(voters, healthy) - 1);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('an all-healthy cluster has margin == fault tolerance (for at least one voter)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99 }), (voters) => {
        assert.equal(quorumMargin(voters, voters), faultTolerance(voters));
      }),
    );
  });

  test('even sizes add no tolerance: faultTolerance(2k+1) == faultTolerance(2k+2)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 48 }), (k) => {
        assert.equal(faultTolerance(2 * k + 1), faultTolerance(2 * k + 2));
        assert.equal(faultTolerance(2 * k + 1), k);
      }),
    );
  });

  test('the margin never exceeds the fault tolerance and is at least -majority', () => {
    fc.assert(
      fc.property(votersAndHealthy, ([voters, healthy]) => {
        const margin = quorumMargin(voters, healthy);
        assert.ok(margin <= faultTolerance(voters), `margin ${margin}`);
        assert.ok(margin >= -majority(voters), `margin ${margin}`);
      }),
      { numRuns: 500 },
    );
  });
});

describe('invalid inputs throw RangeError', () => {
  test('majority and faultTolerance reject negative and non-integer voter counts', () => {
    fc.assert(
      fc.property(invalidCount, (voters) => {
        assert.throws(() => majority(voters), RangeError);
        assert.throws(() => faultTolerance(voters), RangeError);
      }),
      { numRuns: 300 },
    );
  });

  test('quorumMargin and summarizeQuorum reject negative and non-integer healthy counts', () => {
    fc.assert(
      fc.property(voterCount, invalidCount, (voters, healthy) => {
        assert.throws(() => quorumMargin(voters, healthy), RangeError);
        assert.throws(() => summarizeQuorum(voters, healthy), RangeError);
      }),
      { numRuns: 300 },
    );
  });

  test('quorumMargin rejects negative and non-integer voter counts', () => {
    fc.assert(
      fc.property(invalidCount, (voters) => {
        assert.throws(() => quorumMargin(voters, 0), RangeError);
      }),
      { numRuns: 300 },
    );
  });

  test('more healthy voters than voters is a RangeError naming both counts', () => {
    fc.assert(
      fc.property(
        voterCount.chain((voters) =>
          fc.tuple(fc.constant(voters), fc.integer({ min: voters + 1, max: voters + 50 })),
        ),
        ([voters, healthy]) => {
          assert.throws(() => quorumMargin(voters, healthy), {
            name: 'RangeError',
            message: `healthyVoters (${healthy}) exceeds voters (${voters})`,
          });
          assert.throws(() => summarizeQuorum(voters, healthy), RangeError);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('specific invalid values', () => {
    assert.throws(() => majority(-1), { name: 'RangeError', message: /voters must be/ });
    assert.throws(() => majority(2.5), RangeError);
    assert.throws(() => majority(Number.NaN), RangeError);
    assert.throws(() => majority(Number.POSITIVE_INFINITY), RangeError);
    assert.throws(() => quorumMargin(3, -1), { message: /healthyVoters must be/ });
    assert.throws(() => quorumMargin(3, 4), RangeError);
  });
});

describe('worked examples', () => {
  test('3 voters, all healthy: majority 2, margin 1', () => {
    assert.deepEqual(summarizeQuorum(3, 3), {
      voters: 3,
      healthyVoters: 3,
      majority: 2,
      faultTolerance: 1,
      quorumMargin: 1,
      hasQuorum: true,
    });
  });

  test('3 voters, 1 down: margin 0, still has quorum', () => {
    assert.equal(quorumMargin(3, 2), 0);
    assert.equal(summarizeQuorum(3, 2).hasQuorum, true);
  });

  test('3 voters, 2 down: margin -1, quorum lost', () => {
    assert.equal(quorumMargin(3, 1), -1);
    assert.equal(summarizeQuorum(3, 1).hasQuorum, false);
  });

  test('5 voters tolerate 2 failures; 4 voters only 1; 1 voter none', () => {
    assert.equal(faultTolerance(5), 2);
    assert.equal(majority(5), 3);
    assert.equal(faultTolerance(4), 1);
    assert.equal(majority(4), 3);
    assert.equal(faultTolerance(1), 0);
    assert.equal(majority(1), 1);
  });

  test('an empty voter set has no quorum', () => {
    assert.equal(faultTolerance(0), 0);
    assert.equal(quorumMargin(0, 0), -1);
    assert.equal(summarizeQuorum(0, 0).hasQuorum, false);
    assert.equal(summarizeQuorum(0, 0).majority, 0);
  });
});
