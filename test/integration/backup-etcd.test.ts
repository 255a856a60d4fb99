// Acceptance (issue 6), live: 10,000 keys in a real etcd 3.4.23, backed up through the JSON
// gateway, read like `etcdctl snapshot status`, restored into a throwaway etcd with key
// count and HashKV compared and the RTO recorded; one changed byte fails verification.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { BackupManifest } from '../../core/backup/manifest.js';
import { createBackup, listBackups, verifyBackup } from '../../ops/backup.js';
import { BboltSnapshotReader } from '../../systems/etcd/snapshot-bbolt.js';
import { backupSupport } from '../../systems/etcd/snapshot.js';
import { hashKv } from '../../systems/etcd/snapshot-grpc.js';
import { openLocalDirectory } from '../../systems/storage/local-directory.js';
import {
  compact,
  currentRevision,
  deleteKey,
  keyCount,
  putKeys,
} from '../support/backup-etcd-load.js';
import { startStandaloneEtcd, type StandaloneEtcd } from '../support/standalone-etcd.js';

const run = promisify(execFile);

describe('etcd backups against a real etcd', { timeout: 120_000 }, () => {
  let etcd: StandaloneEtcd;
  let dir: string;
  let manifest: BackupManifest;
  const storage = () => openLocalDirectory(join(dir, 'backups'));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quorumctl-backup-it-'));
    etcd = await startStandaloneEtcd();
    // 10,100 keys, 100 deleted again, history compacted: 10,000 live keys and a compact revision.
    await putKeys(etcd.clientUrl, '/registry/pods/', 10_100);
    for (let n = 0; n < 100; n += 1) await deleteKey(etcd.clientUrl, `/registry/pods/${n}`);
    await compact(etcd.clientUrl, (await currentRevision(etcd.clientUrl)) - 50);
    assert.equal(await keyCount(etcd.clientUrl), 10_000);
  });

  after(async () => {
    await etcd.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('backup create: manifest with the revision and the source fingerprint', async () => {
    const revision = await currentRevision(etcd.clientUrl);
    const created = await createBackup({
      target: { name: 'it', kind: 'etcd', endpoints: [etcd.clientUrl] },
      options: { timeoutMs: 3000 },
      support: backupSupport,
      storage: storage(),
      toolVersion: 'test',
    });
    manifest = created.manifest;
    assert.equal(manifest.member, 's1');
    assert.equal(manifest.serverVersion, '3.4.23');
    assert.equal(manifest.position.revision, revision);
    assert.equal(manifest.fingerprint?.keyCount, 10_000);
    assert.equal(manifest.fingerprint?.compactRevision, revision - 50);
    // HashKV read independently, through gRPC, at the same revision.
    const hash = await hashKv(etcd.clientUrl, revision, { timeoutMs: 5000 });
    assert.equal(manifest.fingerprint?.hashKv, hash.hash);
    assert.deepEqual(await readdir(join(dir, 'backups')), [
      manifest.dataFile,
      `${manifest.name}.manifest.json`,
    ]);
  });

  test('the file is what etcdctl snapshot save writes, and reads the same in etcdctl', async () => {
    const path = join(dir, 'backups', manifest.dataFile);
    const { stdout } = await run('etcdctl', ['snapshot', 'status', '-w', 'json', path], {
      env: { ...process.env, ETCDCTL_API: '3' },
    });
    const status = JSON.parse(stdout) as { revision: number; totalKey: number; totalSize: number };
    const reader = new BboltSnapshotReader();
    reader.push(await readFile(path));
    const facts = reader.finish();
    assert.deepEqual(
      { revision: facts.revision, totalKey: facts.totalKeys, totalSize: facts.totalSizeBytes },
      { revision: status.revision, totalKey: status.totalKey, totalSize: status.totalSize },
    );
    // etcdctl's own copy of the same database is byte-identical (no writes in between).
    const theirs = join(dir, 'etcdctl.db');
    await run('etcdctl', ['--endpoints', etcd.clientUrl, 'snapshot', 'save', theirs], {
      env: { ...process.env, ETCDCTL_API: '3' },
    });
    assert.ok((await readFile(theirs)).equals(await readFile(path)));
  });

  test('the JSON gateway stream gives the same bytes as gRPC', async () => {
    const viaGateway = await createBackup({
      target: { name: 'it', kind: 'etcd', endpoints: [etcd.clientUrl] },
      options: { timeoutMs: 3000 },
      support: backupSupport,
      storage: openLocalDirectory(join(dir, 'gateway')),
      toolVersion: 'test',
      transport: 'gateway',
    });
    assert.equal(viaGateway.manifest.sha256, manifest.sha256);
    assert.deepEqual(viaGateway.manifest.fingerprint, manifest.fingerprint);
  });

  test('verify --restore-test: key count and HashKV match in a restored etcd, RTO recorded', async () => {
    const report = await verifyBackup({
      storage: storage(),
      support: backupSupport,
      name: manifest.name,
      restoreTest: true,
    });
    assert.equal(report.ok, true, report.verification.problem);
    assert.equal(report.verification.restoreTest, 'ok');
    assert.ok((report.verification.restoreMs ?? 0) > 0);
    assert.equal(report.fingerprint?.restored?.keyCount, 10_000);
    assert.equal(report.fingerprint?.restored?.hashKv, manifest.fingerprint?.hashKv);
    assert.equal(report.structure.facts.revision, manifest.position.revision);
    const [listed] = (await listBackups(storage())).backups;
    assert.equal(listed?.verification?.restoreMs, report.verification.restoreMs);
    // The throwaway etcd and its files are gone.
    const leftovers = (await readdir(tmpdir())).filter((entry) =>
      entry.startsWith('quorumctl-restore-test-'),
    );
    assert.deepEqual(leftovers, []);
  });

  test('one changed byte: verify fails and says why', async () => {
    const path = join(dir, 'backups', manifest.dataFile);
    const data = await readFile(path);
    const middle = Math.floor(data.length / 2);
    data[middle] = data[middle]! ^ 0x40;
    await writeFile(path, data);
    const report = await verifyBackup({
      storage: storage(),
      support: backupSupport,
      name: manifest.name,
      restoreTest: true,
    });
    assert.equal(report.ok, false);
    assert.equal(report.verification.integrity, 'failed');
    assert.match(report.verification.problem ?? '', /^SHA-256 mismatch/);
    // etcd's own trailer hash catches it too, in the structure check.
    assert.match(report.structure.problem ?? '', /SHA-256 trailer/);
  });
});
