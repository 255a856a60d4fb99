/**
 * The shortest failing prefix of a non-linearizable key history: cut the history at each
 * completion in turn (operations still running at the cut become unknown, reads still
 * running are dropped) and bisect for the first cut that cannot be linearized. Prefixes of
 * a linearizable history are linearizable, so the cuts fail monotonically.
 */
import type { RecordedOperation } from './history.js';
import { bearsOnLinearizability } from './partition.js';

/** The history as it stood at `cutMs`: what had completed, and what was still running. */
export function historyAt(
  operations: readonly RecordedOperation[],
  cutMs: number,
): RecordedOperation[] {
  const prefix: RecordedOperation[] = [];
  for (const op of operations) {
    if (op.invokeMs > cutMs) continue;
    if (op.outcome !== 'unknown' && op.completeMs !== undefined && op.completeMs <= cutMs) {
      prefix.push(op);
      continue;
    }
    const running: RecordedOperation = { ...op, outcome: 'unknown' };
    delete running.completeMs;
    delete running.result;
    if (bearsOnLinearizability(running)) prefix.push(running);
  }
  return prefix;
}

export type PrefixVerdict = 'linearizable' | 'not-linearizable' | 'timeout';

/**
 * Bisects the completion times of a history known not to be linearizable. Returns the
 * shortest failing prefix found; on timeout, the shortest one confirmed so far.
 */
export function shortestFailingPrefix(
  operations: readonly RecordedOperation[],
  check: (prefix: RecordedOperation[]) => PrefixVerdict,
): RecordedOperation[] {
  const cuts = [
    ...new Set(
      operations.flatMap((op) =>
        op.outcome !== 'unknown' && op.completeMs !== undefined ? [op.completeMs] : [],
      ),
    ),
  ].sort((a, b) => a - b);
  let failing = [...operations];
  let low = 0;
  let high = cuts.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const prefix = historyAt(operations, cuts[middle] ?? 0);
    const verdict = check(prefix);
    if (verdict === 'timeout') break;
    if (verdict === 'not-linearizable') {
      failing = prefix;
      high = middle - 1;
    } else low = middle + 1;
  }
  return failing;
}
