/** Reads and writes sandbox state files; writes are atomic (temp file, then rename). */
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { sandboxesDir, sandboxLayout } from './layout.js';
import type { SandboxRecord } from './types.js';

export async function writeRecord(stateFile: string, record: SandboxRecord): Promise<void> {
  const temp = `${stateFile}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temp, stateFile);
}

export async function readRecord(
  stateDir: string,
  name: string,
): Promise<SandboxRecord | undefined> {
  try {
    return JSON.parse(
      await readFile(sandboxLayout(stateDir, name).stateFile, 'utf8'),
    ) as SandboxRecord;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw cause;
  }
}

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
