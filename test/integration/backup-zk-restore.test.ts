// ZooKeeper tree dumps against live 3-server sandboxes: 2,000+ nested znodes with data and ACLs, dumped, checked, restored into a fresh ensemble.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BACKUP_FORMATS, type BackupManifest } from '../../core/backup/manifest.js';
import {
  fingerprintMismatches,
  type BackupSink,
  type ProducedBackup,
  type ThrowawayClusters,
} from '../../core/backup/producer.js';
import { parseDump, type DumpAcl } from '../../core/backup/zookeeper-dump.js';
import type { ClusterTarget, ConnectOptions } from '../../core/ports.js';
import { sandboxDown, sandboxTarget, sandboxUp, type SandboxRecord } from '../../sandbox/index.js';
import { backupSupport } from '../../systems/zookeeper/backup.js';
import { ZooKeeperDataClient } from '../../systems/zookeeper/client.js';
import { readTreeDigest } from '../../systems/zookeeper/restore.js';
import {
  digestAclId,
  ZooKeeperRestoreSession,
  type DigestIdentity,
} from '../../systems/zookeeper/restore-session.js';
import { allStarted } from '../support/all-started.js';

const ALICE: DigestIdentity = { username: 'alice', password: 'alice-secret' };
const OPTIONS: ConnectOptions = { timeoutMs: 10_000, auth: ALICE };
const ALL: DumpAcl['permissions'] = ['READ', 'WRITE', 'CREATE', 'DELETE', 'ADMIN'];
const OPEN: DumpAcl[] = [{ scheme: 'world', id: 'anyone', permissions: ALL }];
const ALICE_ONLY: DumpAcl[] = [{ scheme: 'digest', id: digestAclId(ALICE), permissions: ALL }];
/** Everyone reads, alice administers: the restore cannot create children under it unaided. */
const READ_ONLY_FOR_OTHERS: DumpAcl[] = [
  { scheme: 'world', id: 'anyone', permissions: ['READ'] },
  { scheme: 'digest', id: digestAclId(ALICE), permissions: ALL },
];
const SERVICES = 20;
const CONFIGS = 10;
const KEYS = 9;
const EPHEMERAL = 3;
const QUEUED = 5;

function targetOf(record: SandboxRecord): ClusterTarget {
  return { name: record.name, kind: 'zookeeper', ...sandboxTarget(record) };
}

function memorySink(): BackupSink & { bytes(): Buffer } {
  const chunks: Buffer[] = [];
  return {
    write(chunk) {
      chunks.push(Buffer.from(chunk));
      return Promise.resolve();
    },
    expectTotalBytes: () => undefined,
    bytes: () => Buffer.concat(chunks),
  };
}

async function* chunksOf(data: Buffer, size = 4096): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < data.length; start += size) {
    await Promise.resolve();
    yield data.subarray(start, start + size);
  }
}

/** /app/svc-NN/cfg-NN/key-N with binary data; some subtrees locked to alice; ephemeral and sequential-looking znodes. */
async function populate(session: ZooKeeperRestoreSession): Promise<number> {
  let created = 0;
  const create = async (path: string, data: Buffer, acl: DumpAcl[]) => {
    await session.create(path, data, acl);
    created += 1;
  };
  await create('/app', Buffer.from('{"owner":"platform"}'), OPEN);
  await Promise.all(
    Array.from({ length: SERVICES }, (_, service) =>
      create(`/app/svc-${service}`, Buffer.from(`service ${service}`), OPEN),
    ),
  );
  const configs = Array.from({ length: SERVICES * CONFIGS }, (_, index) => ({
    path: `/app/svc-${Math.floor(index / CONFIGS)}/cfg-${index % CONFIGS}`,
    acl: index % 3 === 0 ? READ_ONLY_FOR_OTHERS : OPEN,
  }));
  await Promise.all(configs.map(({ path, acl }) => create(path, randomBytes(64), acl)));
  await Promise.all(
    configs.flatMap(({ path }, index) =>
      Array.from({ length: KEYS }, (_, key) =>
        create(
          `${path}/key-${key}`,
          key === 0 ? Buffer.alloc(0) : randomBytes(16 + key),
          (index + key) % 4 === 0 ? ALICE_ONLY : OPEN,
        ),
      ),
    ),
  );
  await create('/queue', Buffer.alloc(0), OPEN);
  for (let item = 1; item <= QUEUED; item += 1)
    await create(`/queue/item-${String(item).padStart(10, '0')}`, Buffer.from(`job ${item}`), OPEN);
  await create('/locks', Buffer.alloc(0), OPEN);
  for (let lock = 0; lock < EPHEMERAL; lock += 1)
    await session.create(`/locks/lock-${lock}`, Buffer.from('held'), OPEN, 'ephemeral');
  return created;
}

describe('ZooKeeper tree dump and restore against live sandboxes', { timeout: 120_000 }, () => {
  let stateDir: string;
  let source: SandboxRecord;
  let fresh: SandboxRecord;
  let owner: ZooKeeperRestoreSession | undefined;
  let persistentCreated = 0;
  let dataPath: string;
  let produced: ProducedBackup;
  let manifest: BackupManifest;
  const started: string[] = [];

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-it-backup-zk-'));
    dataPath = join(stateDir, 'backup.jsonl');
    // Recorded first: when one start fails, the other sandbox must still be stopped.
    started.push('zksrc', 'zkdst');
    [source, fresh] = await allStarted([
      sandboxUp({ stateDir, name: 'zksrc', kind: 'zookeeper', members: 3 }),
      sandboxUp({ stateDir, name: 'zkdst', kind: 'zookeeper', members: 3 }),
    ]);
    // Kept open through the backup: its ephemeral znodes live as long as this session.
    owner = await ZooKeeperRestoreSession.connect({
      endpoint: source.endpoints[0] ?? '',
      identities: [ALICE],
      timeoutMs: 10_000,
    });
    persistentCreated = await populate(owner);
  });

  after(async () => {
    await owner?.close();
    for (const name of started)
      await sandboxDown(stateDir, name, { graceMs: 1000 }).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  });

  test('the dump: every znode once, parents first, ephemeral ones flagged, zxid range, from a follower', async () => {
    assert.ok(persistentCreated >= 2000);
    const sink = memorySink();
    const producer = backupSupport.openProducer(targetOf(source), OPTIONS);
    const startedAt = new Date();
    try {
      produced = await producer.produce({}, sink);
    } finally {
      await producer.close();
    }
    const data = sink.bytes();
    await writeFile(dataPath, data);

    // The source's own tree plus `/`; ephemeral znodes are not part of the fingerprint.
    assert.equal(produced.fingerprint?.znodes, persistentCreated + 1);
    assert.match(String(produced.fingerprint?.treeDigest), /^sha256:[0-9a-f]{64}$/);
    const { zxidStart, zxidEnd } = produced.position;
    assert.ok(BigInt(String(zxidStart)) <= BigInt(String(zxidEnd)));
    assert.ok(produced.notes?.some((note) => note.includes('follower')));
    assert.ok(produced.notes?.some((note) => note.includes(`${EPHEMERAL} ephemeral`)));

    const records = [];
    for await (const record of parseDump(chunksOf(data))) records.push(record);
    const znodes = records.filter((record) => record.type === 'znode');
    assert.equal(znodes.length, persistentCreated + 1 + EPHEMERAL);
    assert.equal(znodes.filter((znode) => znode.kind === 'ephemeral').length, EPHEMERAL);
    assert.ok(!znodes.some((znode) => znode.path.startsWith('/zookeeper')));
    const locked = znodes.find((znode) => znode.path === '/app/svc-0/cfg-0');
    assert.deepEqual(
      locked?.acl.map((entry) => entry.scheme),
      ['world', 'digest'],
    );
    assert.equal(locked?.stat.version, 0);
    manifest = {
      apiVersion: 'quorumctl/v1',
      kind: 'BackupManifest',
      name: 'zksrc-test',
      cluster: 'zksrc',
      systemKind: 'zookeeper',
      format: BACKUP_FORMATS.zookeeper,
      member: produced.member,
      position: produced.position,
      dataFile: 'backup.jsonl',
      sizeBytes: data.length,
      sha256: 'not-checked-here',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      toolVersion: 'test',
      ...(produced.fingerprint !== undefined && { fingerprint: produced.fingerprint }),
    };
  });

  test('the structure check parses the dump, and fails on one changed byte or a cut-off', async () => {
    const data = await readFile(dataPath);
    const good = await backupSupport.checkStructure(chunksOf(data), manifest);
    assert.equal(good.ok, true, good.problem);
    assert.equal(good.facts.ephemeralZnodes, EPHEMERAL);
    assert.equal(good.facts.treeDigest, manifest.fingerprint?.treeDigest);

    // A digit of a data field changed: still valid JSON and base64, a different tree.
    const text = data.toString('utf8');
    const at = text.indexOf('"data":"', text.indexOf('/app/svc-3')) + 8;
    const changed = Buffer.from(text);
    changed[at] = changed[at] === 0x41 ? 0x42 : 0x41;
    const corrupt = await backupSupport.checkStructure(chunksOf(changed), manifest);
    assert.equal(corrupt.ok, false);
    assert.match(corrupt.problem ?? '', /treeDigest/);

    const cut = await backupSupport.checkStructure(
      chunksOf(data.subarray(0, data.length - 1)),
      manifest,
    );
    assert.equal(cut.ok, false);
    assert.match(cut.problem ?? '', /cut off|truncated/);
  });

  // The sandbox runs with skipACL=yes: ACLs are stored but not enforced (backup-zk-acl.test.ts enforces them).
  test('restored into a fresh ensemble: same tree digest, exact ACLs, no ephemeral znodes', async () => {
    const result = await backupSupport.restoreInto?.({
      manifest,
      dataPath,
      target: targetOf(fresh),
      options: OPTIONS,
    });
    assert.ok(result);
    assert.deepEqual(
      fingerprintMismatches(manifest.fingerprint ?? {}, result.fingerprint ?? {}),
      [],
    );
    assert.equal(result.restored.skippedEphemeral, EPHEMERAL);
    assert.equal(result.restored.sequentialParents, 1);
    assert.equal(result.restored.created, persistentCreated);

    // Read back as alice, without the restore identity: the final ACLs, not the temporary grants.
    const endpoint = fresh.endpoints[1] ?? '';
    const reader = await ZooKeeperDataClient.connect([endpoint], OPTIONS);
    try {
      const readBack = await readTreeDigest(reader, '/');
      assert.equal(readBack.treeDigest, manifest.fingerprint?.treeDigest);
      const acl = (await reader.getData('/app/svc-0/cfg-0')).acl;
      assert.deepEqual(
        acl.map((entry) => `${entry.scheme}:${entry.id}:${entry.permissions.join('')}`),
        READ_ONLY_FOR_OTHERS.map(
          (entry) => `${entry.scheme}:${entry.id}:${entry.permissions.join('')}`,
        ),
      );
      assert.deepEqual(await reader.getChildren('/locks'), []);
    } finally {
      await reader.close();
    }
  });

  test('a second restore into the now non-empty ensemble is refused', async () => {
    await assert.rejects(
      Promise.resolve(
        backupSupport.restoreInto?.({
          manifest,
          dataPath,
          target: targetOf(fresh),
          options: OPTIONS,
        }),
      ),
      (error: Error & { code?: string }) => error.code === 'RESTORE_TARGET_NOT_EMPTY',
    );
  });

  test('the restore test restores into a throwaway ensemble without credentials, times it, tears it down', async () => {
    let count = 0;
    const throwaway: ThrowawayClusters = {
      async start(kind, members) {
        count += 1;
        const name = `zktmp${count}`;
        const record = await sandboxUp({ stateDir, name, kind: kind as 'zookeeper', members });
        started.push(name);
        let destroyed = false;
        return {
          target: targetOf(record),
          destroy: async () => {
            if (destroyed) return;
            destroyed = true;
            await sandboxDown(stateDir, name, { graceMs: 1000 });
          },
        };
      },
    };
    const result = await backupSupport.restoreTest?.({
      manifest,
      dataPath,
      workDir: stateDir,
      throwaway,
    });
    assert.ok(result);
    assert.ok(result.restoreMs > 0);
    assert.deepEqual(fingerprintMismatches(manifest.fingerprint ?? {}, result.fingerprint), []);
    assert.equal(count, 1);
  });
});
