// The workload driver: one operation in flight per client, unknown on timeout (and a new
// client id afterwards), unique written values, acknowledged writes with their receipts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_WORKLOAD } from '../../chaos/drills/scenario.js';
import type { KeyValueClient } from '../../chaos/workload/client.js';
import { startWorkload } from '../../chaos/workload/driver.js';
import { seededRandom, weightedChoice } from '../../chaos/workload/random.js';

/** Writes succeed, except the `hangAt`-th write of client 0, which never answers. */
function scriptedClient(index: number, hangAt: number): KeyValueClient {
  let writes = 0;
  return {
    read: () => Promise.resolve({ outcome: 'fail', error: 'ECONNREFUSED' }),
    write: (_key, value) => {
      writes++;
      if (index === 0 && writes === hangAt) return new Promise(() => undefined);
      return Promise.resolve({ outcome: 'ok', receipt: `r/${value}` });
    },
    cas: () => Promise.resolve({ outcome: 'fail', error: 'compare failed' }),
    close: () => Promise.resolve(),
  };
}

describe('startWorkload', () => {
  test('records every operation; an unanswered write is unknown and its client goes on under a new id', async () => {
    const t0 = performance.now();
    const workload = await startWorkload({
      spec: {
        ...DEFAULT_WORKLOAD,
        clients: 2,
        keys: 2,
        thinkMs: 1,
        opTimeoutMs: 60,
        mix: { read: 1, write: 3, cas: 1 },
      },
      keys: ['k0', 'k1'],
      clock: () => performance.now() - t0,
      seed: 5,
      openClient: (index) => Promise.resolve(scriptedClient(index, 2)),
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const result = await workload.stop();
    const unknown = result.operations.filter((operation) => operation.outcome === 'unknown');
    assert.equal(unknown.length, 1);
    assert.equal(unknown[0]?.client, 0);
    assert.equal(unknown[0]?.completeMs, undefined);
    assert.ok(
      result.operations.some((operation) => operation.client === 2),
      'client 0 continues as client 2 (0 + 2 clients)',
    );
    // Never two overlapping operations under one id.
    for (const id of new Set(result.operations.map((operation) => operation.client))) {
      const mine = result.operations.filter((operation) => operation.client === id);
      for (let index = 1; index < mine.length; index++)
        assert.ok((mine[index - 1]?.completeMs ?? Infinity) <= (mine[index]?.invokeMs ?? 0));
    }
    const values = result.operations
      .filter((operation) => operation.op === 'write')
      .map((operation) => operation.value);
    assert.equal(new Set(values).size, values.length, 'written values are unique');
    assert.ok(result.acknowledged.length > 0);
    for (const write of result.acknowledged) assert.equal(write.receipt, `r/${write.value}`);
    assert.ok(result.answerErrors['read: ECONNREFUSED'] !== undefined);
    assert.equal(
      Object.keys(result.answerErrors).some((reason) => reason.includes('compare failed')),
      false,
      'a CAS whose comparison failed is not an error',
    );
    assert.ok(result.answerErrors['write: no answer within 60 ms'] === 1);
  });

  test('a CAS expects what the client last saw of the key', async () => {
    const seen: (string | null)[] = [];
    const client: KeyValueClient = {
      read: () => Promise.resolve({ outcome: 'ok', result: 'from-read' }),
      write: () => Promise.resolve({ outcome: 'ok', receipt: 'r' }),
      cas: (_key, expected) => {
        seen.push(expected);
        return Promise.resolve({ outcome: 'fail', error: 'compare failed' });
      },
      close: () => Promise.resolve(),
    };
    const workload = await startWorkload({
      spec: { ...DEFAULT_WORKLOAD, clients: 1, thinkMs: 0 },
      keys: ['k0'],
      clock: () => performance.now(),
      seed: 1,
      openClient: () => Promise.resolve(client),
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await workload.stop();
    assert.ok(seen.length > 0);
    assert.ok(
      seen.every(
        (expected) => expected === null || expected === 'from-read' || expected.startsWith('w0-'),
      ),
    );
  });
});

describe('seeded choices', () => {
  test('the same seed gives the same sequence; weights are respected', () => {
    const a = seededRandom(9);
    const b = seededRandom(9);
    assert.deepEqual([a(), a(), a()], [b(), b(), b()]);
    const random = seededRandom(3);
    const counts = [0, 0, 0];
    for (let index = 0; index < 10_000; index++) counts[weightedChoice([1, 0, 3], random)]!++;
    assert.equal(counts[1], 0);
    assert.ok(counts[2]! > counts[0]! * 2.5 && counts[2]! < counts[0]! * 3.5, counts.join());
  });
});
