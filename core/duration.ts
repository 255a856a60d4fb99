/** Parses operator-friendly durations (`500ms`, `3s`, `2m`, `1h`) into milliseconds. */
import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  const amount = match?.[1];
  const unit = match?.[2];
  if (amount === undefined || unit === undefined || Number(amount) <= 0) {
    throw new UsageError('DURATION_INVALID', `${flag} "${value}" is not a duration`, {
      actions: [`write a positive number with a unit: 500ms, 3s, 2m or 1h (e.g. ${flag} 5s)`],
    });
  }
  return Math.round(Number(amount) * (UNIT_MS[unit] ?? 1));
}
