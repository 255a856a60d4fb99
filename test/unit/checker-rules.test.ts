// The linearizability checker on tiny hand-made histories, one rule each.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../core/errors.js';
import {
  checkHistory,
  type ModelName,
  type RecordedOperation,
  type Verdict,
} from '../../chaos/checker/index.js';
import { historyAt } from '../../chaos/checker/failing-prefix.js';

type Fields = Pick<RecordedOperation, 'op'> & Partial<RecordedOperation>;

/** `[invokeMs, completeMs]`; completeMs null = never completed (unknown outcome). */
function op(interval: [number, number | null], fields: Fields): RecordedOperation {
  const [invokeMs, completeMs] = interval;
  return {
    client: 0,
    key: 'k',
    outcome: completeMs === null ? 'unknown' : 'ok',
    invokeMs,
    ...(completeMs === null ? {} : { completeMs }),
    ...fields,
  };
}
const write = (
  interval: [number, number | null],
  value: string,
  extra: Partial<RecordedOperation> = {},
) => op(interval, { op: 'write', value, ...extra });
const read = (
  interval: [number, number],
  result: string | null,
  extra: Partial<RecordedOperation> = {},
) => op(interval, { op: 'read', result, ...extra });
const cas = (
  interval: [number, number | null],
  expected: string | null,
  next: string,
  extra: Partial<RecordedOperation> = {},
) => op(interval, { op: 'cas', value: [expected, next], ...extra });

function verdictOf(operations: RecordedOperation[], model: ModelName = 'register'): Verdict {
  return checkHistory({ model, operations }, { timeoutMs: 10_000 }).verdict;
}

describe('register: reads and writes', () => {
  it('a read after a write sees it; an unset register reads as no value', () => {
    assert.equal(
      verdictOf([read([0, 1], null), write([2, 3], '1'), read([4, 5], '1')]),
      'linearizable',
    );
  });

  it('a stale read (an older value after a newer write completed) is not linearizable', () => {
    const history = [write([0, 1], '1'), write([2, 3], '2'), read([4, 5], '1')];
    const result = checkHistory({ model: 'register', operations: history }, { timeoutMs: 10_000 });
    assert.equal(result.verdict, 'not-linearizable');
    assert.equal(result.failingKey, 'k');
    assert.deepEqual(result.failingPrefix, history);
  });

  it('a lost write (no value after an acknowledged write) is not linearizable', () => {
    assert.equal(verdictOf([write([0, 1], '1'), read([2, 3], null)]), 'not-linearizable');
  });

  it('concurrent writes may take effect in either order, but only one order for everyone', () => {
    const writes = [write([0, 10], '1', { client: 1 }), write([1, 9], '2', { client: 2 })];
    assert.equal(verdictOf([...writes, read([11, 12], '1')]), 'linearizable');
    assert.equal(verdictOf([...writes, read([11, 12], '2')]), 'linearizable');
    assert.equal(
      verdictOf([...writes, read([11, 12], '1'), read([13, 14], '2')]),
      'not-linearizable',
    );
  });

  it('a read concurrent with a write may see the old or the new value', () => {
    const before = [write([0, 1], '1'), write([2, 6], '2', { client: 1 })];
    assert.equal(verdictOf([...before, read([3, 4], '1')]), 'linearizable');
    assert.equal(verdictOf([...before, read([3, 4], '2')]), 'linearizable');
    // ...but once it has read the new value, a later read cannot see the old one.
    assert.equal(
      verdictOf([...before, read([3, 4], '2'), read([4.5, 5], '1', { client: 2 })]),
      'not-linearizable',
    );
  });

  it('intervals are closed: an operation invoked the instant another completes overlaps it', () => {
    assert.equal(verdictOf([write([0, 5], '1'), read([5, 6], null)]), 'linearizable');
    assert.equal(verdictOf([write([0, 5], '1'), read([5.001, 6], null)]), 'not-linearizable');
  });
});

describe('register: compare-and-swap', () => {
  it('swaps when the current value is the expected one (null: no value yet)', () => {
    assert.equal(verdictOf([cas([0, 1], null, '1'), read([2, 3], '1')]), 'linearizable');
    assert.equal(
      verdictOf([write([0, 1], '1'), cas([2, 3], '1', '2'), read([4, 5], '2')]),
      'linearizable',
    );
  });

  it('an acknowledged swap whose expected value was not current is not linearizable', () => {
    assert.equal(verdictOf([write([0, 1], '1'), cas([2, 3], '0', '2')]), 'not-linearizable');
    assert.equal(verdictOf([cas([0, 1], '1', '2')]), 'not-linearizable');
  });

  it('a failed swap had no effect', () => {
    const failed = cas([2, 3], '1', '2', { outcome: 'fail' });
    assert.equal(verdictOf([write([0, 1], '1'), failed, read([4, 5], '1')]), 'linearizable');
    assert.equal(verdictOf([write([0, 1], '1'), failed, read([4, 5], '2')]), 'not-linearizable');
  });

  it('an unknown swap may have happened, later, or not at all', () => {
    const unknown = cas([2, null], '1', '2');
    const base = [write([0, 1], '1'), unknown];
    assert.equal(verdictOf([...base, read([4, 5], '1'), read([6, 7], '2')]), 'linearizable');
    assert.equal(verdictOf([...base, read([4, 5], '1')]), 'linearizable');
    assert.equal(verdictOf([...base, read([4, 5], '2'), read([6, 7], '1')]), 'not-linearizable');
    // An unknown swap whose compare cannot match never takes effect.
    assert.equal(
      verdictOf([write([0, 1], '3'), cas([2, null], '1', '2'), read([4, 5], '2')]),
      'not-linearizable',
    );
  });
});

describe('unknown and failed operations', () => {
  it('an unknown write may take effect at any time after its invocation', () => {
    const base = [write([0, 1], '1'), write([2, null], '2', { client: 1 })];
    assert.equal(verdictOf([...base, read([5, 6], '2')]), 'linearizable');
    assert.equal(verdictOf([...base, read([5, 6], '1'), read([7, 8], '2')]), 'linearizable');
    assert.equal(verdictOf([...base, read([50, 60], '1'), read([70, 80], '2')]), 'linearizable');
  });

  it('an unknown write may never take effect', () => {
    assert.equal(
      verdictOf([write([0, 1], '1'), write([2, null], '2', { client: 1 }), read([5, 6], '1')]),
      'linearizable',
    );
  });

  it('an unknown write cannot take effect before it was invoked, nor be undone', () => {
    assert.equal(verdictOf([read([0, 1], '2'), write([2, null], '2')]), 'not-linearizable');
    assert.equal(
      verdictOf([
        write([0, 1], '1'),
        write([2, null], '2', { client: 1 }),
        read([5, 6], '2'),
        read([7, 8], '1'),
      ]),
      'not-linearizable',
    );
  });

  it('a failed write had no effect', () => {
    assert.equal(
      verdictOf([write([0, 1], '2', { outcome: 'fail' }), read([3, 4], null)]),
      'linearizable',
    );
    assert.equal(
      verdictOf([write([0, 1], '2', { outcome: 'fail' }), read([3, 4], '2')]),
      'not-linearizable',
    );
  });

  it('failed and unknown reads say nothing', () => {
    const readNothing = { op: 'read', outcome: 'fail', result: '9' } as const;
    assert.equal(
      verdictOf([write([0, 1], '1'), op([2, 3], readNothing), op([4, null], { op: 'read' })]),
      'linearizable',
    );
  });
});

describe('kv: get, put, append', () => {
  const kv = (operations: RecordedOperation[]) => verdictOf(operations, 'kv');
  const append = (interval: [number, number | null], value: string, client = 0) =>
    op(interval, { op: 'append', value, client });
  const get = (interval: [number, number], result: string) => op(interval, { op: 'get', result });

  it('an unset key reads as ""; appends concatenate; put replaces', () => {
    assert.equal(
      kv([
        get([0, 1], ''),
        append([2, 3], 'a'),
        append([4, 5], 'b'),
        get([6, 7], 'ab'),
        op([8, 9], { op: 'put', value: 'z' }),
        get([10, 11], 'z'),
      ]),
      'linearizable',
    );
  });

  it('concurrent appends land in some one order', () => {
    const appends = [append([0, 10], 'a', 1), append([1, 9], 'b', 2)];
    assert.equal(kv([...appends, get([11, 12], 'ab')]), 'linearizable');
    assert.equal(kv([...appends, get([11, 12], 'ba')]), 'linearizable');
    assert.equal(kv([...appends, get([11, 12], 'a')]), 'not-linearizable');
    assert.equal(kv([...appends, get([11, 12], 'aab')]), 'not-linearizable');
  });

  it('keys are independent: the violation is reported on its own key', () => {
    const history = [
      { ...append([0, 1], 'a'), key: 'x' },
      { ...append([0, 1], 'a'), key: 'y' },
      { ...get([2, 3], 'a'), key: 'x' },
      { ...get([2, 3], ''), key: 'y' },
    ];
    const result = checkHistory({ model: 'kv', operations: history }, { timeoutMs: 10_000 });
    assert.equal(result.verdict, 'not-linearizable');
    assert.equal(result.keys, 2);
    assert.equal(result.failingKey, 'y');
  });
});

describe('shortest failing prefix', () => {
  it('is cut at the first completion that cannot be linearized, and fails on its own', () => {
    const history = [
      write([0, 1], '1'),
      write([2, 3], '2', { client: 1 }),
      write([3.5, 20], '5', { client: 2 }),
      read([4, 5], '1'),
      read([6, 7], '2'),
      write([8, 9], '3'),
      read([10, 11], '3'),
    ];
    const result = checkHistory({ model: 'register', operations: history }, { timeoutMs: 10_000 });
    assert.equal(result.verdict, 'not-linearizable');
    const prefix = result.failingPrefix ?? [];
    assert.deepEqual(
      prefix.map((entry) => [entry.op, entry.value ?? entry.result, entry.outcome]),
      [
        ['write', '1', 'ok'],
        ['write', '2', 'ok'],
        ['write', '5', 'unknown'],
        ['read', '1', 'ok'],
      ],
    );
    assert.equal(verdictOf(prefix), 'not-linearizable');
    // One completion earlier, it is linearizable.
    assert.equal(verdictOf(historyAt(history, 3)), 'linearizable');
  });
});

describe('time budget', () => {
  // Fourteen concurrent appends and a get no order can produce: every order must be tried.
  const hopeless: RecordedOperation[] = [
    ...Array.from({ length: 14 }, (_, client) =>
      op([0, 100], { op: 'append', value: String.fromCharCode(97 + client), client }),
    ),
    op([101, 102], { op: 'get', result: 'impossible' }),
  ];

  it('past the budget the verdict is unknown, with the reason', () => {
    let nowMs = 0;
    const result = checkHistory(
      { model: 'kv', operations: hopeless },
      { timeoutMs: 50 },
      { now: () => (nowMs += 1) },
    );
    assert.equal(result.verdict, 'unknown');
    assert.match(result.reason ?? '', /time budget of 50 ms ran out while checking key "k"/);
    assert.equal(result.failingKey, undefined);
    assert.ok(result.durationMs >= 50, `durationMs ${result.durationMs}`);
  });

  it('on the real clock too, without hanging', () => {
    const started = performance.now();
    const result = checkHistory({ model: 'kv', operations: hopeless }, { timeoutMs: 100 });
    assert.equal(result.verdict, 'unknown');
    assert.ok(performance.now() - started < 5_000);
  });

  it('a definite violation on another key, checked after the timeout, still counts', () => {
    // More operations than the hopeless key, so it is checked after it; sequential, so it
    // is decided in a few steps, before the next clock reading.
    const violation = [
      ...Array.from({ length: 20 }, (_, index) => ({
        ...op([index * 2, index * 2 + 1], { op: 'append', value: 'a' }),
        key: 'other',
      })),
      { ...op([50, 51], { op: 'get', result: '' }), key: 'other' },
    ];
    let nowMs = 0;
    const result = checkHistory(
      { model: 'kv', operations: [...hopeless, ...violation] },
      { timeoutMs: 50 },
      { now: () => (nowMs += 1) },
    );
    assert.equal(result.verdict, 'not-linearizable');
    assert.equal(result.failingKey, 'other');
  });
});

describe('input the models cannot replay', () => {
  it('refuses kv operations in a register history, naming the operation', () => {
    assert.throws(
      () => verdictOf([op([0, 1], { op: 'get', result: '' })], 'register'),
      (error: unknown) =>
        error instanceof UsageError &&
        /operation 0 .*"get" is not an operation of the register model/.test(error.message) &&
        error.actions.some((action) => action.includes('--model kv')),
    );
  });

  it('refuses an acknowledged operation without a completion time, or one before its call', () => {
    assert.throws(
      () => verdictOf([op([5, 1], { op: 'write', value: '1' })]),
      /completeMs is before invokeMs/,
    );
    const noCompletion: RecordedOperation = {
      client: 0,
      key: 'k',
      op: 'write',
      value: '1',
      outcome: 'ok',
      invokeMs: 0,
    };
    assert.throws(() => verdictOf([noCompletion]), /needs completeMs/);
  });
});
