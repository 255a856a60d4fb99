// Properties of the checker: histories produced by a real sequential execution are always
// linearizable, however their intervals overlap; a read of a value never written never is.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkHistory, type ModelName, type RecordedOperation } from '../../chaos/checker/index.js';

interface PlannedOperation {
  key: string;
  kind: 'read' | 'update' | 'swap';
  value: string;
  /** ok: took effect at its instant; fail: never took effect; unknown: took effect or not. */
  outcome: 'ok' | 'fail' | 'unknown';
  /** For unknown: whether it really took effect (the checker must accept both). */
  applied: boolean;
  leadMs: number;
  lagMs: number;
}

const planned = fc.record({
  key: fc.constantFrom('a', 'b', 'c'),
  kind: fc.constantFrom('read', 'update', 'swap'),
  value: fc.constantFrom('x', 'y', 'z'),
  outcome: fc.constantFrom('ok', 'ok', 'ok', 'fail', 'unknown'),
  applied: fc.boolean(),
  // Spreads of up to 4 steps around the instant: overlaps with neighbours, never a violation.
  leadMs: fc.integer({ min: 0, max: 40 }),
  lagMs: fc.integer({ min: 0, max: 40 }),
}) as fc.Arbitrary<PlannedOperation>;

/**
 * Runs the plan one operation at a time (operation i takes effect at 10*i ms), recording
 * each with an interval that contains its instant: by construction a linearization exists.
 */
function execute(model: ModelName, plan: readonly PlannedOperation[]): RecordedOperation[] {
  const state = new Map<string, string | null>();
  const initial = model === 'register' ? null : '';
  return plan.flatMap((step, index): RecordedOperation[] => {
    const instantMs = 10 * (index + 1);
    const current = state.has(step.key) ? (state.get(step.key) ?? null) : initial;
    const takesEffect = step.outcome === 'ok' || (step.outcome === 'unknown' && step.applied);
    const interval = {
      invokeMs: instantMs - step.leadMs,
      ...(step.outcome === 'unknown' ? {} : { completeMs: instantMs + step.lagMs }),
    };
    const base = { client: index, key: step.key, outcome: step.outcome, ...interval };
    if (step.kind === 'read') {
      if (step.outcome === 'fail') return [{ ...base, op: model === 'register' ? 'read' : 'get' }];
      return [
        {
          ...base,
          op: model === 'register' ? 'read' : 'get',
          ...(step.outcome === 'ok' ? { result: current } : {}),
        },
      ];
    }
    if (model === 'kv') {
      const op = step.kind === 'update' ? 'put' : 'append';
      if (takesEffect)
        state.set(step.key, op === 'put' ? step.value : `${current ?? ''}${step.value}`);
      return [{ ...base, op, value: step.value }];
    }
    if (step.kind === 'update') {
      if (takesEffect) state.set(step.key, step.value);
      return [{ ...base, op: 'write', value: step.value }];
    }
    // A swap expects the current value when acknowledged; a failed one may expect anything.
    const expected = step.outcome === 'fail' ? 'w' : current;
    if (takesEffect) state.set(step.key, step.value);
    return [{ ...base, op: 'cas', value: [expected, step.value] }];
  });
}

const plans = fc.array(planned, { minLength: 1, maxLength: 40 });
const models = fc.constantFrom<ModelName>('register', 'kv');

describe('checker properties', () => {
  it('a history recorded from a real sequential execution is linearizable', () => {
    fc.assert(
      fc.property(models, plans, (model, plan) => {
        const operations = execute(model, plan);
        const result = checkHistory({ model, operations }, { timeoutMs: 20_000 });
        assert.equal(result.verdict, 'linearizable', JSON.stringify(operations));
      }),
      { numRuns: 300 },
    );
  });

  it('a read of a value no one wrote makes it not linearizable, on that key', () => {
    fc.assert(
      fc.property(models, plans, fc.nat(), (model, plan, pick) => {
        const operations = execute(model, plan);
        const reads = operations.filter(
          (entry) => (entry.op === 'read' || entry.op === 'get') && entry.outcome === 'ok',
        );
        fc.pre(reads.length > 0);
        const victim = reads[pick % reads.length] as RecordedOperation;
        victim.result = 'never written';
        const result = checkHistory({ model, operations }, { timeoutMs: 20_000 });
        assert.equal(result.verdict, 'not-linearizable');
        assert.equal(result.failingKey, victim.key);
        assert.ok(result.failingPrefix?.some((entry) => entry.result === 'never written'));
      }),
      { numRuns: 200 },
    );
  });
});
