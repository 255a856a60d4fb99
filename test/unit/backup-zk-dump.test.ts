// The ZooKeeper dump format: lines written and parsed whatever the chunking, and every way a dump can be unusable.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  DumpChecker,
  DumpFormatError,
  encodeDumpRecord,
  isUnder,
  parentPath,
  parseDump,
  pathDepth,
  znodeKindOf,
  type DumpRecord,
  type DumpZnode,
} from '../../core/backup/zookeeper-dump.js';
import { treeDigest } from '../../core/backup/zookeeper-digest.js';

const OPEN = [
  { scheme: 'world', id: 'anyone', permissions: ['READ', 'WRITE', 'CREATE', 'DELETE', 'ADMIN'] },
] as DumpZnode['acl'];

function znode(path: string, data = '', kind: DumpZnode['kind'] = 'persistent'): DumpZnode {
  return {
    type: 'znode',
    path,
    kind,
    data: Buffer.from(data).toString('base64'),
    acl: OPEN,
    stat: {
      version: 0,
      cversion: 0,
      aversion: 0,
      ctime: '2026-11-29T05:00:00.000Z',
      mtime: '2026-11-29T05:00:00.000Z',
      czxid: '0x100000002',
      mzxid: '0x100000002',
      pzxid: '0x100000002',
      ephemeralOwner: kind === 'ephemeral' ? '0x10000a1b2c3d0000' : '0x0',
      dataLength: data.length,
      numChildren: 0,
    },
  };
}

/** A complete dump of `znodes` whose trailer agrees with them. */
function dumpOf(znodes: DumpZnode[], root = '/'): DumpRecord[] {
  const restorable = znodes.filter((record) => record.kind !== 'ephemeral');
  return [
    {
      type: 'header',
      format: 'zookeeper-tree-dump',
      formatVersion: 1,
      root,
      member: 'server.2',
      endpoint: 'tcp://127.0.0.1:2181',
      zxidStart: '0x100000010',
      startedAt: '2026-11-29T05:38:00.000Z',
    },
    ...znodes,
    {
      type: 'end',
      znodes: znodes.length,
      ephemeralZnodes: znodes.length - restorable.length,
      vanishedZnodes: 0,
      zxidEnd: '0x100000012',
      treeDigest: treeDigest(
        restorable.map((record) => ({
          path: record.path,
          data: Buffer.from(record.data, 'base64'),
          acl: record.acl,
        })),
      ),
      finishedAt: '2026-11-29T05:38:01.000Z',
    },
  ];
}

const SAMPLE = dumpOf([
  znode('/', ''),
  znode('/app', '{"owner":"platform"}'),
  znode('/app/config', 'é ünïcode and \n newlines'),
  znode('/app/locks'),
  znode('/app/locks/lock-1', 'held', 'ephemeral'),
]);

function bytesOf(records: DumpRecord[]): Buffer {
  return Buffer.from(records.map(encodeDumpRecord).join(''), 'utf8');
}

async function* split(data: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((left, right) => left - right)) {
    await Promise.resolve();
    yield data.subarray(start, cut);
    start = cut;
  }
  yield data.subarray(start);
}

async function parseAll(chunks: AsyncIterable<Uint8Array>): Promise<DumpRecord[]> {
  const records: DumpRecord[] = [];
  for await (const record of parseDump(chunks)) records.push(record);
  return records;
}

async function check(records: DumpRecord[]) {
  const checker = new DumpChecker();
  for await (const record of parseDump(split(bytesOf(records), []))) checker.accept(record);
  return checker.finish();
}

describe('ZooKeeper dump lines', () => {
  test('parse back to the records written, wherever the byte stream is cut (multi-byte UTF-8 too)', async () => {
    const data = bytesOf(SAMPLE);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: data.length }), { maxLength: 12 }),
        async (cuts) => {
          assert.deepEqual(await parseAll(split(data, cuts)), SAMPLE);
        },
      ),
      { numRuns: 200 },
    );
  });

  test('a line that is not JSON, of an unknown type or with bad fields names its line', async () => {
    const header = encodeDumpRecord(SAMPLE[0] as DumpRecord);
    const cases: [string, RegExp][] = [
      [`${header}{not json\n`, /line 2: not a JSON object/],
      [`${header}{"type":"snapshot"}\n`, /line 2: unknown record type "snapshot"/],
      [
        `${header}${encodeDumpRecord({ ...znode('/a'), data: '%%%' })}`,
        /line 2: znode record: data is not base64/,
      ],
      [
        `${header}${encodeDumpRecord({ ...znode('/a'), acl: [] })}`,
        /line 2: znode record: bad acl/,
      ],
      [`${header}${encodeDumpRecord({ ...znode('/a/') })}`, /line 2: znode record: bad path/],
      [
        encodeDumpRecord({
          ...(SAMPLE[0] as DumpRecord),
          formatVersion: 2,
        } as unknown as DumpRecord),
        /line 1: header record: formatVersion 2 is not 1/,
      ],
      [header.slice(0, -1), /line 1: the last line is cut off \(truncated dump\)/],
    ];
    for (const [text, expected] of cases)
      await assert.rejects(parseAll(split(Buffer.from(text), [])), (error: Error) => {
        assert.ok(error instanceof DumpFormatError, String(error));
        assert.match(error.message, expected);
        return true;
      });
  });
});

describe('DumpChecker', () => {
  test('a complete dump: counts, data bytes, zxid range and the recomputed digest', async () => {
    const facts = await check(SAMPLE);
    assert.deepEqual(
      { ...facts, treeDigest: facts.treeDigest.slice(0, 7) },
      {
        root: '/',
        member: 'server.2',
        zxidStart: '0x100000010',
        zxidEnd: '0x100000012',
        znodes: 5,
        restorableZnodes: 4,
        ephemeralZnodes: 1,
        dataBytes: Buffer.byteLength('{"owner":"platform"}é ünïcode and \n newlinesheld'),
        treeDigest: 'sha256:',
      },
    );
  });

  test('a dump of a subtree starts at its root and stays under it', async () => {
    const facts = await check(dumpOf([znode('/app'), znode('/app/a'), znode('/app/a/b')], '/app'));
    assert.equal(facts.restorableZnodes, 3);
    await assert.rejects(
      check(dumpOf([znode('/app'), znode('/other')], '/app')),
      /\/other is outside the root \/app/,
    );
  });

  test('each way of being unusable is a DumpFormatError saying what', async () => {
    const [header, root, app, config] = SAMPLE as [DumpRecord, DumpZnode, DumpZnode, DumpZnode];
    const trailer = SAMPLE.at(-1) as DumpRecord & { type: 'end' };
    const cases: [DumpRecord[], RegExp][] = [
      [[root, app], /line 1: the first line is not the header/],
      [[header, root, config, app], /\/app\/config comes before its parent/],
      [[header, root, app, app], /\/app appears twice/],
      [[header, app, root], /the root \/ is not first|\/app comes before its parent/],
      [[header, root, app], /no trailer: the dump was cut off/],
      [[header, header], /a second header/],
      [
        SAMPLE.slice(0, -1).concat({ ...trailer, znodes: 9 }),
        /trailer says znodes 9, the lines give 5/,
      ],
      [
        SAMPLE.slice(0, -1).concat({ ...trailer, treeDigest: `sha256:${'0'.repeat(64)}` }),
        /trailer says treeDigest/,
      ],
      [[...SAMPLE, app], /a record after the trailer/],
    ];
    for (const [records, expected] of cases)
      await assert.rejects(check(records), (error: Error) => {
        assert.ok(error instanceof DumpFormatError, String(error));
        assert.match(error.message, expected);
        return true;
      });
  });
});

describe('znode paths and kinds', () => {
  test('ephemeralOwner tells persistent, session-owned, container and TTL znodes apart', () => {
    assert.equal(znodeKindOf('0x0'), 'persistent');
    assert.equal(znodeKindOf('0x10000a1b2c3d0000'), 'ephemeral');
    assert.equal(znodeKindOf('0x8000000000000000'), 'container');
    assert.equal(znodeKindOf('0xff00000000002710'), 'ttl');
  });

  test('parent, depth and containment', () => {
    assert.equal(parentPath('/'), undefined);
    assert.equal(parentPath('/a'), '/');
    assert.equal(parentPath('/a/b/c'), '/a/b');
    assert.deepEqual(['/', '/a', '/a/b'].map(pathDepth), [0, 1, 2]);
    assert.ok(isUnder('/app/x', '/app'));
    assert.ok(!isUnder('/application', '/app'));
    assert.ok(isUnder('/anything', '/'));
  });
});
