// The tree digest: independent of the order znodes are read in and of ACL entry order, changed by any byte of path, data or ACL.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  TreeDigest,
  treeDigest,
  znodeDigestLine,
  type DigestEntry,
} from '../../core/backup/zookeeper-digest.js';

const PERMISSIONS = ['READ', 'WRITE', 'CREATE', 'DELETE', 'ADMIN'];

const aclEntry = fc.record({
  scheme: fc.constantFrom('world', 'digest', 'ip', 'sasl'),
  id: fc.string({ maxLength: 12 }),
  permissions: fc.subarray(PERMISSIONS, { minLength: 1 }),
});

/** Trees as sets of entries with distinct paths (what a walk can produce). */
const tree = fc.uniqueArray(
  fc.record({
    path: fc
      .array(fc.stringMatching(/^[a-z0-9._-]{1,6}$/), { minLength: 1, maxLength: 4 })
      .map((parts) => `/${parts.join('/')}`),
    data: fc.uint8Array({ maxLength: 48 }),
    acl: fc.array(aclEntry, { minLength: 1, maxLength: 3 }),
  }),
  { minLength: 1, maxLength: 40, selector: (entry) => entry.path },
);

describe('tree digest', () => {
  test('the same for every order the znodes are read in', () => {
    fc.assert(
      fc.property(
        tree.chain((entries) =>
          fc.tuple(
            fc.constant(entries),
            fc.shuffledSubarray(entries, { minLength: entries.length }),
          ),
        ),
        ([entries, shuffled]) => {
          assert.equal(treeDigest(shuffled), treeDigest(entries));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('changes when any single byte of any znode data changes', () => {
    fc.assert(
      fc.property(
        tree.filter((entries) => entries.some((entry) => entry.data.length > 0)),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (entries, pick, at, flip) => {
          const withData = entries.filter((entry) => entry.data.length > 0);
          const victim = withData[pick % withData.length] as DigestEntry;
          const data = Uint8Array.from(victim.data);
          const index = at % data.length;
          data[index] = (data[index] ?? 0) ^ flip;
          const changed = entries.map((entry) => (entry === victim ? { ...entry, data } : entry));
          assert.notEqual(treeDigest(changed), treeDigest(entries));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('changes when a path, an ACL permission or an ACL id changes, or a znode goes missing', () => {
    fc.assert(
      fc.property(tree, fc.nat(), (entries, pick) => {
        const victim = entries[pick % entries.length] as DigestEntry;
        // Distinct (scheme, id) pairs, so that editing one entry cannot recreate another.
        fc.pre(
          new Set(victim.acl.map((entry) => `${entry.scheme}\n${entry.id}`)).size ===
            victim.acl.length,
        );
        const original = treeDigest(entries);
        const replace = (changed: DigestEntry) =>
          treeDigest(entries.map((entry) => (entry === victim ? changed : entry)));
        assert.notEqual(replace({ ...victim, path: `${victim.path}x` }), original);
        const [first, ...rest] = victim.acl;
        assert.ok(first);
        const otherPermissions = PERMISSIONS.filter(
          (permission) => !first.permissions.includes(permission),
        );
        const permissions =
          otherPermissions.length > 0
            ? [...first.permissions, otherPermissions[0] as string]
            : ['READ'];
        assert.notEqual(
          replace({ ...victim, acl: [{ ...first, permissions }, ...rest] }),
          original,
        );
        assert.notEqual(
          replace({ ...victim, acl: [{ ...first, id: `${first.id}\u0000!` }, ...rest] }),
          original,
        );
        if (entries.length > 1)
          assert.notEqual(treeDigest(entries.filter((entry) => entry !== victim)), original);
      }),
      { numRuns: 300 },
    );
  });

  test('ACL entry order, duplicates and permission order do not matter (ZooKeeper keeps a set)', () => {
    const acl = [
      { scheme: 'world', id: 'anyone', permissions: ['READ'] },
      { scheme: 'digest', id: 'alice:x', permissions: ['ADMIN', 'READ', 'WRITE'] },
    ];
    const reordered = [
      { scheme: 'digest', id: 'alice:x', permissions: ['WRITE', 'READ', 'ADMIN'] },
      { scheme: 'world', id: 'anyone', permissions: ['READ'] },
      { scheme: 'world', id: 'anyone', permissions: ['READ'] },
    ];
    const data = new Uint8Array([1, 2, 3]);
    assert.equal(
      znodeDigestLine({ path: '/a', data, acl }),
      znodeDigestLine({ path: '/a', data, acl: reordered }),
    );
    assert.equal(
      znodeDigestLine({ path: '/a', data, acl }),
      '["/a","AQID",["[\\"digest\\",\\"alice:x\\",\\"rwa\\"]","[\\"world\\",\\"anyone\\",\\"r\\"]"]]',
    );
  });

  test('fields cannot run into each other: a path ending in data is not data', () => {
    const open = [{ scheme: 'world', id: 'anyone', permissions: PERMISSIONS }];
    assert.notEqual(
      treeDigest([{ path: '/ab', data: new Uint8Array(), acl: open }]),
      treeDigest([{ path: '/a', data: Buffer.from('b'), acl: open }]),
    );
  });

  test('incremental and all-at-once agree; an empty tree has a digest too', () => {
    const digest = new TreeDigest();
    assert.match(digest.digest(), /^sha256:[0-9a-f]{64}$/);
    const entries = [
      {
        path: '/',
        data: new Uint8Array(),
        acl: [{ scheme: 'world', id: 'anyone', permissions: PERMISSIONS }],
      },
      {
        path: '/a',
        data: Buffer.from('x'),
        acl: [{ scheme: 'world', id: 'anyone', permissions: PERMISSIONS }],
      },
    ];
    for (const entry of entries) digest.add(entry);
    assert.equal(digest.count, 2);
    assert.equal(digest.digest(), treeDigest(entries));
  });
});
