// The JetStream backup file: frames written and read back whatever the chunking, every way a file is unusable, the fingerprint and the restore plan.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { BackupManifest } from '../../core/backup/manifest.js';
import {
  decodeFrames,
  encodeFrame,
  magicBytes,
  NatsBackupChecker,
  NatsBackupFormatError,
  natsFingerprint,
  type BackupFrame,
} from '../../core/backup/nats-frames.js';
import { planNatsRestore } from '../../systems/nats/backup.js';

function streamFrames(stream: string, chunks: Uint8Array[], messages = 3): BackupFrame[] {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return [
    {
      type: 'streamHeader',
      record: {
        stream,
        config: { name: stream, subjects: [`${stream.toLowerCase()}.>`], num_replicas: 3 },
        state: { messages, bytes: 120, first_seq: 1, last_seq: messages },
        leader: 'n2',
        consumersIncluded: true,
      },
    },
    ...chunks.map((chunk): BackupFrame => ({ type: 'data', chunk })),
    {
      type: 'streamEnd',
      record: {
        stream,
        bytes: chunks.reduce((sum, chunk) => sum + chunk.length, 0),
        chunks: chunks.length,
        sha256: hash.digest('hex'),
      },
    },
  ];
}

function fileOf(frames: BackupFrame[]): Buffer {
  return Buffer.concat([magicBytes(), ...frames.map(encodeFrame)]);
}

const TRAILER = (streams: number): BackupFrame => ({
  type: 'trailer',
  record: { streams, finishedAt: '2026-11-29T05:38:01.000Z' },
});

async function* split(data: Buffer, cuts: number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((left, right) => left - right)) {
    await Promise.resolve();
    yield data.subarray(start, cut);
    start = cut;
  }
  yield data.subarray(start);
}

async function decodeAll(chunks: AsyncIterable<Uint8Array>): Promise<BackupFrame[]> {
  const frames: BackupFrame[] = [];
  for await (const frame of decodeFrames(chunks)) frames.push(frame);
  return frames;
}

async function check(data: Buffer) {
  const checker = new NatsBackupChecker();
  for await (const frame of decodeFrames(split(data, []))) checker.accept(frame);
  return checker.finish();
}

/** Frames compared with data chunks as plain arrays (decoded ones are copies). */
function comparable(frames: BackupFrame[]): unknown[] {
  return frames.map((frame) => (frame.type === 'data' ? { data: [...frame.chunk] } : frame));
}

describe('JetStream backup frames', () => {
  test('read back exactly as written, wherever the byte stream is cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 50 }), { maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (ordersChunks, eventsChunks, cutSeeds) => {
          const frames = [
            ...streamFrames('ORDERS', ordersChunks),
            ...streamFrames('EVENTS', eventsChunks),
            TRAILER(2),
          ];
          const data = fileOf(frames);
          const cuts = cutSeeds.map((seed) => seed % (data.length + 1));
          assert.deepEqual(comparable(await decodeAll(split(data, cuts))), comparable(frames));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('the checker returns per-stream counts and sequences of a complete file', async () => {
    const data = fileOf([
      ...streamFrames('ORDERS', [new Uint8Array([1, 2, 3]), new Uint8Array([4])], 10_000),
      ...streamFrames('EVENTS', [], 0),
      TRAILER(2),
    ]);
    const facts = await check(data);
    assert.deepEqual(facts, {
      streams: [
        { stream: 'ORDERS', messages: 10_000, firstSeq: 1, lastSeq: 10_000, snapshotBytes: 4 },
        { stream: 'EVENTS', messages: 0, firstSeq: 1, lastSeq: 0, snapshotBytes: 0 },
      ],
      messages: 10_000,
      snapshotBytes: 4,
    });
    assert.deepEqual(natsFingerprint(facts.streams), {
      streams: 2,
      'messages.ORDERS': 10_000,
      'firstSeq.ORDERS': 1,
      'lastSeq.ORDERS': 10_000,
      'messages.EVENTS': 0,
      'firstSeq.EVENTS': 1,
      'lastSeq.EVENTS': 0,
    });
  });

  test('any flipped byte of snapshot data is caught by the SHA-256 of its stream', async () => {
    const chunks: [Buffer, Buffer] = [
      Buffer.from('snapshot-bytes-one'),
      Buffer.from('snapshot-bytes-two'),
    ];
    const good = fileOf([...streamFrames('ORDERS', chunks), TRAILER(1)]);
    const firstData =
      magicBytes().length +
      encodeFrame(streamFrames('ORDERS', chunks)[0] as BackupFrame).length +
      5;
    const dataBytes = chunks[0].length + 5 + chunks[1].length;
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: dataBytes - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, flip) => {
          const index = firstData + at;
          // Skip the second frame's 5-byte header: that is framing, not data.
          fc.pre(at < chunks[0].length || at >= chunks[0].length + 5);
          const bad = Buffer.from(good);
          bad[index] = (bad[index] ?? 0) ^ flip;
          await assert.rejects(check(bad), /SHA-256/);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('each way of being unusable is a NatsBackupFormatError saying what', async () => {
    const orders = streamFrames('ORDERS', [Buffer.from('abc')]);
    const [header, data, end] = orders as [BackupFrame, BackupFrame, BackupFrame];
    const complete = fileOf([...orders, TRAILER(1)]);
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('PK\x03\x04 a zip file'), /not a quorumctl JetStream backup/],
      [Buffer.alloc(0), /not a quorumctl JetStream backup/],
      [complete.subarray(0, complete.length - 3), /the last frame is cut off/],
      [fileOf(orders), /no trailer: the file was cut off/],
      [fileOf([data, TRAILER(0)]), /snapshot data outside a stream/],
      [fileOf([header, data, TRAILER(1)]), /the trailer comes before stream ORDERS ended/],
      [fileOf([...orders, ...orders, TRAILER(2)]), /stream ORDERS appears twice/],
      [fileOf([...orders, TRAILER(3)]), /the trailer counts 3 streams, the file has 1/],
      [fileOf([header, header]), /starts before ORDERS ended/],
      [fileOf([end]), /end of stream ORDERS without its header/],
      [Buffer.concat([magicBytes(), Buffer.from([0x51, 0, 0, 0, 0])]), /unknown frame type 0x51/],
      [
        Buffer.concat([magicBytes(), Buffer.from([0x48, 0, 0, 0, 2]), Buffer.from('{]')]),
        /streamHeader frame is not JSON/,
      ],
      [Buffer.concat([magicBytes(), Buffer.from([0x44, 0x7f, 0xff, 0xff, 0xff])]), /implausible/],
      [fileOf([...orders, TRAILER(1), TRAILER(1)]), /a frame after the trailer/],
    ];
    for (const [file, expected] of cases)
      await assert.rejects(check(file), (error: Error) => {
        assert.ok(error instanceof NatsBackupFormatError, String(error));
        assert.match(error.message, expected);
        return true;
      });
  });
});

describe('planNatsRestore', () => {
  test('one step per stream from the fingerprint, with counts; warns about accounts and memory streams', () => {
    const manifest = {
      name: 'js-20261129T053800Z',
      fingerprint: natsFingerprint([
        { stream: 'ORDERS', messages: 10_000, firstSeq: 1, lastSeq: 10_000 },
        { stream: 'AUDIT', messages: 5, firstSeq: 3, lastSeq: 7 },
      ]),
    } as unknown as BackupManifest;
    const plan = planNatsRestore({
      manifest,
      dataPath: '/backups/js.jsbackup',
      targetCluster: 'dr',
      members: [{ name: 'n1', clientUrl: 'nats://10.0.0.1:4222' }],
    });
    assert.deepEqual(
      plan.steps.map((step) => step.id),
      [
        'prepare-cluster',
        'check-absent',
        'restore-stream:AUDIT',
        'restore-stream:ORDERS',
        'verify-streams',
      ],
    );
    assert.match(plan.steps[3]?.title ?? '', /10000 messages, last sequence 10000/);
    assert.ok(plan.warnings.some((warning) => /account/.test(warning)));
    assert.ok(plan.warnings.some((warning) => /memory streams/.test(warning)));
  });
});
