// The local-directory storage keeps half-done backups invisible: .part until commit, data
// without a manifest is a leftover, a manifest whose data is missing or short is a leftover.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BackupManifest } from '../../core/backup/manifest.js';
import { directoryOf, openLocalDirectory } from '../../systems/storage/local-directory.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'quorumctl-storage-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let counter = 0;
function freshStorage() {
  counter += 1;
  return openLocalDirectory(join(root, `dest-${counter}`));
}

function manifestFor(name: string, sizeBytes: number, sha256: string): BackupManifest {
  return {
    apiVersion: 'quorumctl/v1',
    kind: 'BackupManifest',
    name,
    cluster: 'prod',
    systemKind: 'etcd',
    format: 'etcd-snapshot',
    member: 'm1',
    position: { revision: 7 },
    dataFile: `${name}.db`,
    sizeBytes,
    sha256,
    startedAt: `2026-11-29T05:00:0${counter % 10}.000Z`,
    finishedAt: '2026-11-29T05:00:09.000Z',
    toolVersion: 'test',
  };
}

async function backupWithData(storage: ReturnType<typeof openLocalDirectory>, name: string) {
  const writer = await storage.begin(name, `${name}.db`);
  await writer.write(Buffer.from('hello '));
  await writer.write(Buffer.from('world'));
  const committed = await writer.commit();
  return { committed, manifest: manifestFor(name, committed.sizeBytes, committed.sha256) };
}

describe('local directory storage', () => {
  test('data is <name>.part until commit, and never listed as a backup before its manifest', async () => {
    const storage = freshStorage();
    const writer = await storage.begin('prod-20261129T050000Z', 'prod-20261129T050000Z.db');
    await writer.write(Buffer.from('partial'));
    await writer.write(Buffer.alloc(2 * 1024 * 1024)); // past the write block: on disk now
    assert.deepEqual(await readdir(storage.directory), ['prod-20261129T050000Z.part']);
    assert.deepEqual(await storage.list(), {
      backups: [],
      incomplete: ['prod-20261129T050000Z.part'],
    });
    const committed = await writer.commit();
    assert.equal(committed.sizeBytes, 7 + 2 * 1024 * 1024);
    assert.deepEqual(await storage.list(), {
      backups: [],
      incomplete: ['prod-20261129T050000Z.db'],
    });
    await storage.writeManifest(
      manifestFor('prod-20261129T050000Z', committed.sizeBytes, committed.sha256),
    );
    const listed = await storage.list();
    assert.deepEqual(listed.incomplete, []);
    assert.deepEqual(
      listed.backups.map((backup) => backup.name),
      ['prod-20261129T050000Z'],
    );
  });

  test('SHA-256 and size are of exactly the bytes written', async () => {
    const storage = freshStorage();
    const { committed } = await backupWithData(storage, 'prod-20261129T050001Z');
    assert.equal(committed.sizeBytes, 11);
    // sha256("hello world")
    assert.equal(
      committed.sha256,
      'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
    );
  });

  test('abort removes the .part, even after a failed write', async () => {
    const storage = freshStorage();
    const writer = await storage.begin('prod-20261129T050002Z', 'prod-20261129T050002Z.db');
    await writer.write(Buffer.alloc(3 * 1024 * 1024));
    await writer.abort();
    await writer.abort(); // twice is safe
    assert.deepEqual(await readdir(storage.directory), []);
    await assert.rejects(writer.write(Buffer.from('x')), /aborted/);
  });

  test('a manifest whose data is missing or has the wrong size is incomplete, not a backup', async () => {
    const storage = freshStorage();
    const short = await backupWithData(storage, 'prod-20261129T050003Z');
    await storage.writeManifest(short.manifest);
    await truncate(join(storage.directory, short.manifest.dataFile), 5);
    const gone = await backupWithData(storage, 'prod-20261129T050004Z');
    await storage.writeManifest(gone.manifest);
    await rm(join(storage.directory, gone.manifest.dataFile));
    await writeFile(
      join(storage.directory, 'prod-20261129T050005Z.manifest.json'),
      '{"not": "a manifest"',
    );
    const listed = await storage.list();
    assert.deepEqual(listed.backups, []);
    assert.deepEqual(listed.incomplete.sort(), [
      'prod-20261129T050003Z.manifest.json',
      'prod-20261129T050004Z.manifest.json',
      'prod-20261129T050005Z.manifest.json',
    ]);
  });

  test('names are never reused and never overwritten', async () => {
    const storage = freshStorage();
    const { manifest } = await backupWithData(storage, 'prod-20261129T050006Z');
    await storage.writeManifest(manifest);
    await assert.rejects(storage.begin(manifest.name, manifest.dataFile), {
      code: 'BACKUP_EXISTS',
    });
    const writer = await storage.begin('prod-20261129T050007Z', 'prod-20261129T050007Z.db');
    await assert.rejects(storage.begin('prod-20261129T050007Z', 'prod-20261129T050007Z.db'), {
      code: 'BACKUP_IN_PROGRESS',
    });
    await writer.abort();
    await assert.rejects(storage.begin('../escape', 'x.db'), { code: 'BACKUP_NAME_INVALID' });
  });

  test('newest first; remove deletes the manifest, then the data', async () => {
    const storage = freshStorage();
    const first = await backupWithData(storage, 'prod-20261129T050008Z');
    await storage.writeManifest({ ...first.manifest, startedAt: '2026-11-29T05:00:08.000Z' });
    const second = await backupWithData(storage, 'prod-20261129T050009Z');
    await storage.writeManifest({ ...second.manifest, startedAt: '2026-11-29T05:00:09.000Z' });
    assert.deepEqual(
      (await storage.list()).backups.map((backup) => backup.name),
      ['prod-20261129T050009Z', 'prod-20261129T050008Z'],
    );
    await storage.remove(second.manifest);
    assert.deepEqual(await readdir(storage.directory), [
      'prod-20261129T050008Z.db',
      'prod-20261129T050008Z.manifest.json',
    ]);
    const chunks: Buffer[] = [];
    for await (const chunk of storage.readData(first.manifest)) chunks.push(Buffer.from(chunk));
    assert.equal(Buffer.concat(chunks).toString(), 'hello world');
  });

  test('leftovers are removed only once they are old enough', async () => {
    const storage = freshStorage();
    const writer = await storage.begin('prod-20261129T050010Z', 'prod-20261129T050010Z.db');
    await writer.write(Buffer.alloc(2 * 1024 * 1024));
    const entry = 'prod-20261129T050010Z.part';
    assert.equal(await storage.removeIncomplete(entry, new Date(Date.now() - 3_600_000)), false);
    const old = new Date(Date.now() - 7_200_000);
    await utimes(join(storage.directory, entry), old, old);
    assert.equal(await storage.removeIncomplete(entry, new Date(Date.now() - 3_600_000)), true);
    assert.deepEqual(await readdir(storage.directory), []);
    await writer.abort();
  });

  test('an empty or missing destination lists nothing', async () => {
    assert.deepEqual(await openLocalDirectory(join(root, 'never-created')).list(), {
      backups: [],
      incomplete: [],
    });
  });

  test('destinations: paths, file:// URLs; other schemes are refused', () => {
    assert.equal(directoryOf('file:///var/backups/etcd'), '/var/backups/etcd');
    assert.equal(directoryOf('/var/backups'), '/var/backups');
    assert.equal(directoryOf('backups/etcd', '/home/op'), '/home/op/backups/etcd');
    assert.throws(() => directoryOf('s3://bucket/etcd'), { code: 'DESTINATION_UNSUPPORTED' });
    assert.throws(() => directoryOf('file://remote-host/x'), { code: 'DESTINATION_INVALID' });
  });
});
