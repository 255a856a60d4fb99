/** Parses operator-friendly durations (`500ms`, `3s`, `2m`, `1h`) into milliseconds. */
import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** Timers overflow past 2^31-1 ms (about 24.8 days) and then fire at once. */
const MAX_MS = 2 ** 31 - 1;

export function parseDuration(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  const amount = match?.[1];
  const unit = match?.[2];
  const milliseconds =
    amount === undefined || unit === undefined
      ? NaN
      : Math.round(Number(amount) * (UNIT_MS[unit] ?? 1));
  if (!(milliseconds >= 1 && milliseconds <= MAX_MS)) {
    throw new UsageError(
      'DURATION_INVALID',
      `${flag} "${value}" is not a duration between 1ms and 24 days`,
      {
        actions: [`write a positive number with a unit: 500ms, 3s, 2m or 1h (e.g. ${flag} 5s)`],
      },
    );
  }
  return milliseconds;
}
