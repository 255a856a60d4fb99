/** Parses `--retain last=24,hourly=48,daily=7,weekly=4,monthly=12` into a RetentionPolicy. */
import { UsageError } from '../errors.js';
import type { RetentionPolicy } from './retention.js';

const BUCKETS = ['last', 'hourly', 'daily', 'weekly', 'monthly'] as const;

export function parseRetentionSpec(spec: string, flag = '--retain'): RetentionPolicy {
  const policy: RetentionPolicy = { last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0 };
  const example = `${flag} last=24,daily=7,weekly=4`;
  for (const part of spec.split(',').map((entry) => entry.trim())) {
    if (part === '') continue;
    const match = /^([a-z]+)=(\d+)$/.exec(part);
    const bucket = match?.[1] as (typeof BUCKETS)[number] | undefined;
    if (match === null || bucket === undefined || !BUCKETS.includes(bucket)) {
      throw new UsageError('RETENTION_INVALID', `${flag}: "${part}" is not BUCKET=COUNT`, {
        actions: [`buckets are ${BUCKETS.join(', ')}; e.g. ${example}`],
      });
    }
    policy[bucket] = Number(match[2]);
  }
  // Zero everywhere would delete all but the newest verified backup: never what was meant.
  if (BUCKETS.every((bucket) => policy[bucket] === 0)) {
    throw new UsageError('RETENTION_EMPTY', `${flag} "${spec}" keeps nothing`, {
      actions: [`keep at least one backup, e.g. ${example}`],
    });
  }
  return policy;
}

export function formatRetention(policy: RetentionPolicy): string {
  return BUCKETS.filter((bucket) => policy[bucket] > 0)
    .map((bucket) => `${bucket}=${policy[bucket]}`)
    .join(',');
}
