/**
 * The state file `backup schedule` (and `backup create --state-file`) keeps: when the last
 * backup succeeded. The agent reads it for `quorum_backup_age_seconds`; the format is
 * documented in docs/backup.md and versioned by `apiVersion`/`kind`.
 */
import type { SystemKind } from '../model.js';

export interface BackupScheduleState {
  apiVersion: 'quorumctl/v1';
  kind: 'BackupScheduleState';
  cluster: string;
  systemKind: SystemKind;
  /** Where the backups go, as the operator wrote it. */
  destination: string;
  /** Absent for one-shot `backup create --state-file`. */
  cron?: string;
  /** The daemon's PID while it runs. */
  pid?: number;
  /** ISO 8601 times. */
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  /** The same instant as lastSuccessAt, for readers without a date parser. */
  lastSuccessUnixSeconds?: number;
  lastBackup?: string;
  lastBackupSizeBytes?: number;
  lastDurationMs?: number;
  /** The last failure, cleared by the next success. */
  lastError?: { at: string; code: string; message: string };
  consecutiveFailures: number;
  nextRunAt?: string;
}

/** Seconds since the last successful backup; undefined when none succeeded yet. */
export function backupAgeSeconds(state: BackupScheduleState, now: Date): number | undefined {
  if (state.lastSuccessAt === undefined) return undefined;
  const at = Date.parse(state.lastSuccessAt);
  return Number.isNaN(at) ? undefined : Math.max(0, (now.getTime() - at) / 1000);
}

/** Parses a state file's text; undefined when it is not one (a reader must never crash). */
export function parseScheduleState(text: string): BackupScheduleState | undefined {
  try {
    const value = JSON.parse(text) as Partial<BackupScheduleState>;
    return value.apiVersion === 'quorumctl/v1' &&
      value.kind === 'BackupScheduleState' &&
      typeof value.cluster === 'string'
      ? (value as BackupScheduleState)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The file name for a cluster under the state directory: `backup-schedule/<cluster>.json`. */
export function scheduleStateFileName(cluster: string): string {
  const safe = cluster.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '');
  return `backup-schedule/${safe === '' ? 'cluster' : safe}.json`;
}
