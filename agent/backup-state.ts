/**
 * Feeds `quorum_backup_age_seconds` from the state file `backup schedule` and
 * `backup create --record-state` write: re-read every interval, so a backup finishing on
 * another host or in a CronJob with a shared volume shows up without restarting the agent.
 */
import { readFile } from 'node:fs/promises';
import { parseScheduleState } from '../core/backup/schedule-state.js';

export interface BackupStateFeed {
  stop(): void;
}

/**
 * Reads `path` now and every `intervalMs`, handing the last success time to `onBackup`.
 * A missing or unreadable file means "no backup known" (undefined), never a crash.
 */
export function watchBackupState(
  path: string,
  intervalMs: number,
  onBackup: (completedAt: Date | undefined) => void,
): BackupStateFeed {
  const read = async () => {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    const state = text === undefined ? undefined : parseScheduleState(text);
    const at = state?.lastSuccessAt === undefined ? NaN : Date.parse(state.lastSuccessAt);
    onBackup(Number.isNaN(at) ? undefined : new Date(at));
  };
  void read();
  const timer = setInterval(() => void read(), intervalMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
    },
  };
}
