// Every history of the external dataset (../shared/datasets/linearizability) gets the verdict
// its authors recorded. The dataset is required: a missing directory fails, never skips.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkHistory, readHistoryFile, type Verdict } from '../../chaos/checker/index.js';
import { REPO_ROOT } from '../support/cli.js';

const DATASET = join(REPO_ROOT, '..', 'shared', 'datasets', 'linearizability');
const JEPSEN_ETCD = join(DATASET, 'jepsen-etcd');
/** Generous: a verdict must be reached, never an UNKNOWN. */
const BUDGET_MS = 60_000;

function expectedEtcdVerdicts(): [file: string, verdict: Verdict][] {
  const table = join(JEPSEN_ETCD, 'EXPECTED.tsv');
  if (!existsSync(table)) return [];
  return readFileSync(table, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [file = '', verdict = ''] = line.split('\t');
      return [file, verdict.trim() as Verdict];
    });
}

/** The README places the kv files under kv/; the copy here has them at the top level. */
function kvPath(name: string): string {
  const nested = join(DATASET, 'kv', name);
  return existsSync(nested) ? nested : join(DATASET, name);
}

async function check(path: string) {
  const { history } = await readHistoryFile(path, { format: 'auto' });
  return { history, result: checkHistory(history, { timeoutMs: BUDGET_MS }) };
}

describe('linearizability dataset', () => {
  const etcd = expectedEtcdVerdicts();

  it('is present, with EXPECTED.tsv and the kv histories', () => {
    assert.ok(existsSync(DATASET), `the dataset is missing: ${DATASET}`);
    assert.ok(etcd.length >= 50, `EXPECTED.tsv lists ${etcd.length} histories`);
    assert.ok(etcd.some(([, verdict]) => verdict === 'linearizable'));
    assert.ok(etcd.some(([, verdict]) => verdict === 'not-linearizable'));
    for (const name of ['c01-ok.txt', 'c01-bad.txt', 'c10-ok.txt', 'c10-bad.txt']) {
      assert.ok(existsSync(kvPath(name)), `${name} is missing`);
    }
  });

  describe('Jepsen etcd register histories', () => {
    for (const [file, expected] of etcd) {
      it(`${file}: ${expected}`, async () => {
        const { history, result } = await check(join(JEPSEN_ETCD, file));
        assert.equal(history.model, 'register');
        assert.equal(result.verdict, expected);
        if (expected === 'not-linearizable') {
          assert.ok((result.failingPrefix?.length ?? 0) > 0);
          // The prefix reported is itself a failing history.
          const again = checkHistory(
            { model: 'register', operations: result.failingPrefix ?? [] },
            { timeoutMs: BUDGET_MS },
          );
          assert.equal(again.verdict, 'not-linearizable');
        }
      });
    }
  });

  describe('Jepsen kv histories, partitioned by key', () => {
    for (const name of ['c01-ok', 'c01-bad', 'c10-ok', 'c10-bad']) {
      const expected: Verdict = name.endsWith('-ok') ? 'linearizable' : 'not-linearizable';
      it(`${name}: ${expected}`, async () => {
        const { history, result } = await check(kvPath(`${name}.txt`));
        assert.equal(history.model, 'kv');
        assert.equal(result.verdict, expected);
        assert.ok(result.keys > 1, 'checked key by key');
        // The issue asks for under 1 s; the loose bound leaves room for a loaded machine
        // (docs/chaos-checker.md has the measured figure).
        assert.ok(result.durationMs < 5_000, `${name} took ${result.durationMs} ms`);
      });
    }
  });
});
