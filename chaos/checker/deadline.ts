/** A time budget shared by every search of one check, read from an injectable clock. */
import { performance } from 'node:perf_hooks';

export interface Deadline {
  expired(): boolean;
}

export function deadlineAfter(
  budgetMs: number,
  now: () => number = () => performance.now(),
): Deadline {
  const endsAt = now() + budgetMs;
  return { expired: () => now() >= endsAt };
}
