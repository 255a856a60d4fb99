// Histogram deltas and quantiles, against hand-computed values and a naive reference.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { histogramDelta, histogramQuantile, type Histogram } from '../../core/histogram.js';

const BOUNDS = [0.001, 0.002, 0.004, 0.008, 0.016, Infinity];

/** A cumulative histogram of the given observations over BOUNDS. */
function histogramOf(observations: readonly number[]): Histogram {
  return {
    buckets: BOUNDS.map((le) => ({
      le,
      count: observations.filter((value) => value <= le).length,
    })),
    sum: observations.reduce((total, value) => total + value, 0),
    count: observations.length,
  };
}

describe('histogramQuantile', () => {
  test('interpolates inside the bucket that holds the rank', () => {
    // 10 observations <= 1 ms, 10 more in (1, 2] ms: p75 is half-way through the second bucket.
    const histogram = histogramOf([
      ...Array<number>(10).fill(0.0005),
      ...Array<number>(10).fill(0.0015),
    ]);
    assert.equal(histogramQuantile(0.75, histogram), 0.0015);
    assert.equal(histogramQuantile(0.5, histogram), 0.001);
    assert.equal(histogramQuantile(0.25, histogram), 0.0005, 'the first bucket starts at 0');
  });

  test('a rank in the +Inf bucket gives the highest finite bound; no observations give undefined', () => {
    assert.equal(histogramQuantile(0.99, histogramOf([0.5, 0.5])), 0.016);
    assert.equal(histogramQuantile(0.99, histogramOf([])), undefined);
    assert.equal(histogramQuantile(1.5, histogramOf([0.001])), undefined);
  });

  test('law: the quantile lies within the bucket that holds the true quantile', () => {
    const observation = fc.constantFrom(0.0005, 0.0015, 0.003, 0.006, 0.012, 0.1);
    fc.assert(
      fc.property(
        fc.array(observation, { minLength: 1, maxLength: 200 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (values, q) => {
          const sorted = [...values].sort((a, b) => a - b);
          const truth = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
          const estimate = histogramQuantile(q, histogramOf(values));
          assert.ok(estimate !== undefined);
          const upper = BOUNDS.find((le) => truth <= le) ?? Infinity;
          const lower = [0, ...BOUNDS].filter((le) => le < upper).at(-1) ?? 0;
          assert.ok(
            estimate >= lower && estimate <= Math.min(upper, 0.016),
            `${estimate} outside [${lower}, ${upper}]`,
          );
        },
      ),
    );
  });
});

describe('histogramDelta', () => {
  test('the observations made between two scrapes', () => {
    const earlier = histogramOf([0.0005, 0.003]);
    const later = histogramOf([0.0005, 0.003, 0.012, 0.012]);
    assert.deepEqual(histogramDelta(earlier, later), histogramOf([0.012, 0.012]));
  });

  test('a counter reset (the member restarted) is undefined, not a negative count', () => {
    assert.equal(histogramDelta(histogramOf([0.001, 0.001]), histogramOf([0.001])), undefined);
  });
});
