/**
 * `backup schedule`: a small daemon that runs backups on a cron expression (croner), one
 * instance per lock file, that survives failed runs and records every attempt in the state
 * file the agent reads for `quorum_backup_age_seconds`.
 */
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { Cron } from 'croner';
import { parseScheduleState, type BackupScheduleState } from '../../core/backup/schedule-state.js';
import { UsageError } from '../../core/errors.js';
import type { ClusterTarget } from '../../core/ports.js';
import { describeFailure, type CreatedBackup } from '../backup.js';

export interface AttemptRecord {
  target: Pick<ClusterTarget, 'name' | 'kind'>;
  destination: string;
  startedAt: Date;
  outcome: { created: CreatedBackup } | { failure: unknown };
  cron?: string;
  nextRunAt?: Date;
  pid?: number;
}

/** Updates the state file with one attempt; the file is replaced atomically. */
export async function recordAttempt(
  stateFile: string,
  attempt: AttemptRecord,
): Promise<BackupScheduleState> {
  const previous = await readState(stateFile);
  const state: BackupScheduleState = {
    apiVersion: 'quorumctl/v1',
    kind: 'BackupScheduleState',
    cluster: attempt.target.name,
    systemKind: attempt.target.kind,
    destination: attempt.destination,
    consecutiveFailures: 0,
    ...carriedOver(previous, attempt.target.name),
    lastAttemptAt: attempt.startedAt.toISOString(),
  };
  if (attempt.cron !== undefined) state.cron = attempt.cron;
  if (attempt.pid !== undefined) state.pid = attempt.pid;
  if (attempt.nextRunAt !== undefined) state.nextRunAt = attempt.nextRunAt.toISOString();
  if ('created' in attempt.outcome) {
    const { manifest, durationMs } = attempt.outcome.created;
    state.lastSuccessAt = manifest.finishedAt;
    state.lastSuccessUnixSeconds = Math.floor(Date.parse(manifest.finishedAt) / 1000);
    state.lastBackup = manifest.name;
    state.lastBackupSizeBytes = manifest.sizeBytes;
    state.lastDurationMs = durationMs;
    state.consecutiveFailures = 0;
    delete state.lastError;
  } else {
    state.lastError = { at: new Date().toISOString(), ...describeFailure(attempt.outcome.failure) };
    state.consecutiveFailures = (previous?.consecutiveFailures ?? 0) + 1;
  }
  await writeState(stateFile, state);
  return state;
}

function carriedOver(
  previous: BackupScheduleState | undefined,
  cluster: string,
): Partial<BackupScheduleState> {
  if (previous === undefined || previous.cluster !== cluster) return {};
  const { apiVersion, kind, ...rest } = previous;
  return rest;
}

export async function readState(stateFile: string): Promise<BackupScheduleState | undefined> {
  try {
    return parseScheduleState(await readFile(stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

async function writeState(stateFile: string, state: BackupScheduleState): Promise<void> {
  const temp = `${stateFile}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  await rename(temp, stateFile);
}

/** Validates a cron expression (5 fields, or 6 with seconds) and returns its next run, UTC. */
export function nextCronRun(pattern: string, after: Date = new Date()): Date {
  let next: Date | null;
  try {
    next = new Cron(pattern, { timezone: 'UTC', paused: true }).nextRun(after);
  } catch (cause) {
    throw new UsageError(
      'CRON_INVALID',
      `--cron "${pattern}" is not a cron expression: ${(cause as Error).message}`,
      {
        actions: [
          'five fields, minute hour day-of-month month day-of-week, in UTC: "0 * * * *" is hourly',
        ],
        cause,
      },
    );
  }
  if (next === null)
    throw new UsageError('CRON_NEVER', `--cron "${pattern}" never fires`, {
      actions: ['check the day and month fields'],
    });
  return next;
}

export interface ScheduleInput {
  cron: string;
  target: Pick<ClusterTarget, 'name' | 'kind'>;
  destination: string;
  stateFile: string;
  lockFile: string;
  /** One backup (and its pruning); may throw: the daemon records it and goes on. */
  runBackup: (signal: AbortSignal) => Promise<CreatedBackup>;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Run once at start as well, instead of waiting for the first tick. */
  runNow?: boolean;
}

/** Runs until `signal` aborts; resolves once any backup in flight has stopped. */
export async function runSchedule(input: ScheduleInput): Promise<void> {
  nextCronRun(input.cron);
  const lock = await acquireLock(input.lockFile);
  let inFlight: Promise<void> = Promise.resolve();
  const runs = new AbortController();
  try {
    let running = false;
    const tick = async () => {
      // A run that outlasts the interval is not started twice (croner's protect covers only
      // its own ticks; --run-now starts one outside them).
      if (running) {
        input.log(`${new Date().toISOString()} skipped: the previous backup is still running`);
        return;
      }
      running = true;
      try {
        await attempt();
      } finally {
        running = false;
      }
    };
    const attempt = async () => {
      const startedAt = new Date();
      input.log(`${startedAt.toISOString()} backup of ${input.target.name} starting`);
      let outcome: AttemptRecord['outcome'];
      try {
        const created = await input.runBackup(runs.signal);
        outcome = { created };
        input.log(
          `${new Date().toISOString()} backup ${created.manifest.name} done: ${created.manifest.sizeBytes} bytes in ${created.durationMs} ms`,
        );
      } catch (failure) {
        outcome = { failure };
        const { code, message } = describeFailure(failure);
        input.log(`${new Date().toISOString()} backup failed (${code}): ${message}`);
      }
      await recordAttempt(input.stateFile, {
        target: input.target,
        destination: input.destination,
        startedAt,
        outcome,
        cron: input.cron,
        pid: process.pid,
        nextRunAt: nextCronRun(input.cron),
      }).catch((cause: unknown) => {
        input.log(`could not write ${input.stateFile}: ${describeFailure(cause).message}`);
      });
    };
    await writeState(input.stateFile, {
      ...((await readState(input.stateFile)) ?? {
        apiVersion: 'quorumctl/v1',
        kind: 'BackupScheduleState',
        cluster: input.target.name,
        systemKind: input.target.kind,
        destination: input.destination,
        consecutiveFailures: 0,
      }),
      cron: input.cron,
      pid: process.pid,
      nextRunAt: nextCronRun(input.cron).toISOString(),
    });
    const job = new Cron(input.cron, { timezone: 'UTC', protect: true }, () => {
      inFlight = tick();
      return inFlight;
    });
    if (input.runNow === true) inFlight = tick();
    input.log(
      `scheduled "${input.cron}" (UTC); next run ${job.nextRun()?.toISOString() ?? 'never'}`,
    );
    await new Promise<void>((resolve) => {
      if (input.signal.aborted) resolve();
      input.signal.addEventListener(
        'abort',
        () => {
          resolve();
        },
        { once: true },
      );
    });
    job.stop();
    runs.abort();
    await inFlight;
  } finally {
    await lock.release();
    const state = await readState(input.stateFile);
    if (state?.pid === process.pid) {
      delete state.pid;
      delete state.nextRunAt;
      await writeState(input.stateFile, state).catch(() => undefined);
    }
  }
}

/** One daemon per lock file; a lock left by a dead process is taken over. */
export async function acquireLock(lockFile: string): Promise<{ release: () => Promise<void> }> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(lockFile, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return {
        release: async () => {
          const owner = await readFile(lockFile, 'utf8').catch(() => '');
          if (owner.trim() === String(process.pid)) await unlink(lockFile).catch(() => undefined);
        },
      };
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw cause;
      const owner = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && processExists(owner)) {
        throw new UsageError(
          'SCHEDULE_RUNNING',
          `another backup schedule (PID ${owner}) holds ${lockFile}`,
          {
            actions: [`stop it first (kill ${owner}), or use another --lock-file`],
            details: { pid: owner },
          },
        );
      }
      // The owner is gone (crash, reboot): the lock is stale.
      await unlink(lockFile).catch(() => undefined);
    }
  }
  throw new UsageError('SCHEDULE_LOCK_BUSY', `could not take ${lockFile}`, {
    actions: ['run the command again'],
  });
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (cause) {
    return (cause as NodeJS.ErrnoException).code === 'EPERM';
  }
}
