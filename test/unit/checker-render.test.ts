// The table view of a CheckerResult: verdict line, facts, and the failing prefix timeline.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkHistory, type RecordedOperation } from '../../chaos/checker/index.js';
import {
  describeOperation,
  renderCheckerReport,
  TIMELINE_ROWS,
  type CheckerReport,
} from '../../cli/render/checker.js';

const base = { file: 'h.json', format: 'json', model: 'register', operationCount: 3 } as const;

function reportOf(operations: RecordedOperation[]): CheckerReport {
  const result = checkHistory({ model: 'register', operations }, { timeoutMs: 10_000 });
  return { ...base, operationCount: operations.length, ...result };
}

describe('renderCheckerReport', () => {
  it('a linearizable history: verdict, counts and time, nothing more', () => {
    const text = renderCheckerReport({
      ...base,
      verdict: 'linearizable',
      durationMs: 0.42,
      keys: 2,
    });
    assert.equal(
      text,
      'LINEARIZABLE: h.json\n  3 operations on 2 keys, register model, json format, checked in 0.42 ms\n',
    );
  });

  it('unknown: says why', () => {
    const text = renderCheckerReport({
      ...base,
      verdict: 'unknown',
      durationMs: 30_012,
      keys: 1,
      reason: 'the time budget of 30000 ms ran out while checking key "k"',
    });
    assert.match(text, /^UNKNOWN \(no verdict in time\): h\.json\n/);
    assert.match(text, /1 key, .*checked in 30\.01 s\n {2}the time budget of 30000 ms ran out/);
  });

  it('not linearizable: the failing prefix as a timeline, the last completion marked', () => {
    const text = renderCheckerReport(
      reportOf([
        {
          client: 1,
          key: 'k',
          op: 'write',
          value: '1',
          outcome: 'ok',
          invokeMs: 0,
          completeMs: 10,
        },
        {
          client: 2,
          key: 'k',
          op: 'write',
          value: '2',
          outcome: 'ok',
          invokeMs: 20,
          completeMs: 30,
        },
        { client: 3, key: 'k', op: 'cas', value: ['2', '3'], outcome: 'unknown', invokeMs: 35 },
        {
          client: 1,
          key: 'k',
          op: 'read',
          result: '1',
          outcome: 'ok',
          invokeMs: 40,
          completeMs: 50,
        },
      ]),
    );
    assert.doesNotMatch(text, /undefined|NaN|\[object/);
    const lines = text.split('\n');
    assert.equal(lines[0], 'NOT LINEARIZABLE: h.json');
    assert.match(text, /Key "k": the shortest failing prefix has 4 operations\./);
    const table = lines.slice(lines.findIndex((line) => line.startsWith('CLIENT')));
    assert.match(table[0] ?? '', /^CLIENT +TIMELINE +OPERATION +OUTCOME +MS$/);
    assert.match(table[1] ?? '', /^c1 +\[=*\] +write 1 +ok +0-10$/);
    assert.match(table[3] ?? '', /^c3 +\[\.+ +cas 2 -> 3 +unknown +35-$/);
    assert.match(table[4] ?? '', /read -> 1 +ok +40-50 +<- cannot be linearized/);
    // Bars start further right as time goes on.
    const starts = table.slice(1, 5).map((line) => line.indexOf('['));
    assert.deepEqual(
      [...starts].sort((a, b) => a - b),
      starts,
    );
  });

  it(`shows the last ${TIMELINE_ROWS} operations of a long prefix and says how many are left out`, () => {
    const writes: RecordedOperation[] = Array.from({ length: 30 }, (_, index) => ({
      client: 0,
      key: 'k',
      op: 'write',
      value: String(index),
      outcome: 'ok',
      invokeMs: index * 10,
      completeMs: index * 10 + 5,
    }));
    const text = renderCheckerReport(
      reportOf([
        ...writes,
        {
          client: 1,
          key: 'k',
          op: 'read',
          result: '3',
          outcome: 'ok',
          invokeMs: 400,
          completeMs: 401,
        },
      ]),
    );
    assert.match(text, /has 31 operations \(the first 11 are left out here; see -o json\)/);
    assert.equal(text.split('\n').filter((line) => /^c\d/.test(line)).length, TIMELINE_ROWS);
  });

  it('describes operations in the model’s terms', () => {
    const op = (fields: Partial<RecordedOperation>): RecordedOperation => ({
      client: 0,
      key: 'k',
      op: 'read',
      outcome: 'ok',
      invokeMs: 0,
      completeMs: 1,
      ...fields,
    });
    assert.equal(describeOperation(op({ result: null }), 'register'), 'read -> none');
    assert.equal(
      describeOperation(op({ op: 'cas', value: [null, '1'] }), 'register'),
      'cas none -> 1',
    );
    assert.equal(describeOperation(op({ op: 'get', result: 'x y' }), 'kv'), 'get -> "x y"');
    assert.equal(describeOperation(op({ op: 'append', value: 'x' }), 'kv'), 'append "x"');
    assert.equal(describeOperation(op({ outcome: 'unknown' }), 'register'), 'read');
  });
});
