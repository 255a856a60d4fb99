// Nearest-rank percentiles, median and latency summaries of the host probes (ops/host/percentiles).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { median, percentile, summarizeLatencies } from '../../ops/host/percentiles.js';

const oneToHundred = Array.from({ length: 100 }, (_unused, index) => index + 1);

describe('percentile (nearest rank)', () => {
  test('of 1..100 is the rank itself', () => {
    assert.equal(percentile(oneToHundred, 0.5), 50);
    assert.equal(percentile(oneToHundred, 0.99), 99);
    assert.equal(percentile(oneToHundred, 1), 100);
    assert.equal(percentile(oneToHundred, 0), 1);
  });

  test('does not depend on the order of the samples and never interpolates', () => {
    const shuffled = [...oneToHundred].reverse();
    assert.equal(percentile(shuffled, 0.99), 99);
    assert.equal(percentile([1, 10], 0.5), 1);
    assert.equal(percentile([1, 10], 0.51), 10);
  });

  test('p99 of fewer than 100 samples is the maximum', () => {
    assert.equal(percentile([0.2, 5, 0.3, 0.1], 0.99), 5);
  });

  test('a single slow fdatasync in 1000 does not move p99, eleven do', () => {
    const fast = Array.from({ length: 1000 }, () => 0.2);
    assert.equal(percentile([...fast.slice(1), 50], 0.99), 0.2);
    assert.equal(
      percentile([...fast.slice(11), ...Array.from({ length: 11 }, () => 50)], 0.99),
      50,
    );
  });

  test('is undefined without samples or for a q outside 0..1', () => {
    assert.equal(percentile([], 0.5), undefined);
    assert.equal(percentile([1], 1.5), undefined);
    assert.equal(percentile([1], -0.1), undefined);
    assert.equal(percentile([1], Number.NaN), undefined);
  });
});

describe('median', () => {
  test('is the middle sample, or the mean of the two middle ones', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
    assert.equal(median([]), undefined);
  });
});

describe('summarizeLatencies', () => {
  test('gives count, p50, p99 and max', () => {
    assert.deepEqual(summarizeLatencies(oneToHundred), {
      samples: 100,
      p50Ms: 50,
      p99Ms: 99,
      maxMs: 100,
    });
  });

  test('handles 200 000 samples (a long probe), which a spread into Math.max cannot', () => {
    const samples = Array.from({ length: 200_000 }, (_unused, index) => index % 1000);
    assert.equal(summarizeLatencies(samples)?.maxMs, 999);
  });

  test('is undefined without samples', () => {
    assert.equal(summarizeLatencies([]), undefined);
  });
});
