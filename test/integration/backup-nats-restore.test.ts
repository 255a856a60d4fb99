// JetStream backups against live 3-server sandboxes: 10,000 messages snapshotted, checked, restored into a fresh cluster.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AckPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { BACKUP_FORMATS, type BackupManifest } from '../../core/backup/manifest.js';
import {
  fingerprintMismatches,
  type BackupSink,
  type ProducedBackup,
  type ThrowawayClusters,
} from '../../core/backup/producer.js';
import type { ClusterTarget } from '../../core/ports.js';
import { sandboxDown, sandboxTarget, sandboxUp, type SandboxRecord } from '../../sandbox/index.js';
import { backupSupport } from '../../systems/nats/backup.js';
import { allStarted } from '../support/all-started.js';

const MESSAGES = 10_000;
const TIMEOUT_MS = 10_000;

function targetOf(record: SandboxRecord): ClusterTarget {
  return { name: record.name, kind: 'nats', ...sandboxTarget(record) };
}

/** Collects what the producer writes, as ops/ would before hashing and storing it. */
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

/** A JetStream API call that timed out may still have been applied; adding the same thing again is accepted. */
async function idempotent<T>(request: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await request();
    } catch (error) {
      if (attempt >= attempts || !(error instanceof Error) || !/timeout/i.test(error.message))
        throw error;
    }
  }
}

describe('JetStream backup and restore against live sandboxes', { timeout: 120_000 }, () => {
  let stateDir: string;
  let source: SandboxRecord;
  let fresh: SandboxRecord;
  let dataPath: string;
  let produced: ProducedBackup;
  let manifest: BackupManifest;
  const started: string[] = [];

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-it-backup-nats-'));
    dataPath = join(stateDir, 'backup.jsbackup');
    // Recorded first: when one start fails, the other sandbox must still be stopped.
    started.push('bksrc', 'bkdst');
    [source, fresh] = await allStarted([
      sandboxUp({ stateDir, name: 'bksrc', kind: 'nats', members: 3 }),
      sandboxUp({ stateDir, name: 'bkdst', kind: 'nats', members: 3 }),
    ]);
    const nc = await connectNats({ servers: source.endpoints, timeout: 5000 });
    try {
      const jsm = await jetstreamManager(nc, { timeout: 20_000 });
      await idempotent(() =>
        jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'], num_replicas: 3 }),
      );
      await idempotent(() =>
        jsm.streams.add({ name: 'CACHE', subjects: ['cache.>'], storage: StorageType.Memory }),
      );
      const js = jetstream(nc, { timeout: 20_000 });
      for (let first = 0; first < MESSAGES; first += 1000)
        await Promise.all(
          Array.from({ length: 1000 }, (_, offset) =>
            js.publish(`orders.${(first + offset) % 7}`, `order ${first + offset}`),
          ),
        );
      await idempotent(() =>
        jsm.consumers.add('ORDERS', { durable_name: 'audit', ack_policy: AckPolicy.Explicit }),
      );
    } finally {
      await nc.close();
    }
  });

  after(async () => {
    for (const name of started)
      await sandboxDown(stateDir, name, { graceMs: 1000 }).catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  });

  test('a snapshot of every file stream, with position and fingerprint from the snapshot', async () => {
    const sink = memorySink();
    const producer = backupSupport.openProducer(targetOf(source), { timeoutMs: TIMEOUT_MS });
    const startedAt = new Date();
    try {
      produced = await producer.produce({}, sink);
    } finally {
      await producer.close();
    }
    const data = sink.bytes();
    await writeFile(dataPath, data);
    assert.deepEqual(produced.fingerprint, {
      streams: 1,
      'messages.ORDERS': MESSAGES,
      'firstSeq.ORDERS': 1,
      'lastSeq.ORDERS': MESSAGES,
    });
    assert.deepEqual(produced.position, { streams: 1, 'lastSeq.ORDERS': MESSAGES });
    assert.match(produced.member, /^n[123]$/);
    assert.ok(produced.notes?.some((note) => note.includes('CACHE') && note.includes('memory')));
    manifest = {
      apiVersion: 'quorumctl/v1',
      kind: 'BackupManifest',
      name: 'bksrc-test',
      cluster: 'bksrc',
      systemKind: 'nats',
      format: BACKUP_FORMATS.nats,
      member: produced.member,
      position: produced.position,
      dataFile: 'backup.jsbackup',
      sizeBytes: data.length,
      sha256: 'not-checked-here',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      toolVersion: 'test',
      ...(produced.fingerprint !== undefined && { fingerprint: produced.fingerprint }),
    };
  });

  test('the structure check parses the file, and fails on one flipped byte or a cut-off', async () => {
    const data = await readFile(dataPath);
    const good = await backupSupport.checkStructure(chunksOf(data), manifest);
    assert.equal(good.ok, true, good.problem);
    assert.equal(good.facts.streams, 1);
    assert.equal(good.facts.messages, MESSAGES);

    const flipped = Buffer.from(data);
    const middle = Math.floor(flipped.length / 2);
    flipped[middle] = (flipped[middle] ?? 0) ^ 0xff;
    const corrupt = await backupSupport.checkStructure(chunksOf(flipped), manifest);
    assert.equal(corrupt.ok, false);
    assert.match(corrupt.problem ?? '', /SHA-256|frame/);

    const cut = await backupSupport.checkStructure(
      chunksOf(data.subarray(0, data.length - 10)),
      manifest,
    );
    assert.equal(cut.ok, false);
    assert.match(cut.problem ?? '', /cut off|truncated/);
  });

  test('restored into a fresh cluster: same message count, first and last sequence, and the consumer', async () => {
    const result = await backupSupport.restoreInto?.({
      manifest,
      dataPath,
      target: targetOf(fresh),
      options: { timeoutMs: TIMEOUT_MS },
    });
    assert.ok(result);
    assert.equal(result.restored.streams, 1);
    assert.equal(result.restored.messages, MESSAGES);
    assert.deepEqual(
      fingerprintMismatches(manifest.fingerprint ?? {}, result.fingerprint ?? {}),
      [],
    );

    const nc = await connectNats({ servers: fresh.endpoints, timeout: 5000 });
    try {
      const jsm = await jetstreamManager(nc, { timeout: 20_000 });
      const info = await jsm.streams.info('ORDERS');
      assert.equal(info.state.messages, MESSAGES);
      assert.equal(info.state.last_seq, MESSAGES);
      assert.equal(info.config.num_replicas, 3);
      const consumer = await jsm.consumers.info('ORDERS', 'audit');
      assert.equal(consumer.name, 'audit');
    } finally {
      await nc.close();
    }
  });

  test('a second restore into the same cluster is refused: streams are never overwritten', async () => {
    await assert.rejects(
      Promise.resolve(
        backupSupport.restoreInto?.({
          manifest,
          dataPath,
          target: targetOf(fresh),
          options: { timeoutMs: TIMEOUT_MS },
        }),
      ),
      (error: Error & { code?: string }) => error.code === 'RESTORE_STREAM_EXISTS',
    );
  });

  test('the restore test restores into a throwaway cluster, times it and tears it down', async () => {
    let count = 0;
    const throwaway: ThrowawayClusters = {
      async start(kind, members) {
        count += 1;
        const name = `bktmp${count}`;
        const record = await sandboxUp({ stateDir, name, kind: kind as 'nats', members });
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

  test('the restore plan names each stream with its count and sequence', () => {
    const plan = backupSupport.planRestore?.({
      manifest,
      dataPath,
      targetCluster: 'dr',
      members: [{ name: 'n1', clientUrl: 'nats://10.0.0.1:4222' }],
    });
    assert.ok(plan);
    const step = plan.steps.find((candidate) => candidate.id === 'restore-stream:ORDERS');
    assert.ok(step);
    assert.match(step.title, /10000 messages, last sequence 10000/);
  });
});
