// History parsers: our JSON, Jepsen etcd logs and Jepsen EDN; detection; errors with file:line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../core/errors.js';
import { detectFormat, parseHistory, type HistoryFormat } from '../../chaos/checker/index.js';

const parse = (text: string, format: HistoryFormat = 'auto', model?: 'register' | 'kv') =>
  parseHistory(text, { fileName: 'h.txt', format, ...(model === undefined ? {} : { model }) });

function rejects(text: string, pattern: RegExp, format: HistoryFormat = 'auto', line?: number) {
  assert.throws(
    () => parse(text, format),
    (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.equal(error.code, 'HISTORY_INVALID');
      assert.match(error.message, pattern);
      if (line !== undefined) {
        assert.match(error.message, new RegExp(`^h\\.txt:${line}: `));
        assert.equal(error.details.line, line);
      }
      assert.ok(error.actions.length > 0);
      return true;
    },
  );
}

const LOG_PREFIX = 'INFO  jepsen.util -';
const log = (...events: string[]) => events.map((event) => `${LOG_PREFIX} ${event}`).join('\n');

describe('Jepsen etcd logs', () => {
  it('pairs events per process; line numbers are the clock; noise is skipped', () => {
    const text = [
      'INFO  jepsen.core - Running test',
      log(
        '0\t:invoke\t:write\t3',
        '1\t:invoke\t:read\tnil',
        '0\t:ok\t:write\t3',
        '1\t:ok\t:read\t3',
      ),
      `${LOG_PREFIX} :nemesis\t:info\t:start\tnil`,
      log(
        '2\t:invoke\t:cas\t[3 4]',
        '2\t:fail\t:cas\t[3 4]',
        '3\t:invoke\t:read\tnil',
        '3\t:ok\t:read\tnil',
      ),
    ].join('\n');
    const { history, format } = parse(text);
    assert.equal(format, 'jepsen-log');
    assert.equal(history.model, 'register');
    assert.deepEqual(history.operations, [
      { client: 0, key: '', op: 'write', value: '3', outcome: 'ok', invokeMs: 2, completeMs: 4 },
      { client: 1, key: '', op: 'read', outcome: 'ok', invokeMs: 3, completeMs: 5, result: '3' },
      {
        client: 2,
        key: '',
        op: 'cas',
        value: ['3', '4'],
        outcome: 'fail',
        invokeMs: 7,
        completeMs: 8,
      },
      { client: 3, key: '', op: 'read', outcome: 'ok', invokeMs: 9, completeMs: 10, result: null },
    ]);
  });

  it(':info and invocations that never complete are unknown, with the invoked value', () => {
    const { history } = parse(
      log('4\t:invoke\t:write\t1', '4\t:info\t:write\t:timed-out', '9\t:invoke\t:cas\t[1 2]'),
    );
    assert.deepEqual(history.operations, [
      { client: 4, key: '', op: 'write', value: '1', outcome: 'unknown', invokeMs: 1 },
      { client: 9, key: '', op: 'cas', value: ['1', '2'], outcome: 'unknown', invokeMs: 3 },
    ]);
  });

  it('names the line of a completion without an invocation, or a second invocation', () => {
    rejects(
      log('0\t:invoke\t:read\tnil', '1\t:ok\t:read\t3'),
      /process 1 completes a read it never invoked/,
      'auto',
      2,
    );
    rejects(
      log('0\t:invoke\t:read\tnil', '0\t:invoke\t:write\t1'),
      /process 0 invokes write while its read from line 1 has not completed/,
      'auto',
      2,
    );
    rejects(
      log('0\t:invoke\t:read\tnil', '0\t:ok\t:write\t1'),
      /completes write .* but invoked read/,
      'auto',
      2,
    );
  });

  it('names the line of an unknown operation or an unreadable value', () => {
    rejects(log('0\t:invoke\t:add\t1'), /unknown operation :add/, 'auto', 1);
    rejects(log('0\t:invoke\t:write\t[1'), /cannot read the value "\[1"/, 'auto', 1);
    rejects(log('0\t:invoke\t:cas\t5'), /cas needs a value \[from to\]/, 'auto', 1);
  });
});

describe('Jepsen EDN', () => {
  it('reads kv maps, keys and strings with escapes; nil; commas are whitespace', () => {
    const text = [
      '{:process 0, :type :invoke, :f :append, :key "1", :value "x \\"q\\" y"}',
      '',
      '{:process 1, :type :invoke, :f :get, :key "1", :value nil}',
      '{:process 0, :type :ok, :f :append, :key "1", :value "x \\"q\\" y"}',
      '{:process 1, :type :ok, :f :get, :key "1", :value ""}',
      '{:process :nemesis, :type :info, :f :start, :value nil}',
    ].join('\n');
    const { history, format } = parse(text);
    assert.equal(format, 'jepsen-edn');
    assert.equal(history.model, 'kv');
    assert.deepEqual(history.operations, [
      {
        client: 0,
        key: '1',
        op: 'append',
        value: 'x "q" y',
        outcome: 'ok',
        invokeMs: 1,
        completeMs: 4,
      },
      { client: 1, key: '1', op: 'get', outcome: 'ok', invokeMs: 3, completeMs: 5, result: '' },
    ]);
  });

  it('reads register maps with numbers, pairs and :time in nanoseconds', () => {
    const text = [
      '{:type :invoke, :f :cas, :value [1 2], :process 3, :time 2000000}',
      '{:type :ok, :f :cas, :value [1 2], :process 3, :time 5000000}',
    ].join('\n');
    const { history } = parse(text);
    assert.equal(history.model, 'register');
    assert.deepEqual(history.operations, [
      {
        client: 3,
        key: '',
        op: 'cas',
        value: ['1', '2'],
        outcome: 'ok',
        invokeMs: 2,
        completeMs: 5,
      },
    ]);
  });

  it('names the line and what is wrong', () => {
    rejects(
      '{:process 0, :type :invoke, :f :get, :key "1", :value nil}\n{:process 0 :type',
      /not an EDN map: .*no value|expected/,
      'jepsen-edn',
      2,
    );
    rejects(
      '{:process 0, :type :invoke, :f :get, :key "1 :value nil}',
      /the string at column \d+ is not closed/,
      'auto',
      1,
    );
    rejects(
      '{:process 0, :type :begin, :f :get}',
      /:type must be :invoke, :ok, :fail or :info/,
      'auto',
      1,
    );
    rejects('{:process 0, :type :invoke, :f :delete}', /:f must be one of/, 'auto', 1);
    rejects('{:type :invoke, :f :get}', /the map has no :process/, 'auto', 1);
    rejects(
      '{:process 0, :type :invoke, :f :get} trailing',
      /unexpected text after the map/,
      'auto',
      1,
    );
  });
});

describe('our JSON', () => {
  const operation = {
    client: 1,
    key: 'k',
    op: 'write',
    value: 'v',
    outcome: 'ok',
    invokeMs: 1,
    completeMs: 2,
  };

  it('reads a bare history, one in an envelope, and one under "history"', () => {
    for (const document of [
      { model: 'register', operations: [operation] },
      {
        apiVersion: 'quorumctl/v1',
        kind: 'DrillReport',
        result: { history: { model: 'register', operations: [operation] } },
      },
      [operation],
    ]) {
      const { history, format } = parse(JSON.stringify(document, null, 2));
      assert.equal(format, 'json');
      assert.equal(history.model, 'register');
      assert.deepEqual(history.operations, [operation]);
    }
  });

  it('--model overrides the file; a mixed history needs it', () => {
    const text = JSON.stringify({ model: 'register', operations: [operation] });
    assert.equal(parse(text, 'auto', 'kv').history.model, 'kv');
    const mixed = [operation, { ...operation, op: 'append' }];
    rejects(JSON.stringify(mixed), /mixes register and kv operations/);
  });

  it('names the line of the operation that is wrong, and JSON syntax errors', () => {
    const text = JSON.stringify(
      { model: 'kv', operations: [operation, { ...operation, outcome: 'maybe' }] },
      null,
      2,
    );
    const line = text.split('\n').findIndex((content) => content.includes('"maybe"'));
    // The operation object starts a few lines above its "outcome" field.
    assert.throws(
      () => parse(text),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, /operations\[1\]: "outcome" must be ok, fail or unknown/);
        const reported = Number(/^h\.txt:(\d+):/.exec(error.message)?.[1]);
        assert.ok(reported <= line + 1 && reported >= line - 8, `line ${reported} vs ${line + 1}`);
        return true;
      },
    );
    rejects('{\n  "model": "kv",\n  "operations": [\n  }', /not valid JSON/, 'auto', 4);
    rejects('{"model": "queue", "operations": []}', /"model" must be "register" or "kv"/);
    rejects('{"something": 1}', /no history found/);
  });
});

describe('format detection', () => {
  it('tells the formats apart by content, and asks for --format otherwise', () => {
    const source = { fileName: 'h.txt' };
    assert.equal(detectFormat('  {"model": "kv"}', source), 'json');
    assert.equal(detectFormat('[]', source), 'json');
    assert.equal(detectFormat('{:process 0}', source), 'jepsen-edn');
    assert.equal(detectFormat(`noise\n${log('0\t:invoke\t:read\tnil')}`, source), 'jepsen-log');
    rejects('hello world', /cannot tell the history format/);
    rejects('   \n', /the file is empty/);
  });
});
