// ops/backup against a scripted kind and a real temporary directory: what a failed or
// interrupted backup leaves (nothing listed), what verify catches, what prune keeps.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type {
  BackupKindSupport,
  BackupStructureCheck,
  ProducedBackup,
  RestoreTestResult,
} from '../../core/backup/producer.js';
import type { Clock } from '../../core/ports.js';
import {
  createBackup,
  listBackups,
  pruneBackups,
  takeSafetyBackup,
  verifyBackup,
} from '../../ops/backup.js';
import { openLocalDirectory } from '../../systems/storage/local-directory.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'quorumctl-backup-ops-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const TARGET = { name: 'prod', kind: 'etcd' as const, endpoints: ['http://127.0.0.1:1'] };

interface Script {
  chunks?: string[];
  failAfter?: number;
  /** Called before chunk N is produced. */
  beforeChunk?: (index: number) => void;
  restored?: RestoreTestResult['fingerprint'];
}

function scriptedKind(script: Script): BackupKindSupport {
  const chunks = script.chunks ?? ['snapshot ', 'bytes ', 'here'];
  return {
    kind: 'etcd',
    format: 'etcd-snapshot',
    dataFileExtension: '.db',
    openProducer: () => ({
      async produce(request, sink): Promise<ProducedBackup> {
        sink.expectTotalBytes(chunks.join('').length);
        for (const [index, chunk] of chunks.entries()) {
          script.beforeChunk?.(index);
          request.signal?.throwIfAborted();
          if (script.failAfter === index) throw new Error('member went away');
          await sink.write(Buffer.from(chunk));
        }
        return {
          member: 'm2',
          position: { revision: 42 },
          fingerprint: { revision: 42, keyCount: 3, hashKv: 1234 },
          serverVersion: '3.4.23',
        };
      },
      close: () => Promise.resolve(),
    }),
    async checkStructure(data): Promise<BackupStructureCheck> {
      let text = '';
      for await (const chunk of data) text += Buffer.from(chunk).toString();
      return text.includes('snapshot')
        ? { ok: true, facts: { revision: 42 } }
        : { ok: false, facts: {}, problem: 'no snapshot header' };
    },
    restoreTest: () =>
      Promise.resolve({
        restoreMs: 850,
        fingerprint: script.restored ?? { revision: 42, keyCount: 3, hashKv: 1234 },
      }),
  };
}

let destinations = 0;
function freshStorage() {
  destinations += 1;
  return openLocalDirectory(join(root, `dest-${destinations}`));
}

function clockAt(iso: string): Clock {
  return { now: () => new Date(iso) };
}

describe('createBackup', () => {
  test('streams, commits, then writes a manifest with position, fingerprint and trigger', async () => {
    const storage = freshStorage();
    const progress: number[] = [];
    const created = await createBackup({
      target: TARGET,
      options: { timeoutMs: 1000 },
      support: scriptedKind({}),
      storage,
      toolVersion: '0.1.0',
      clock: clockAt('2026-11-29T05:38:00.123Z'),
      onProgress: (update) => progress.push(update.bytesWritten),
    });
    assert.equal(created.manifest.name, 'prod-20261129T053800Z');
    assert.equal(created.manifest.dataFile, 'prod-20261129T053800Z.db');
    assert.equal(created.manifest.member, 'm2');
    assert.deepEqual(created.manifest.position, { revision: 42 });
    assert.equal(created.manifest.trigger, 'manual');
    assert.equal(created.manifest.serverVersion, '3.4.23');
    assert.equal(created.manifest.sizeBytes, 'snapshot bytes here'.length);
    assert.deepEqual(progress, [9, 15, 19]);
    assert.deepEqual((await readdir(storage.directory)).sort(), [
      'prod-20261129T053800Z.db',
      'prod-20261129T053800Z.manifest.json',
    ]);
    // A second backup in the same second gets its own name.
    const again = await createBackup({
      target: TARGET,
      options: { timeoutMs: 1000 },
      support: scriptedKind({}),
      storage,
      toolVersion: '0.1.0',
      clock: clockAt('2026-11-29T05:38:00.900Z'),
    });
    assert.equal(again.manifest.name, 'prod-20261129T053800Z-2');
  });

  test('a failure half-way leaves nothing, and nothing is listed', async () => {
    const storage = freshStorage();
    await assert.rejects(
      createBackup({
        target: TARGET,
        options: { timeoutMs: 1000 },
        support: scriptedKind({ failAfter: 2 }),
        storage,
        toolVersion: '0.1.0',
      }),
      /member went away/,
    );
    assert.deepEqual(await readdir(storage.directory), []);
    assert.deepEqual(await listBackups(storage), {
      destination: storage.location,
      backups: [],
      incomplete: [],
    });
  });

  test('an interrupt aborts cleanly: exit 130, nothing kept', async () => {
    const storage = freshStorage();
    const controller = new AbortController();
    await assert.rejects(
      createBackup({
        target: TARGET,
        options: { timeoutMs: 1000 },
        support: scriptedKind({
          beforeChunk: (index) => {
            if (index === 1) controller.abort();
          },
        }),
        storage,
        toolVersion: '0.1.0',
        signal: controller.signal,
      }),
      (error: { code?: string; exitCode?: number }) =>
        error.code === 'BACKUP_INTERRUPTED' && error.exitCode === 130,
    );
    assert.deepEqual(await readdir(storage.directory), []);
  });
});

describe('verifyBackup', () => {
  async function oneBackup(support = scriptedKind({})) {
    const storage = freshStorage();
    const created = await createBackup({
      target: TARGET,
      options: { timeoutMs: 1000 },
      support,
      storage,
      toolVersion: '0.1.0',
    });
    return { storage, manifest: created.manifest };
  }

  test('a good backup verifies and restores; the outcome is written into the manifest', async () => {
    const { storage, manifest } = await oneBackup();
    const report = await verifyBackup({
      storage,
      support: scriptedKind({}),
      restoreTest: true,
      clock: clockAt('2026-11-29T06:00:00.000Z'),
    });
    assert.equal(report.ok, true);
    assert.deepEqual(report.verification, {
      verifiedAt: '2026-11-29T06:00:00.000Z',
      integrity: 'ok',
      restoreTest: 'ok',
      restoreMs: 850,
    });
    assert.deepEqual(report.fingerprint?.mismatches, []);
    const saved = JSON.parse(
      await readFile(join(storage.directory, `${manifest.name}.manifest.json`), 'utf8'),
    ) as { verification: unknown };
    assert.deepEqual(saved.verification, report.verification);
  });

  test('one changed byte fails with the SHA-256 named', async () => {
    const { storage, manifest } = await oneBackup();
    const path = join(storage.directory, manifest.dataFile);
    const data = await readFile(path);
    data[3] = data[3]! ^ 0x01;
    await writeFile(path, data);
    const report = await verifyBackup({ storage, support: scriptedKind({}), restoreTest: true });
    assert.equal(report.ok, false);
    assert.equal(report.verification.integrity, 'failed');
    assert.equal(report.verification.restoreTest, undefined); // no restore of a corrupt file
    assert.match(
      report.verification.problem ?? '',
      /^SHA-256 mismatch: the data hashes to [0-9a-f]{64}, the manifest recorded/,
    );
    // Still listed (the data has its size), but marked failed: prune will not count it as verified.
    assert.equal((await listBackups(storage)).backups[0]?.verification?.integrity, 'failed');
  });

  test('a restore that reads back other content fails and says which facts differ', async () => {
    const { storage } = await oneBackup();
    const report = await verifyBackup({
      storage,
      support: scriptedKind({ restored: { revision: 42, keyCount: 2, hashKv: 99 } }),
      restoreTest: true,
    });
    assert.equal(report.ok, false);
    assert.equal(report.verification.restoreTest, 'failed');
    assert.equal(
      report.verification.problem,
      'restored content differs: keyCount 2 (recorded 3), hashKv 99 (recorded 1234)',
    );
  });

  test('unknown names are usage errors', async () => {
    const { storage } = await oneBackup();
    await assert.rejects(
      verifyBackup({ storage, support: scriptedKind({}), name: 'nope', restoreTest: false }),
      { code: 'BACKUP_NOT_FOUND' },
    );
  });
});

describe('pruneBackups and takeSafetyBackup', () => {
  test('prune keeps the last N and the newest verified backup, per cluster', async () => {
    const storage = freshStorage();
    const names: string[] = [];
    for (const minute of ['00', '01', '02', '03']) {
      const created = await createBackup({
        target: TARGET,
        options: { timeoutMs: 1000 },
        support: scriptedKind({}),
        storage,
        toolVersion: '0.1.0',
        clock: clockAt(`2026-11-29T05:${minute}:00.000Z`),
      });
      names.push(created.manifest.name);
    }
    await createBackup({
      target: { ...TARGET, name: 'staging' },
      options: { timeoutMs: 1000 },
      support: scriptedKind({}),
      storage,
      toolVersion: '0.1.0',
      clock: clockAt('2026-11-29T04:00:00.000Z'),
    });
    await verifyBackup({ storage, support: scriptedKind({}), name: names[0], restoreTest: false });
    const policy = { last: 1, hourly: 0, daily: 0, weekly: 0, monthly: 0 };
    const dry = await pruneBackups({ storage, policy, dryRun: true });
    assert.deepEqual(
      dry.keep.map((kept) => [kept.name, kept.reasons]),
      [
        ['prod-20261129T050300Z', ['last']],
        ['prod-20261129T050000Z', ['newest-verified']],
        ['staging-20261129T040000Z', ['last']],
      ],
    );
    assert.deepEqual(
      dry.remove.map((removed) => removed.name),
      [names[2], names[1]],
    );
    assert.equal((await listBackups(storage)).backups.length, 5); // dry run removed nothing
    await pruneBackups({ storage, policy, dryRun: false });
    assert.deepEqual(
      (await listBackups(storage)).backups.map((manifest) => manifest.name),
      ['prod-20261129T050300Z', 'prod-20261129T050000Z', 'staging-20261129T040000Z'],
    );
  });

  test('a safety backup is marked and re-read before the caller goes on', async () => {
    const storage = freshStorage();
    const created = await takeSafetyBackup({
      before: 'defrag',
      target: TARGET,
      options: { timeoutMs: 1000 },
      support: scriptedKind({}),
      storage,
      toolVersion: '0.1.0',
    });
    assert.equal(created.manifest.trigger, 'safety:defrag');
    assert.equal(created.manifest.verification?.integrity, 'ok');
    await assert.rejects(
      takeSafetyBackup({
        before: 'member remove',
        target: TARGET,
        options: { timeoutMs: 1000 },
        support: scriptedKind({ chunks: ['not the header'] }),
        storage,
        toolVersion: '0.1.0',
      }),
      (error: { code?: string; exitCode?: number }) =>
        error.code === 'SAFETY_BACKUP_FAILED' && error.exitCode === 4,
    );
  });
});
