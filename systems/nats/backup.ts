/** NATS JetStream backups: stream snapshots through the JetStream API in one framed file, their check, restore test and restore plan. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInbox, type NatsConnection } from '@nats-io/transport-node';
import { dirname } from 'node:path';
import { BACKUP_FORMATS, type BackupManifest } from '../../core/backup/manifest.js';
import {
  decodeFrames,
  encodeFrame,
  magicBytes,
  NatsBackupChecker,
  NatsBackupFormatError,
  natsFingerprint,
  type SnapshotStreamState,
} from '../../core/backup/nats-frames.js';
import {
  fingerprintMismatches,
  type BackupKindSupport,
  type BackupProducer,
  type BackupSink,
  type BackupStructureCheck,
  type ProduceBackupRequest,
  type ProducedBackup,
  type RestoreIntoInput,
  type RestoreIntoResult,
  type RestorePlan,
  type RestoreRequest,
  type RestoreTestInput,
  type RestoreTestResult,
} from '../../core/backup/producer.js';
import { UnreachableError, UsageError } from '../../core/errors.js';
import type { ClusterTarget, ConnectOptions } from '../../core/ports.js';
import {
  jetStreamRequest,
  openNatsConnection,
  streamInfo,
  streamNames,
  type StreamInfoAnswer,
} from './backup-client.js';
import { readBackStreams, restoreStreams, type RestoredStream } from './restore.js';

/** What the server sends per message; its own default is 256 KiB. */
const SNAPSHOT_CHUNK_BYTES = 128 * 1024;

export const backupSupport: BackupKindSupport = {
  kind: 'nats',
  format: BACKUP_FORMATS.nats,
  dataFileExtension: '.jsbackup',
  openProducer: (target, options) => new JetStreamSnapshotProducer(target, options),
  checkStructure: checkJetStreamBackup,
  restoreTest: restoreTestNats,
  planRestore: planNatsRestore,
  restoreInto: restoreIntoNats,
};

export interface JetStreamProducerOptions {
  /** Consumers' configuration and state go into each snapshot (on by default). */
  includeConsumers?: boolean;
}

export class JetStreamSnapshotProducer implements BackupProducer {
  constructor(
    private readonly target: ClusterTarget,
    private readonly options: ConnectOptions,
    private readonly producerOptions: JetStreamProducerOptions = {},
  ) {}

  async produce(request: ProduceBackupRequest, sink: BackupSink): Promise<ProducedBackup> {
    const signal = request.signal ?? this.options.signal;
    const nc = await openNatsConnection(this.target, this.options, 'quorumctl backup');
    try {
      const { streams, notes } = await this.selectStreams(nc, request);
      if (request.member !== undefined)
        notes.push(
          `--member ${request.member} does not apply: each stream's leader sends its snapshot`,
        );
      await sink.write(magicBytes());
      const leaders = new Set<string>();
      const states: { stream: string; state: SnapshotStreamState }[] = [];
      for (const info of streams) {
        if (signal?.aborted === true) throw signal.reason ?? new Error('aborted');
        const state = await snapshotStream(nc, info, sink, {
          timeoutMs: this.options.timeoutMs,
          includeConsumers: this.producerOptions.includeConsumers ?? true,
          ...(signal !== undefined && { signal }),
        });
        states.push({ stream: info.config.name, state });
        if (info.cluster?.leader !== undefined) leaders.add(info.cluster.leader);
      }
      await sink.write(
        encodeFrame({
          type: 'trailer',
          record: { streams: states.length, finishedAt: new Date().toISOString() },
        }),
      );
      const facts = states.map(({ stream, state }) => ({
        stream,
        messages: state.messages,
        firstSeq: state.first_seq,
        lastSeq: state.last_seq,
      }));
      const position: Record<string, number> = { streams: states.length };
      for (const { stream, lastSeq } of facts) position[`lastSeq.${stream}`] = lastSeq;
      return {
        member: [...leaders].sort().join(',') || 'unknown',
        position,
        fingerprint: natsFingerprint(facts),
        notes,
      };
    } finally {
      await nc.close();
    }
  }

  async close(): Promise<void> {
    // Each produce() opens and closes its own connection.
  }

  /** The named streams (all if none), without memory streams: the server cannot snapshot them. */
  private async selectStreams(
    nc: NatsConnection,
    request: ProduceBackupRequest,
  ): Promise<{ streams: StreamInfoAnswer[]; notes: string[] }> {
    const { timeoutMs } = this.options;
    const all = await streamNames(nc, timeoutMs);
    const asked = request.include ?? [];
    const unknown = asked.filter((name) => !all.includes(name));
    if (unknown.length > 0) {
      throw new UsageError(
        'STREAM_NOT_FOUND',
        `no stream named ${unknown.join(', ')} in this account`,
        {
          actions: [`streams: ${all.join(', ') || '(none)'}`],
        },
      );
    }
    const names = asked.length > 0 ? [...new Set(asked)] : all;
    const notes: string[] = [];
    const streams: StreamInfoAnswer[] = [];
    for (const name of names) {
      const info = await streamInfo(nc, name, timeoutMs);
      if (info.config.storage === 'memory') {
        if (asked.includes(name)) {
          throw new UsageError(
            'STREAM_NOT_SNAPSHOTTABLE',
            `stream ${name} keeps its messages in memory: JetStream snapshots only file streams`,
            {
              actions: [
                'back up the other streams, or mirror this one into a file stream and back that up',
              ],
            },
          );
        }
        notes.push(`stream ${name} skipped: memory storage cannot be snapshotted`);
        continue;
      }
      streams.push(info);
    }
    if (streams.length === 0) notes.push('no file-backed stream to back up in this account');
    return { streams, notes };
  }
}

/**
 * Asks the stream leader for a snapshot delivered to an inbox and copies each chunk into the
 * sink as a data frame. Each chunk is acked only after the sink took it: the server keeps at
 * most its window (32 MiB) unacked, so a slow destination slows the snapshot instead of
 * filling memory. The empty message is the end.
 */
export async function snapshotStream(
  nc: NatsConnection,
  info: StreamInfoAnswer,
  sink: BackupSink,
  options: { timeoutMs: number; includeConsumers: boolean; signal?: AbortSignal },
): Promise<SnapshotStreamState> {
  const stream = info.config.name;
  const inbox = createInbox();
  // Subscribed before asking: the server waits only about 2 s for interest in the inbox.
  const subscription = nc.subscribe(inbox);
  const idleMs = Math.max(options.timeoutMs * 3, 10_000);
  let idle: ReturnType<typeof setTimeout> | undefined;
  let stalled = false;
  const arm = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      stalled = true;
      subscription.unsubscribe();
    }, idleMs);
  };
  const onAbort = () => {
    subscription.unsubscribe();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const answer = await jetStreamRequest<{
      config: Record<string, unknown>;
      state: SnapshotStreamState;
    }>(
      nc,
      `$JS.API.STREAM.SNAPSHOT.${stream}`,
      {
        deliver_subject: inbox,
        no_consumers: !options.includeConsumers,
        chunk_size: SNAPSHOT_CHUNK_BYTES,
        jsck: false,
      },
      options.timeoutMs,
    );
    await sink.write(
      encodeFrame({
        type: 'streamHeader',
        record: {
          stream,
          config: answer.config,
          state: answer.state,
          ...(info.cluster?.leader !== undefined && { leader: info.cluster.leader }),
          consumersIncluded: options.includeConsumers,
        },
      }),
    );
    const hash = createHash('sha256');
    let bytes = 0;
    let chunks = 0;
    let ended = false;
    arm();
    for await (const message of subscription) {
      arm();
      if (message.headers?.hasError === true) {
        throw new UsageError(
          'SNAPSHOT_FAILED',
          `stream ${stream}: the server ended the snapshot with ${message.headers.code} ${message.headers.description}`,
        );
      }
      if (message.data.length === 0) {
        ended = true;
        break;
      }
      hash.update(message.data);
      bytes += message.data.length;
      chunks += 1;
      await sink.write(encodeFrame({ type: 'data', chunk: message.data }));
      if (message.reply !== undefined && message.reply !== '') message.respond();
    }
    if (!ended) {
      if (options.signal?.aborted === true) throw options.signal.reason ?? new Error('aborted');
      throw new UnreachableError(
        'SNAPSHOT_STALLED',
        stalled
          ? `stream ${stream}: no snapshot data for ${idleMs} ms after ${bytes} bytes`
          : `stream ${stream}: the connection closed after ${bytes} bytes of snapshot`,
        { actions: ['check the stream leader with quorumctl status', 'retry the backup'] },
      );
    }
    await sink.write(
      encodeFrame({
        type: 'streamEnd',
        record: { stream, bytes, chunks, sha256: hash.digest('hex') },
      }),
    );
    return answer.state;
  } finally {
    clearTimeout(idle);
    options.signal?.removeEventListener('abort', onAbort);
    if (!subscription.isClosed()) subscription.unsubscribe();
  }
}

async function checkJetStreamBackup(
  data: AsyncIterable<Uint8Array>,
  manifest: BackupManifest,
): Promise<BackupStructureCheck> {
  const checker = new NatsBackupChecker();
  let facts;
  try {
    for await (const frame of decodeFrames(data)) checker.accept(frame);
    facts = checker.finish();
  } catch (error) {
    if (error instanceof NatsBackupFormatError)
      return { ok: false, facts: {}, problem: `not a usable JetStream backup: ${error.message}` };
    throw error;
  }
  const found: Record<string, string | number> = {
    streams: facts.streams.length,
    messages: facts.messages,
    snapshotBytes: facts.snapshotBytes,
  };
  if (manifest.fingerprint !== undefined) {
    const mismatches = fingerprintMismatches(manifest.fingerprint, natsFingerprint(facts.streams));
    if (mismatches.length > 0) {
      return {
        ok: false,
        facts: found,
        problem: `the streams in the file are not the ones the manifest records: ${mismatches
          .map(
            ({ fact, recorded, restored }) => `${fact} ${String(recorded)} vs ${String(restored)}`,
          )
          .join(', ')}`,
      };
    }
  }
  return { ok: true, facts: found };
}

/** Restores a backup file into `target` and reads the streams back from it. */
export async function restoreJetStreamBackup(
  target: ClusterTarget,
  dataPath: string,
  options: ConnectOptions,
): Promise<{ restored: RestoredStream[]; readBack: RestoredStream[]; restoreMs: number }> {
  const nc = await openNatsConnection(target, options, 'quorumctl restore');
  try {
    const started = performance.now();
    const restored = await restoreStreams(decodeFrames(createReadStream(dataPath)), nc, {
      timeoutMs: options.timeoutMs,
      ...(options.signal !== undefined && { signal: options.signal }),
    });
    const readBack = await readBackStreams(
      nc,
      restored.map((stream) => stream.stream),
      options.timeoutMs,
    );
    return { restored, readBack, restoreMs: Math.round(performance.now() - started) };
  } finally {
    await nc.close();
  }
}

async function restoreIntoNats(input: RestoreIntoInput): Promise<RestoreIntoResult> {
  const { restored, readBack } = await restoreJetStreamBackup(
    input.target,
    input.dataPath,
    input.options,
  );
  return {
    restored: {
      streams: restored.length,
      messages: restored.reduce((sum, stream) => sum + stream.messages, 0),
      snapshotBytes: restored.reduce((sum, stream) => sum + stream.snapshotBytes, 0),
    },
    fingerprint: natsFingerprint(readBack),
  };
}

async function restoreTestNats(input: RestoreTestInput): Promise<RestoreTestResult> {
  const cluster = await input.throwaway.start('nats', 3, input.signal);
  try {
    const { readBack, restoreMs } = await restoreJetStreamBackup(cluster.target, input.dataPath, {
      timeoutMs: 10_000,
      ...(input.signal !== undefined && { signal: input.signal }),
    });
    return { restoreMs, fingerprint: natsFingerprint(readBack) };
  } finally {
    await cluster.destroy();
  }
}

/** Pure: restoring each stream into a cluster that does not have it. */
export function planNatsRestore(request: RestoreRequest): RestorePlan {
  const { manifest, targetCluster, members } = request;
  const fingerprint = manifest.fingerprint ?? {};
  const streams = Object.keys(fingerprint)
    .filter((fact) => fact.startsWith('messages.'))
    .map((fact) => fact.slice('messages.'.length))
    .sort();
  const servers = members.map((member) => member.clientUrl).join(', ');
  return {
    apiVersion: 'quorumctl/v1',
    kind: 'RestorePlan',
    backup: manifest.name,
    systemKind: 'nats',
    targetCluster,
    steps: [
      {
        id: 'prepare-cluster',
        title: `Have ${targetCluster} running with JetStream and a meta leader`,
        detail: `servers: ${servers || '(none named)'}; as many servers as the largest num_replicas, and file storage room for the streams`,
      },
      {
        id: 'check-absent',
        title: `Check that no stream of the backup exists in the target account`,
        command: 'nats stream ls',
        detail: `streams in the backup: ${streams.join(', ') || '(listed in the backup file)'}; quorumctl refuses to restore over an existing stream`,
      },
      ...streams.map((stream) => ({
        id: `restore-stream:${stream}`,
        title: `Restore stream ${stream} (${String(fingerprint[`messages.${stream}`])} messages, last sequence ${String(fingerprint[`lastSeq.${stream}`])})`,
        command: `quorumctl backup restore ${manifest.name} --dest ${dirname(request.dataPath)} --cluster ${targetCluster} --execute`,
        detail:
          'configuration and state first ($JS.API.STREAM.RESTORE), then the snapshot chunks, then the server builds the stream',
      })),
      {
        id: 'verify-streams',
        title: 'Compare message counts and first and last sequences with the backup',
        command: 'nats stream report',
      },
    ],
    warnings: [
      'streams are restored into the account of the credentials used: use a user of the account that owned them (not the system account)',
      'messages published after the backup are not in it; consumers resume from their state at backup time and may redeliver',
      'memory streams are not in the backup: JetStream snapshots only file streams',
      'stream names and configuration come back unchanged: mirrors and sources resume from their origin streams if those exist',
    ],
  };
}
