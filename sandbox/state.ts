/** Reads and writes sandbox state files (`sandbox.json`); writes are atomic (temp file, then rename). */
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { sandboxesDir, sandboxLayout } from './layout.js';
import { SANDBOX_KINDS, type SandboxRecord } from './types.js';

/** A reader never sees half a file: a crash mid-write leaves the previous version or none. */
export async function writeRecord(stateFile: string, record: SandboxRecord): Promise<void> {
  const temp = `${stateFile}.${process.pid}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`);
    await rename(temp, stateFile);
  } catch (cause) {
    await rm(temp, { force: true });
    throw cause;
  }
}

/** undefined when the sandbox has no state file; a UsageError when the file is not a record. */
export async function readRecord(
  stateDir: string,
  name: string,
): Promise<SandboxRecord | undefined> {
  const stateFile = sandboxLayout(stateDir, name).stateFile;
  let text: string;
  try {
    text = await readFile(stateFile, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cause;
  }
  return parseRecord(text, stateFile);
}

/** Every readable record, by name; unreadable ones are skipped (`readRecord` names the problem). */
export async function readAllRecords(stateDir: string): Promise<SandboxRecord[]> {
  let names: string[];
  try {
    names = await readdir(sandboxesDir(stateDir));
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw cause;
  }
  const records = await Promise.all(
    names.sort().map((name) => readRecord(stateDir, name).catch(() => undefined)),
  );
  return records.filter((record): record is SandboxRecord => record !== undefined);
}

export function portsInUse(records: readonly SandboxRecord[]): Set<number> {
  return new Set(
    records.flatMap((record) => record.members.flatMap((member) => Object.values(member.ports))),
  );
}

/** Checks the fields the manager relies on (PIDs it will signal, paths it will delete). */
export function parseRecord(text: string, stateFile: string): SandboxRecord {
  let problem: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
    problem = recordProblem(value);
  } catch (cause) {
    problem = `not JSON (${(cause as Error).message})`;
  }
  if (problem !== undefined) {
    throw new UsageError(
      'SANDBOX_STATE_INVALID',
      `${stateFile} is not a sandbox record: ${problem}`,
      {
        actions: [
          'check that none of its servers still runs (pgrep -af sandboxes), then delete its directory',
        ],
      },
    );
  }
  return value as SandboxRecord;
}

function recordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'not an object';
  for (const field of ['name', 'version', 'createdAt', 'dir'] as const)
    if (typeof value[field] !== 'string') return `"${field}" is not a string`;
  if (!SANDBOX_KINDS.some((kind) => kind === value.kind))
    return `unknown kind ${String(value.kind)}`;
  if (!Array.isArray(value.endpoints)) return '"endpoints" is not a list';
  if (!Array.isArray(value.members)) return '"members" is not a list';
  for (const member of value.members as unknown[]) {
    if (!isObject(member) || typeof member.name !== 'string') return 'a member has no name';
    if (!Number.isInteger(member.pid) || (member.pid as number) <= 0)
      return `member ${member.name} has no valid pid`;
    for (const field of ['clientUrl', 'dataDir', 'logFile'] as const)
      if (typeof member[field] !== 'string') return `member ${member.name} has no ${field}`;
    if (!isObject(member.ports) || !Object.values(member.ports).every(Number.isInteger))
      return `member ${member.name} has invalid ports`;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
