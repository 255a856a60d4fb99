// The tree walk (against an in-memory tree), the member a dump reads from, and the Stat mapping.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parentPath } from '../../core/backup/zookeeper-dump.js';
import { treeDigest } from '../../core/backup/zookeeper-digest.js';
import type { ClusterStatus, MemberStatus } from '../../core/model.js';
import { chooseDumpMember, dumpZnode } from '../../systems/zookeeper/backup.js';
import { walkTree, type ZnodeReader } from '../../systems/zookeeper/backup-walk.js';
import { ZooKeeperClientError, type Znode } from '../../systems/zookeeper/client.js';
import { reachableMember, unreachableMember } from '../support/members.js';

const OPEN = [{ scheme: 'world', id: 'anyone', permissions: ['READ' as const, 'ADMIN' as const] }];

function znodeAt(path: string, data = path, ephemeralOwner = '0x0'): Znode {
  return {
    path,
    data: Buffer.from(data),
    acl: OPEN,
    stat: {
      createdZxid: '0x100000002',
      modifiedZxid: '0x100000003',
      childrenZxid: '0x100000004',
      createdAt: '2026-11-29T05:00:00.000Z',
      modifiedAt: '2026-11-29T05:00:01.000Z',
      version: 2,
      childrenVersion: 3,
      aclVersion: 1,
      ephemeralOwner,
      dataLength: Buffer.byteLength(data),
      numChildren: 0,
    },
  };
}

/** An in-memory tree answering after a random small delay, so reads complete out of order. */
function fakeTree(paths: string[], options: { vanish?: Set<string> } = {}): ZnodeReader {
  const all = new Set(['/', ...paths]);
  const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 2));
  return {
    async getChildren(path) {
      await pause();
      if (!all.has(path)) throw new ZooKeeperClientError('NO_NODE', `${path}: no such znode`, path);
      return [...all]
        .filter((candidate) => candidate !== '/' && parentPath(candidate) === path)
        .map((child) => child.slice(child.lastIndexOf('/') + 1));
    },
    async getData(path) {
      await pause();
      if (!all.has(path) || options.vanish?.has(path))
        throw new ZooKeeperClientError('NO_NODE', `${path}: no such znode`, path);
      return znodeAt(path);
    },
  };
}

/** Random trees: every path's ancestors are in it too. */
const treePaths = fc
  .uniqueArray(
    fc.array(fc.constantFrom('a', 'b', 'c', 'zookeeper'), { minLength: 1, maxLength: 4 }),
    { maxLength: 60, selector: (parts) => parts.join('/') },
  )
  .map((list) => {
    const paths = new Set<string>();
    for (const parts of list)
      for (let depth = 1; depth <= parts.length; depth += 1)
        paths.add(`/${parts.slice(0, depth).join('/')}`);
    return [...paths];
  });

async function walkOrder(reader: ZnodeReader, concurrency: number, skipZookeeper = true) {
  const visited: string[] = [];
  let active = 0;
  let maxActive = 0;
  const result = await walkTree(
    reader,
    {
      root: '/',
      concurrency,
      ...(skipZookeeper && { skip: (path: string) => path === '/zookeeper' }),
    },
    async (znode) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setImmediate(resolve));
      visited.push(znode.path);
      active -= 1;
    },
  );
  return { visited, result, maxActive };
}

describe('walkTree', () => {
  test('visits every znode once, each parent before its children, one visit at a time, whatever the concurrency', async () => {
    await fc.assert(
      fc.asyncProperty(treePaths, fc.integer({ min: 1, max: 16 }), async (paths, concurrency) => {
        const { visited, result, maxActive } = await walkOrder(fakeTree(paths), concurrency);
        const expected = ['/', ...paths.filter((path) => !path.startsWith('/zookeeper'))];
        assert.deepEqual([...visited].sort(), expected.sort());
        assert.equal(result.znodes, expected.length);
        assert.equal(maxActive, 1);
        const seen = new Set<string>();
        for (const path of visited) {
          const parent = parentPath(path);
          if (parent !== undefined) assert.ok(seen.has(parent), `${path} before ${parent}`);
          seen.add(path);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('the digest of what it reads does not depend on the concurrency', async () => {
    const paths = ['/a', '/a/b', '/a/c', '/b', '/b/a', '/b/a/c', '/c'];
    const digests = [];
    for (const concurrency of [1, 3, 16]) {
      const znodes: Znode[] = [];
      await walkTree(fakeTree(paths), { root: '/', concurrency }, (znode) => {
        znodes.push(znode);
        return Promise.resolve();
      });
      digests.push(treeDigest(znodes));
    }
    assert.equal(new Set(digests).size, 1);
  });

  test('a znode deleted between its listing and its read is counted, not fatal; a missing root is', async () => {
    const { result, visited } = await walkOrder(
      fakeTree(['/a', '/b'], { vanish: new Set(['/b']) }),
      4,
    );
    assert.deepEqual(result, { znodes: 2, vanished: 1 });
    assert.deepEqual(visited.sort(), ['/', '/a']);
    await assert.rejects(
      walkTree(fakeTree([]), { root: '/nope', concurrency: 2 }, () => Promise.resolve()),
      { code: 'NO_NODE' },
    );
  });

  test('a failing visit stops the walk with its error', async () => {
    await assert.rejects(
      walkTree(fakeTree(['/a', '/b']), { root: '/', concurrency: 2 }, (znode) =>
        znode.path === '/a' ? Promise.reject(new Error('disk full')) : Promise.resolve(),
      ),
      /disk full/,
    );
  });
});

function statusOf(members: MemberStatus[]): ClusterStatus {
  return {
    cluster: 'zk',
    kind: 'zookeeper',
    members,
    quorum: {} as ClusterStatus['quorum'],
    alarms: [],
    observedAt: '2026-11-29T05:38:00.000Z',
  };
}

describe('chooseDumpMember', () => {
  const leader = reachableMember('server.1', { role: 'leader', endpoint: 'tcp://10.0.0.1:2181' });
  const behind = reachableMember('server.2', { lagEntries: 40, endpoint: 'tcp://10.0.0.2:2181' });
  const current = reachableMember('server.3', { lagEntries: 0, endpoint: 'tcp://10.0.0.3:2181' });

  test('the least-behind follower, keeping reads off the leader', () => {
    const { member, notes } = chooseDumpMember(statusOf([leader, behind, current]));
    assert.equal(member.name, 'server.3');
    assert.match(notes[0] ?? '', /server\.3, a follower, to keep reads off the leader/);
  });

  test('the leader only when no follower or observer serves', () => {
    const down = unreachableMember('server.2');
    const { member, notes } = chooseDumpMember(statusOf([leader, down]));
    assert.equal(member.name, 'server.1');
    assert.match(notes[0] ?? '', /the leader: no follower or observer was serving/);
  });

  test("the operator's choice by name, ID or host:port; refused when unknown or not serving", () => {
    const status = statusOf([leader, behind, current]);
    assert.equal(chooseDumpMember(status, 'server.1').member.name, 'server.1');
    assert.equal(chooseDumpMember(status, 'id-server.2').member.name, 'server.2');
    assert.equal(chooseDumpMember(status, '10.0.0.3:2181').member.name, 'server.3');
    assert.throws(() => chooseDumpMember(status, 'server.9'), { code: 'MEMBER_NOT_FOUND' });
    const notServing = reachableMember('server.4', {
      role: 'candidate',
      error: {
        code: 'NOT_SERVING',
        message: 'This ZooKeeper instance is not currently serving requests',
      },
    });
    assert.throws(() => chooseDumpMember(statusOf([notServing]), 'server.4'), {
      code: 'MEMBER_NOT_SERVING',
    });
    assert.throws(() => chooseDumpMember(statusOf([notServing])), { code: 'NO_MEMBER_SERVING' });
  });
});

describe('dumpZnode', () => {
  test("ZooKeeper's Stat names, base64 data, the kind from the owner", () => {
    const record = dumpZnode(znodeAt('/locks/l1', 'held', '0x10000a1b2c3d0000'));
    assert.deepEqual(record, {
      type: 'znode',
      path: '/locks/l1',
      kind: 'ephemeral',
      data: 'aGVsZA==',
      acl: OPEN,
      stat: {
        version: 2,
        cversion: 3,
        aversion: 1,
        ctime: '2026-11-29T05:00:00.000Z',
        mtime: '2026-11-29T05:00:01.000Z',
        czxid: '0x100000002',
        mzxid: '0x100000003',
        pzxid: '0x100000004',
        ephemeralOwner: '0x10000a1b2c3d0000',
        dataLength: 4,
        numChildren: 0,
      },
    });
  });
});
