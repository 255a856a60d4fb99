/** The audit log: one JSON line per mutating command, appended to `<state dir>/audit.jsonl`. */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditRecord } from '../../core/maintenance/audit.js';

export function auditLogPath(stateDir: string): string {
  return join(stateDir, 'audit.jsonl');
}

/** Appends one record; a single write of one line, so concurrent commands do not interleave. */
export async function appendAuditRecord(stateDir: string, record: AuditRecord): Promise<void> {
  await mkdir(stateDir, { recursive: true });
  await appendFile(auditLogPath(stateDir), `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

/** Every record, oldest first; a torn last line (a crash mid-write) is skipped. */
export async function readAuditRecords(stateDir: string): Promise<AuditRecord[]> {
  let text: string;
  try {
    text = await readFile(auditLogPath(stateDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as AuditRecord);
    } catch {
      // A partial line from an interrupted append: the rest of the log is still good.
    }
  }
  return records;
}
