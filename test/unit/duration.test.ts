// parseDuration: operator-friendly durations to milliseconds.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';

function durationError(value: string): UsageError {
  try {
    parseDuration(value, '--timeout');
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected DURATION_INVALID for "${value}"`);
}

describe('parseDuration', () => {
  test('each unit', () => {
    assert.equal(parseDuration('500ms', '--timeout'), 500);
    assert.equal(parseDuration('3s', '--timeout'), 3000);
    assert.equal(parseDuration('2m', '--timeout'), 120_000);
    assert.equal(parseDuration('1h', '--timeout'), 3_600_000);
  });

  test('fractions and surrounding blanks', () => {
    assert.equal(parseDuration('1.5s', '--timeout'), 1500);
    assert.equal(parseDuration('0.5m', '--timeout'), 30_000);
    assert.equal(parseDuration(' 3s ', '--timeout'), 3000);
  });

  test('property: N<unit> is N times the unit in milliseconds', () => {
    const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom(...(['ms', 's', 'm', 'h'] as const)),
        (amount, unit) => {
          fc.pre(amount * units[unit] <= 2 ** 31 - 1);
          assert.equal(parseDuration(`${amount}${unit}`, '--interval'), amount * units[unit]);
        },
      ),
    );
  });

  test('invalid durations are UsageError DURATION_INVALID naming the flag', () => {
    for (const value of [
      '0s',
      '0ms',
      '-1s',
      '3',
      '3x',
      '',
      's',
      '1.s',
      '1 s',
      '1e3ms',
      '3S',
      '597h',
    ]) {
      const error = durationError(value);
      assert.equal(error.code, 'DURATION_INVALID', value);
      assert.equal(error.message, `--timeout "${value}" is not a duration between 1ms and 24 days`);
      assert.equal(error.exitCode, 2);
      assert.match(error.actions[0] ?? '', /500ms, 3s, 2m or 1h \(e\.g\. --timeout 5s\)$/);
    }
  });

  test('a positive duration never rounds down to 0 ms', () => {
    let result: number | undefined;
    try {
      result = parseDuration('0.4ms', '--interval');
    } catch (error) {
      assert.ok(error instanceof UsageError);
      assert.equal(error.code, 'DURATION_INVALID');
      return;
    }
    assert.ok(result > 0, `"0.4ms" parsed as ${result} ms`);
  });
});
