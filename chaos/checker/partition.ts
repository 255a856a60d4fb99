/**
 * P-compositionality (Herlihy & Wing; Horn & Kroening): a history of independent keys is
 * linearizable exactly when each key's sub-history is, so each key is checked on its own.
 */
import type { RecordedOperation } from './history.js';

/**
 * The operations that constrain the search: a failed operation had no effect, and a read
 * that never returned neither changed the state nor observed it.
 */
export function bearsOnLinearizability(op: RecordedOperation): boolean {
  if (op.outcome === 'fail') return false;
  return !(op.outcome === 'unknown' && (op.op === 'read' || op.op === 'get'));
}

/** Sub-histories by key, smallest first (cheap keys first finds most violations sooner). */
export function partitionByKey(
  operations: readonly RecordedOperation[],
): [key: string, operations: RecordedOperation[]][] {
  const byKey = new Map<string, RecordedOperation[]>();
  for (const op of operations) {
    const bucket = byKey.get(op.key);
    if (bucket === undefined) byKey.set(op.key, [op]);
    else bucket.push(op);
  }
  return [...byKey.entries()].sort(
    ([keyA, opsA], [keyB, opsB]) => opsA.length - opsB.length || keyA.localeCompare(keyB),
  );
}
