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
      return JSON.parse(await readFile(join(this.dir, `${runId}.json`), 'utf8')) as RunRecord;
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
        .map(async (name) => JSON.parse(await readFile(join(this.dir, name), 'utf8')) as RunRecord),
    );
    return records.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  /** The newest run that did not finish: what `runbook resume` continues by default. */
  async latestUnfinished(): Promise<RunRecord | undefined> {
    return (await this.list()).find((record) => record.status !== 'succeeded');
  }
}
