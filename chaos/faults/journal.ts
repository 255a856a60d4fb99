/**
 * The fault journal, `<stateDir>/chaos/faults.json`: every fault is recorded here before it is
 * applied and removed once undone. Writes are atomic (temp file, rename) and serialized across
 * processes with a lock file, because a drill and `chaos heal` may touch it at the same time.
 */
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { FaultRecord } from './types.js';

const LOCK_WAIT_MS = 10_000;
const LOCK_POLL_MS = 20;
/** A lock older than this whose holder is gone was left by a crash. */
const STALE_LOCK_MS = 30_000;

interface JournalFile {
  apiVersion: 'quorumctl/v1';
  faults: FaultRecord[];
}

export function journalPath(stateDir: string): string {
  return join(resolve(stateDir), 'chaos', 'faults.json');
}

/** Every record in the journal (all sandboxes of the state dir), oldest first. */
export async function readJournal(stateDir: string): Promise<FaultRecord[]> {
  const path = journalPath(stateDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw cause;
  }
  return parseJournal(text, path);
}

/** Pure: the records of a journal file, or a usage error naming the file. */
export function parseJournal(text: string, path: string): FaultRecord[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw invalid(path, `not JSON (${(cause as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || !Array.isArray((value as JournalFile).faults))
    throw invalid(path, 'no "faults" list');
  const faults = (value as JournalFile).faults;
  for (const record of faults as unknown[]) {
    const candidate = record as Partial<FaultRecord>;
    if (
      typeof candidate.id !== 'string' ||
      typeof candidate.scope?.sandbox !== 'string' ||
      typeof candidate.spec?.kind !== 'string' ||
      typeof candidate.undo !== 'object'
    )
      throw invalid(path, 'a record lacks id, scope, spec or undo');
  }
  return faults;
}

function invalid(path: string, problem: string): UsageError {
  return new UsageError('FAULT_JOURNAL_INVALID', `${path} is not a fault journal: ${problem}`, {
    actions: [
      'check by hand what it recorded (iptables -S in the sandbox namespaces, paused processes), then delete it',
    ],
  });
}

/** Read-modify-write under the lock; `change` returns the new list. */
export async function updateJournal<T>(
  stateDir: string,
  change: (records: FaultRecord[]) => { records: FaultRecord[]; result: T },
): Promise<T> {
  const path = journalPath(stateDir);
  await mkdir(join(resolve(stateDir), 'chaos'), { recursive: true });
  const release = await lock(`${path}.lock`);
  try {
    const { records, result } = change(await readJournal(stateDir));
    await writeJournal(path, records);
    return result;
  } finally {
    await release();
  }
}

export function appendRecord(stateDir: string, record: FaultRecord): Promise<void> {
  return updateJournal(stateDir, (records) => ({
    records: [...records, record],
    result: undefined,
  }));
}

export function removeRecord(stateDir: string, id: string): Promise<void> {
  return updateJournal(stateDir, (records) => ({
    records: records.filter((record) => record.id !== id),
    result: undefined,
  }));
}

async function writeJournal(path: string, records: readonly FaultRecord[]): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const file: JournalFile = { apiVersion: 'quorumctl/v1', faults: [...records] };
  try {
    await writeFile(temp, `${JSON.stringify(file, null, 2)}\n`);
    await rename(temp, path);
  } catch (cause) {
    await rm(temp, { force: true });
    throw cause;
  }
}

/** An exclusive lock file holding our PID; a stale one (holder dead, or very old) is taken over. */
async function lock(path: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw cause;
    }
    if (await isStale(path)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new UsageError('FAULT_JOURNAL_LOCKED', `${path} is held by another process`, {
        actions: [`if no quorumctl chaos command runs, delete ${path}`],
      });
    }
    await new Promise((resolvePromise) => setTimeout(resolvePromise, LOCK_POLL_MS));
  }
}

async function isStale(path: string): Promise<boolean> {
  try {
    const holder = Number((await readFile(path, 'utf8')).trim());
    if (Number.isInteger(holder) && holder > 0 && !processExists(holder)) return true;
    return Date.now() - (await stat(path)).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false; // gone meanwhile, or half-written: try again
  }
}

/** Whether a PID exists (EPERM: it does, owned by someone else). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (cause) {
    return (cause as NodeJS.ErrnoException).code === 'EPERM';
  }
}
