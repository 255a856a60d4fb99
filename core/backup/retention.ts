/**
 * Which backups `prune` keeps: the newest N, plus the newest backup of each of the last H
 * hours, D days, W weeks and M months (UTC), and always the newest verified backup, so the
 * one restore known to work is never deleted. Pure: it plans, ops/ deletes.
 */
export interface RetentionPolicy {
  last: number;
  hourly: number;
  daily: number;
  weekly: number;
  monthly: number;
}

export interface RetainedBackup {
  name: string;
  /** When the backup was taken. */
  takenAt: Date;
  verified: boolean;
}

export type KeepReason = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'newest-verified';

export interface RetentionPlan {
  keep: { name: string; reasons: KeepReason[] }[];
  remove: string[];
}

export function planRetention(
  backups: readonly RetainedBackup[],
  policy: RetentionPolicy,
): RetentionPlan {
  const newestFirst = [...backups].sort(
    (a, b) => b.takenAt.getTime() - a.takenAt.getTime() || a.name.localeCompare(b.name),
  );
  const reasons = new Map<string, KeepReason[]>();
  const keep = (backup: RetainedBackup, reason: KeepReason) => {
    reasons.set(backup.name, [...(reasons.get(backup.name) ?? []), reason]);
  };

  for (const backup of newestFirst.slice(0, Math.max(0, policy.last))) keep(backup, 'last');
  for (const [reason, bucketOf] of BUCKETS) {
    const wanted = Math.max(0, policy[reason]);
    const seen = new Set<string>();
    for (const backup of newestFirst) {
      if (seen.size >= wanted) break;
      const bucket = bucketOf(backup.takenAt);
      if (seen.has(bucket)) continue;
      seen.add(bucket);
      keep(backup, reason);
    }
  }
  const newestVerified = newestFirst.find((backup) => backup.verified);
  if (newestVerified !== undefined) keep(newestVerified, 'newest-verified');

  return {
    keep: newestFirst
      .filter((backup) => reasons.has(backup.name))
      .map((backup) => ({ name: backup.name, reasons: reasons.get(backup.name) ?? [] })),
    remove: newestFirst.filter((backup) => !reasons.has(backup.name)).map((backup) => backup.name),
  };
}

const pad = (value: number) => String(value).padStart(2, '0');
const dayOf = (time: Date) =>
  `${time.getUTCFullYear()}-${pad(time.getUTCMonth() + 1)}-${pad(time.getUTCDate())}`;

/** ISO 8601 week (Monday first): the bucket `weekly` keeps one backup of. */
export function isoWeekOf(time: Date): string {
  const day = new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));
  const weekday = day.getUTCDay() === 0 ? 7 : day.getUTCDay();
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week names its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${pad(week)}`;
}

/** Each calendar bucket and how a time falls into it (UTC). */
const BUCKETS: readonly [Exclude<keyof RetentionPolicy, 'last'>, (time: Date) => string][] = [
  ['hourly', (time) => `${dayOf(time)}T${pad(time.getUTCHours())}`],
  ['daily', dayOf],
  ['weekly', isoWeekOf],
  ['monthly', (time) => `${time.getUTCFullYear()}-${pad(time.getUTCMonth() + 1)}`],
];
