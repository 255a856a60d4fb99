/** Checks a recorded history for linearizability, key by key, within a time budget. */
import { performance } from 'node:perf_hooks';
import { deadlineAfter, type Deadline } from './deadline.js';
import { shortestFailingPrefix, type PrefixVerdict } from './failing-prefix.js';
import type { CheckOptions, CheckResult, RecordedHistory, RecordedOperation } from './history.js';
import { modelNamed, type SequentialModel } from './models.js';
import { bearsOnLinearizability, partitionByKey } from './partition.js';
import { searchLinearization, type SearchOperation } from './search.js';
import { assertOperationsFitModel } from './validate.js';

export interface CheckDependencies {
  /** The clock the timeout is measured on (tests inject one). */
  now?: () => number;
}

export function checkHistory(
  history: RecordedHistory,
  options: CheckOptions,
  dependencies: CheckDependencies = {},
): CheckResult {
  const now = dependencies.now ?? (() => performance.now());
  const startedMs = now();
  const deadline = deadlineAfter(options.timeoutMs, now);
  assertOperationsFitModel(history);
  const model = modelNamed(history.model);
  const keys = partitionByKey(history.operations.filter(bearsOnLinearizability));
  const elapsedMs = () => Math.round((now() - startedMs) * 1000) / 1000;

  let timedOutKey: string | undefined;
  for (const [key, operations] of keys) {
    const verdict = checkKey(operations, model, deadline);
    if (verdict === 'timeout') {
      timedOutKey ??= key;
      continue;
    }
    if (verdict === 'not-linearizable') {
      const failingPrefix = shortestFailingPrefix(operations, (prefix) =>
        checkKey(prefix, model, deadline),
      );
      return {
        verdict,
        durationMs: elapsedMs(),
        keys: keys.length,
        failingKey: key,
        failingPrefix: failingPrefix.sort((a, b) => a.invokeMs - b.invokeMs),
      };
    }
  }
  if (timedOutKey !== undefined) {
    return {
      verdict: 'unknown',
      durationMs: elapsedMs(),
      keys: keys.length,
      reason: `the time budget of ${options.timeoutMs} ms ran out while checking key "${timedOutKey}"`,
    };
  }
  return { verdict: 'linearizable', durationMs: elapsedMs(), keys: keys.length };
}

function checkKey(
  operations: readonly RecordedOperation[],
  model: SequentialModel<string | null>,
  deadline: Deadline,
): PrefixVerdict {
  const searchOperations: SearchOperation<string | null>[] = operations.map((op) => ({
    invokeMs: op.invokeMs,
    completeMs: op.outcome === 'unknown' ? Infinity : (op.completeMs ?? Infinity),
    apply: (state) => model.step(state, op),
  }));
  return searchLinearization(searchOperations, model.initial, deadline);
}
