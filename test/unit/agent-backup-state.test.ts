// The agent's backup-age feed: the schedule state file, re-read; a missing file is "no backup".
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { watchBackupState } from '../../agent/backup-state.js';

describe('watchBackupState', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quorumctl-backup-state-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The values the feed reports, collected until `count` arrived. */
  async function reports(path: string, count: number): Promise<(Date | undefined)[]> {
    const seen: (Date | undefined)[] = [];
    await new Promise<void>((resolve) => {
      const feed = watchBackupState(path, 20, (at) => {
        seen.push(at);
        if (seen.length >= count) {
          feed.stop();
          resolve();
        }
      });
    });
    return seen;
  }

  test('reports the last success time, and picks up a newer one', async () => {
    const path = join(dir, 'prod.json');
    const state = (lastSuccessAt: string) =>
      JSON.stringify({
        apiVersion: 'quorumctl/v1',
        kind: 'BackupScheduleState',
        cluster: 'prod',
        systemKind: 'etcd',
        destination: '/backups',
        lastSuccessAt,
        consecutiveFailures: 0,
      });
    await writeFile(path, state('2026-11-29T05:00:00.000Z'));
    const [first] = await reports(path, 1);
    assert.equal(first?.toISOString(), '2026-11-29T05:00:00.000Z');
    await writeFile(path, state('2026-11-29T06:00:00.000Z'));
    const [second] = await reports(path, 1);
    assert.equal(second?.toISOString(), '2026-11-29T06:00:00.000Z');
  });

  test('a missing or foreign file reports no backup instead of failing', async () => {
    assert.deepEqual(await reports(join(dir, 'absent.json'), 2), [undefined, undefined]);
    const foreign = join(dir, 'foreign.json');
    await writeFile(foreign, '{"kind":"Something"}');
    assert.deepEqual(await reports(foreign, 1), [undefined]);
  });
});
