// End to end: `quorumctl chaos check FILE` as an operator runs it: verdicts as exit codes
// 0 / 1 / 6, the JSON envelope, the failing prefix, and bad input as exit 2.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CheckerReport } from '../../cli/render/checker.js';
import type { RecordedOperation } from '../../chaos/checker/index.js';
import { createCliHome, REPO_ROOT, type CliHome } from '../support/cli.js';

const DATASET = join(REPO_ROOT, '..', 'shared', 'datasets', 'linearizability');

interface Envelope {
  kind: string;
  status: number;
  result?: CheckerReport;
  error?: { code: string; message: string; details: { file?: string; line?: number } };
}

const write = (client: number, value: string, invokeMs: number, completeMs: number) =>
  ({ client, key: 'k', op: 'write', value, outcome: 'ok', invokeMs, completeMs }) as const;
const read = (client: number, result: string, invokeMs: number, completeMs: number) =>
  ({ client, key: 'k', op: 'read', result, outcome: 'ok', invokeMs, completeMs }) as const;

describe('quorumctl chaos check', { timeout: 90_000 }, () => {
  let home: CliHome;
  const file = (name: string) => join(home.dir, name);
  before(async () => {
    home = await createCliHome();
  });
  after(async () => {
    await home.cleanup();
  });

  test('a linearizable history of ours: exit 0, the verdict in the table', async () => {
    await writeFile(
      file('ok.json'),
      JSON.stringify({ model: 'register', operations: [write(0, '1', 0, 5), read(1, '1', 6, 9)] }),
    );
    const result = await home.run(['chaos', 'check', file('ok.json')]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^LINEARIZABLE: .*ok\.json\n {2}2 operations on 1 key, register model, json format, checked in [\d.]+ m?s\n$/,
    );
  });

  test('a stale read: exit 1, the failing key and prefix in JSON; the prefix fails again', async () => {
    await writeFile(
      file('stale.json'),
      JSON.stringify({
        model: 'register',
        operations: [
          write(0, '1', 0, 5),
          write(1, '2', 6, 9),
          read(2, '1', 10, 12),
          read(0, '2', 13, 14),
        ],
      }),
    );
    const result = await home.run(['chaos', 'check', file('stale.json'), '-o', 'json']);
    assert.equal(result.code, 1, result.stderr);
    const envelope = JSON.parse(result.stdout) as Envelope;
    assert.equal(envelope.kind, 'CheckerResult');
    assert.equal(envelope.status, 1);
    const report = envelope.result as CheckerReport;
    assert.equal(report.verdict, 'not-linearizable');
    assert.equal(report.failingKey, 'k');
    assert.equal(typeof report.durationMs, 'number');
    assert.deepEqual(
      report.failingPrefix?.map((op: RecordedOperation) => op.value ?? op.result),
      ['1', '2', '1'],
    );
    await writeFile(
      file('prefix.json'),
      JSON.stringify({ model: 'register', operations: report.failingPrefix }),
    );
    const again = await home.run(['chaos', 'check', file('prefix.json'), '--json']);
    assert.equal(again.code, 1, again.stderr);
  });

  test('the Jepsen kv dataset: c10-bad exits 1 with a timeline, c10-ok exits 0', async () => {
    const bad = await home.run(['chaos', 'check', join(DATASET, 'c10-bad.txt'), '--model', 'kv']);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(
      bad.stdout,
      /^NOT LINEARIZABLE: .*c10-bad\.txt\n {2}405 operations on 10 keys, kv model, jepsen-edn format/,
    );
    assert.match(bad.stdout, /the shortest failing prefix has \d+ operations/);
    assert.match(bad.stdout, /CLIENT +TIMELINE +OPERATION +OUTCOME +LINES/);
    assert.match(bad.stdout, /<- cannot be linearized/);
    const ok = await home.run(['chaos', 'check', join(DATASET, 'c10-ok.txt'), '-o', 'yaml']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /kind: CheckerResult\n/);
    assert.match(ok.stdout, /verdict: linearizable\n/);
  });

  test('no verdict within --timeout: exit 6, UNKNOWN with the reason', async () => {
    // Fourteen concurrent appends and a get no order of them produces: every order is tried.
    const appends = Array.from({ length: 14 }, (_, client) => ({
      client,
      key: 'k',
      op: 'append',
      value: String.fromCharCode(97 + client),
      outcome: 'ok',
      invokeMs: 0,
      completeMs: 100,
    }));
    const get = {
      client: 20,
      key: 'k',
      op: 'get',
      result: 'nope',
      outcome: 'ok',
      invokeMs: 101,
      completeMs: 102,
    };
    await writeFile(
      file('hard.json'),
      JSON.stringify({ model: 'kv', operations: [...appends, get] }),
    );
    const result = await home.run([
      'chaos',
      'check',
      file('hard.json'),
      '--timeout',
      '300ms',
      '-o',
      'json',
    ]);
    assert.equal(result.code, 6, result.stderr);
    const report = (JSON.parse(result.stdout) as Envelope).result as CheckerReport;
    assert.equal(report.verdict, 'unknown');
    assert.match(report.reason ?? '', /time budget of 300 ms ran out/);
  });

  test('bad input: exit 2 naming file and line, no stack trace', async () => {
    await writeFile(
      file('broken.edn'),
      '{:process 0, :type :invoke, :f :get, :key "1", :value nil}\n{:process 0, :type :ok, :f :get, :key "1" :value}\n',
    );
    const table = await home.run(['chaos', 'check', file('broken.edn')]);
    assert.equal(table.code, 2);
    assert.ok(
      table.stderr.startsWith(`Error (HISTORY_INVALID): ${file('broken.edn')}:2: not an EDN map`),
      table.stderr,
    );
    assert.doesNotMatch(table.stderr, /\n\s+at /);

    const json = await home.run(['chaos', 'check', file('missing.json'), '-o', 'json']);
    assert.equal(json.code, 2);
    const envelope = JSON.parse(json.stdout) as Envelope;
    assert.equal(envelope.error?.code, 'HISTORY_UNREADABLE');

    const model = await home.run([
      'chaos',
      'check',
      join(DATASET, 'c01-ok.txt'),
      '--model',
      'register',
    ]);
    assert.equal(model.code, 2);
    assert.match(model.stderr, /"append" is not an operation of the register model/);

    const timeout = await home.run(['chaos', 'check', file('ok.json'), '--timeout', 'soon']);
    assert.equal(timeout.code, 2);
    assert.match(timeout.stderr, /--timeout "soon" is not a duration/);
  });
});
