// The streaming bbolt reader against a real etcd 3.4.23 snapshot: the same facts as
// `etcdctl snapshot status`, whatever the chunking, and every kind of damage reported.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { BboltSnapshotReader, SnapshotStructureError } from '../../systems/etcd/snapshot-bbolt.js';
import { REPO_ROOT } from '../support/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'backup');
const SNAPSHOT = readFileSync(join(FIXTURES, 'etcd-3.4.23-snapshot.db'));
const RECORDED = JSON.parse(readFileSync(join(FIXTURES, 'etcd-3.4.23-snapshot.json'), 'utf8')) as {
  etcdctlSnapshotStatus: { revision: number; totalKey: number; totalSize: number };
};
const PAGE = 4096;

function read(data: Uint8Array, chunkBytes = 32 * 1024) {
  const reader = new BboltSnapshotReader();
  for (let at = 0; at < data.length; at += chunkBytes)
    reader.push(data.subarray(at, at + chunkBytes));
  return reader.finish();
}

function problemOf(data: Uint8Array): string {
  try {
    read(data);
  } catch (error) {
    assert.ok(error instanceof SnapshotStructureError, String(error));
    return error.message;
  }
  assert.fail('the damaged snapshot was accepted');
}

/** Page ids of the fixture's pages by flag, read from their headers. */
function pagesWithFlag(flag: number): number[] {
  const pages: number[] = [];
  for (let pgid = 2; pgid * PAGE < SNAPSHOT.length - 32; pgid += 1) {
    const header = SNAPSHOT.subarray(pgid * PAGE, pgid * PAGE + 16);
    if (Number(header.readBigUInt64LE(0)) === pgid && header.readUInt16LE(8) === flag)
      pages.push(pgid);
  }
  return pages;
}

describe('BboltSnapshotReader', () => {
  test('reports what etcdctl snapshot status reports', () => {
    const facts = read(SNAPSHOT);
    const expected = RECORDED.etcdctlSnapshotStatus;
    assert.equal(facts.revision, expected.revision);
    assert.equal(facts.totalKeys, expected.totalKey);
    assert.equal(facts.totalSizeBytes, expected.totalSize);
    assert.equal(facts.pageSizeBytes, PAGE);
    assert.equal(facts.hashTrailer, true);
    assert.ok(facts.buckets.includes('key') && facts.buckets.includes('meta'));
  });

  test('the same facts for any chunking (property)', () => {
    const whole = read(SNAPSHOT);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70_000 }), (chunkBytes) => {
        assert.deepEqual(read(SNAPSHOT, chunkBytes), whole);
      }),
      { numRuns: 40 },
    );
  });

  test('without the SHA-256 trailer it still parses, and says so', () => {
    const facts = read(SNAPSHOT.subarray(0, SNAPSHOT.length - 32));
    assert.equal(facts.hashTrailer, false);
    assert.equal(facts.revision, RECORDED.etcdctlSnapshotStatus.revision);
  });

  test('a changed byte in the data breaks the trailer hash', () => {
    const damaged = Buffer.from(SNAPSHOT);
    const leaf = pagesWithFlag(0x02).at(-1)!;
    damaged[leaf * PAGE + PAGE - 1] = (damaged[leaf * PAGE + PAGE - 1]! + 1) % 256;
    assert.match(problemOf(damaged), /SHA-256 trailer .* does not match/);
  });

  test('a damaged meta page falls back to the other one, both damaged is refused', () => {
    const oneBad = Buffer.from(SNAPSHOT);
    oneBad[16 + 20] = oneBad[16 + 20]! ^ 0xff; // inside meta 0's root field: checksum fails
    // Meta 1 is intact, but the data hash (which covers meta 0) now differs.
    assert.match(problemOf(oneBad), /SHA-256 trailer/);
    const bothBad = Buffer.from(oneBad);
    bothBad[PAGE + 16 + 20] = bothBad[PAGE + 16 + 20]! ^ 0xff;
    assert.match(problemOf(bothBad), /no valid meta page: .*checksum/);
  });

  test('a page the tree points at with a wrong header is named', () => {
    const damaged = Buffer.from(SNAPSHOT.subarray(0, SNAPSHOT.length - 32)); // no trailer to trip first
    // The root bucket's page, from the meta page with the higher transaction ID.
    const metas = [0, 1].map((pgid) => ({
      root: Number(SNAPSHOT.readBigUInt64LE(pgid * PAGE + 32)),
      txid: Number(SNAPSHOT.readBigUInt64LE(pgid * PAGE + 64)),
    }));
    const root = metas.sort((a, b) => b.txid - a.txid)[0]!.root;
    damaged.writeBigUInt64LE(BigInt(root + 1000), root * PAGE); // wrong page id
    assert.match(problemOf(damaged), new RegExp(`page ${root} is not a branch or leaf page`));
  });

  test('truncation is reported with the sizes', () => {
    assert.match(
      problemOf(SNAPSHOT.subarray(0, 10 * PAGE + 100)),
      /truncated: 41060 of 94208 bytes/,
    );
    assert.match(problemOf(SNAPSHOT.subarray(0, 1000)), /too short for a bbolt file: 1000 bytes/);
  });

  test('garbage after the trailer is reported', () => {
    assert.match(
      problemOf(Buffer.concat([SNAPSHOT, Buffer.from('extra')])),
      /37 unexpected bytes after the database/,
    );
  });

  test('not a bbolt file at all', () => {
    const text = Buffer.alloc(3 * PAGE, 'this is not a database ');
    assert.match(problemOf(text), /no valid meta page/);
  });

  test('the fixture is the recorded one', () => {
    const sha = createHash('sha256').update(SNAPSHOT.subarray(0, -32)).digest();
    assert.deepEqual(sha, SNAPSHOT.subarray(-32));
  });
});
