/** Run records on disk: `<state dir>/runbooks/runs/<run id>.json`, rewritten atomically after every step. */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { RunRecord } from '../../core/runbook/journal.js';

export class JournalStore {
  private readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'runbooks', 'runs');
  }

  /** Temp file then rename: a crash mid-write leaves the previous record, never half of one. */
  async save(record: RunRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${record.runId}.json`);
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    await rename(temp, path);
  }

  async load(runId: string): Promise<RunRecord> {
    try {
      return await readRecord(join(this.dir, `${runId}.json`));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new UsageError('RUN_NOT_FOUND', `no runbook run "${runId}" in ${this.dir}`, {
        actions: ['quorumctl runbook history lists the runs and their ids'],
      });
    }
  }

  /** Every run, newest first. */
  async list(): Promise<RunRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records = await Promise.all(
      names
        .filter((name) => name.endsWith('.json'))
        .map((name) => readRecord(join(this.dir, name))),
    );
    return records.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /** The newest run that did not finish: what `runbook resume` continues by default. */
  async latestUnfinished(): Promise<RunRecord | undefined> {
    return (await this.list()).find((record) => record.status !== 'succeeded');
  }
}

/** A journal edited by hand (or not one at all) is named, never a stack trace. */
async function readRecord(path: string): Promise<RunRecord> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as RunRecord;
  } catch (cause) {
    throw new UsageError('RUN_JOURNAL_UNREADABLE', `${path} is not a runbook journal (not JSON)`, {
      actions: ['restore the file, or move it out of the runs directory'],
      cause,
    });
  }
}
