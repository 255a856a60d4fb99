// Starts things side by side (sandboxes, mostly) and waits for every start to settle.
import { describeCause } from '../../core/errors.js';

/**
 * Promise.all, except that a failed start waits for its siblings before rejecting. With
 * Promise.all the first failure rejects at once, `after` tears the state dir down while a
 * sibling is still starting, and that sibling's servers outlive the test.
 */
export async function allStarted<T extends readonly unknown[] | []>(
  starts: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starts);
  const failures = settled.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  if (failures.length > 0)
    throw new AggregateError(
      failures,
      `${failures.length} of ${settled.length} starts failed: ${failures.map((failure) => describeCause(failure)).join('; ')}`,
    );
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}
