// Re-creating a dumped tree against a fake session: what is created with which ACL, what is held back, refused or skipped; the restore plan.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BackupManifest } from '../../core/backup/manifest.js';
import type { DumpAcl, DumpRecord, DumpZnode } from '../../core/backup/zookeeper-dump.js';
import { planZooKeeperRestore } from '../../systems/zookeeper/backup.js';
import { ZooKeeperClientError } from '../../systems/zookeeper/client.js';
import {
  applyFinalAcls,
  createTree,
  grantsEveryoneAll,
  restoreGrant,
} from '../../systems/zookeeper/restore.js';
import {
  digestAclId,
  type ZooKeeperRestoreSession,
} from '../../systems/zookeeper/restore-session.js';

const ALL: DumpAcl['permissions'] = ['READ', 'WRITE', 'CREATE', 'DELETE', 'ADMIN'];
const OPEN: DumpAcl[] = [{ scheme: 'world', id: 'anyone', permissions: ALL }];
const LOCKED: DumpAcl[] = [
  { scheme: 'world', id: 'anyone', permissions: ['READ'] },
  { scheme: 'digest', id: 'alice:hash', permissions: ALL },
];
const GRANT = restoreGrant({ username: 'quorumctl-restore', password: 'p' });

function znode(
  path: string,
  acl: DumpAcl[] = OPEN,
  kind: DumpZnode['kind'] = 'persistent',
): DumpZnode {
  return {
    type: 'znode',
    path,
    kind,
    data: Buffer.from(`data of ${path}`).toString('base64'),
    acl,
    stat: {
      version: 3,
      cversion: 0,
      aversion: 0,
      ctime: '',
      mtime: '',
      czxid: '0x1',
      mzxid: '0x1',
      pzxid: '0x1',
      ephemeralOwner: '0x0',
      dataLength: 0,
      numChildren: 0,
    },
  };
}

function header(root = '/'): DumpRecord {
  return {
    type: 'header',
    format: 'zookeeper-tree-dump',
    formatVersion: 1,
    root,
    member: 'server.2',
    endpoint: 'tcp://127.0.0.1:2181',
    zxidStart: '0x1',
    startedAt: '',
  };
}

async function* recordsOf(records: DumpRecord[]): AsyncGenerator<DumpRecord> {
  for (const record of records) yield await Promise.resolve(record);
}

/** Records calls in order; `existing` znodes answer NODE_EXISTS to create. */
function fakeSession(existing: string[] = ['/', '/zookeeper']) {
  const calls: string[] = [];
  const acls = new Map<string, DumpAcl[]>();
  const nodes = new Set(existing);
  const session = {
    getChildren(path: string) {
      calls.push(`ls ${path}`);
      return Promise.resolve(
        [...nodes]
          .filter((node) => node !== '/' && node.lastIndexOf('/') === 0 && path === '/')
          .map((node) => node.slice(1)),
      );
    },
    exists(path: string) {
      return Promise.resolve(nodes.has(path));
    },
    create(path: string, data: Buffer, acl: readonly DumpAcl[]) {
      calls.push(`create ${path}`);
      if (nodes.has(path))
        return Promise.reject(new ZooKeeperClientError('NODE_EXISTS', `${path}: exists`, path));
      nodes.add(path);
      acls.set(path, [...acl]);
      return Promise.resolve(path);
    },
    setData(path: string) {
      calls.push(`set ${path}`);
      return Promise.resolve();
    },
    setAcl(path: string, acl: readonly DumpAcl[]) {
      calls.push(`setAcl ${path}`);
      acls.set(path, [...acl]);
      return Promise.resolve();
    },
  };
  return { session: session as unknown as ZooKeeperRestoreSession, calls, acls, nodes };
}

describe('createTree', () => {
  test('creates in dump order, grants the restore identity on locked znodes only, skips ephemeral ones', async () => {
    const { session, calls, acls } = fakeSession();
    const { root, counts, pendingAcls } = await createTree(
      recordsOf([
        header(),
        znode('/'),
        znode('/app'),
        znode('/app/secret', LOCKED),
        znode('/app/secret/child', LOCKED),
        znode('/app/box', OPEN, 'container'),
        znode('/app/lock', OPEN, 'ephemeral'),
        znode('/queue'),
        znode('/queue/job-0000000007'),
      ]),
      session,
      GRANT,
    );
    assert.equal(root, '/');
    assert.deepEqual(counts, {
      created: 6,
      updated: 1,
      skippedEphemeral: 1,
      madePersistent: 1,
      sequentialParents: 1,
    });
    assert.deepEqual(
      calls.filter((call) => call.startsWith('create')),
      [
        'create /app',
        'create /app/secret',
        'create /app/secret/child',
        'create /app/box',
        'create /queue',
        'create /queue/job-0000000007',
      ],
    );
    // `/` exists in every ensemble: its data and ACL are set instead.
    assert.ok(calls.includes('set /') && calls.includes('setAcl /'));
    assert.deepEqual(acls.get('/app'), OPEN);
    assert.deepEqual(acls.get('/app/secret'), [...LOCKED, GRANT]);
    assert.deepEqual(pendingAcls, [
      { path: '/app/secret', acl: LOCKED },
      { path: '/app/secret/child', acl: LOCKED },
    ]);

    await applyFinalAcls(session, pendingAcls);
    assert.deepEqual(acls.get('/app/secret'), LOCKED);
    assert.deepEqual(acls.get('/app/secret/child'), LOCKED);
    assert.ok(calls.indexOf('setAcl /app/secret/child') < calls.indexOf('setAcl /app/secret'));
  });

  test('refuses an ensemble with user znodes, unless told to merge (then existing znodes are overwritten)', async () => {
    const refused = fakeSession(['/', '/zookeeper', '/legacy']);
    await assert.rejects(
      createTree(recordsOf([header(), znode('/'), znode('/app')]), refused.session, GRANT),
      (error: Error & { code?: string; exitCode?: number }) =>
        error.code === 'RESTORE_TARGET_NOT_EMPTY' && error.message.includes('/legacy'),
    );
    assert.ok(!refused.calls.some((call) => call.startsWith('create')));

    const merged = fakeSession(['/', '/zookeeper', '/app']);
    const { counts } = await createTree(
      recordsOf([header(), znode('/'), znode('/app'), znode('/app/new')]),
      merged.session,
      GRANT,
      { allowExistingZnodes: true },
    );
    assert.deepEqual([counts.created, counts.updated], [1, 2]);
    assert.ok(merged.calls.includes('set /app'));
  });

  test('a subtree dump gets its missing ancestors, open and empty', async () => {
    const { session, acls } = fakeSession();
    await createTree(recordsOf([header('/a/b'), znode('/a/b'), znode('/a/b/c')]), session, GRANT);
    assert.deepEqual(acls.get('/a'), OPEN);
    assert.ok(acls.has('/a/b/c'));
  });

  test('the first failure stops the restore', async () => {
    const { session } = fakeSession();
    const failing = session as unknown as { create: (path: string) => Promise<string> };
    failing.create = (path) =>
      path === '/b'
        ? Promise.reject(new ZooKeeperClientError('NO_AUTH', `${path}: not authorized`, path))
        : Promise.resolve(path);
    await assert.rejects(
      createTree(recordsOf([header(), znode('/a'), znode('/b'), znode('/c')]), session, GRANT),
      { code: 'RESTORE_NOT_AUTHORIZED' },
    );
  });
});

describe('restore grant', () => {
  test("is ZooKeeper's digest of user:password and grants everything", () => {
    // echo -n 'alice:alice-secret' | openssl sha1 -binary | base64
    assert.equal(
      digestAclId({ username: 'alice', password: 'alice-secret' }),
      'alice:JYdjG/dL2+v79QyuS8/0gpT+rQQ=',
    );
    assert.ok(grantsEveryoneAll(OPEN));
    assert.ok(!grantsEveryoneAll(LOCKED));
    assert.deepEqual(GRANT.permissions, ALL);
  });
});

describe('planZooKeeperRestore', () => {
  test('empty ensemble, re-create, verify, move clients; warns what does not come back', () => {
    const manifest = {
      name: 'prod-20261129T053800Z',
      member: 'server.2',
      position: { zxidStart: '0x100000010', zxidEnd: '0x100000012' },
      fingerprint: { treeDigest: 'sha256:abc', znodes: 2032 },
    } as unknown as BackupManifest;
    const plan = planZooKeeperRestore({
      manifest,
      dataPath: '/backups/prod.jsonl',
      targetCluster: 'dr',
      members: [{ name: 'server.1', clientUrl: 'tcp://10.0.0.1:2181' }],
    });
    assert.deepEqual(
      plan.steps.map((step) => step.id),
      ['prepare-ensemble', 'check-empty', 'restore-tree', 'verify-digest', 'move-clients'],
    );
    assert.equal(plan.steps[1]?.command, 'zkCli.sh -server 10.0.0.1:2181 ls /');
    assert.match(plan.steps[2]?.title ?? '', /2032 znodes/);
    assert.match(plan.steps[3]?.detail ?? '', /sha256:abc/);
    for (const expected of [
      /versions .* not preserved/,
      /ephemeral znodes are not restored/,
      /superDigest/,
      /0x100000010 and 0x100000012/,
    ])
      assert.ok(
        plan.warnings.some((warning) => expected.test(warning)),
        String(expected),
      );
  });
});
