/**
 * Restores JetStream stream snapshots through `$JS.API.STREAM.RESTORE.<stream>`: the stream's
 * configuration and state first, then each snapshot chunk as a request the server acks, then an
 * empty request that makes the server build the stream and answer with its info.
 */
import { createHash } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  NatsBackupFormatError,
  type BackupFrame,
  type StreamHeaderRecord,
} from '../../core/backup/nats-frames.js';
import { UnsafeOperationError, UsageError } from '../../core/errors.js';
import {
  JetStreamApiError,
  JS_ERR_STREAM_NOT_FOUND,
  jetStreamRequest,
  streamInfo,
  type StreamInfoAnswer,
} from './backup-client.js';

export interface RestoredStream {
  stream: string;
  messages: number;
  firstSeq: number;
  lastSeq: number;
  snapshotBytes: number;
}

export interface StreamRestoreOptions {
  timeoutMs: number;
  /** Waiting for the server to build the stream from the uploaded snapshot. */
  finalizeTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Restores every stream of a backup, one after the other. A stream that already exists is
 * refused before anything is sent (the server would refuse too, less clearly). When a
 * stream's bytes do not match its recorded SHA-256, the final empty request is never sent:
 * the server drops the staged upload (after 5 s without chunks) and creates nothing.
 */
export async function restoreStreams(
  frames: AsyncIterable<BackupFrame>,
  nc: NatsConnection,
  options: StreamRestoreOptions,
): Promise<RestoredStream[]> {
  const restored: RestoredStream[] = [];
  let current:
    | {
        header: StreamHeaderRecord;
        deliverSubject: string;
        bytes: number;
        hash: ReturnType<typeof createHash>;
      }
    | undefined;
  let sawTrailer = false;
  for await (const frame of frames) {
    if (options.signal?.aborted === true) throw options.signal.reason ?? new Error('aborted');
    switch (frame.type) {
      case 'streamHeader': {
        await refuseExisting(nc, frame.record.stream, options.timeoutMs);
        const { deliver_subject: deliverSubject } = await jetStreamRequest<{
          deliver_subject: string;
        }>(
          nc,
          `$JS.API.STREAM.RESTORE.${frame.record.stream}`,
          { config: frame.record.config, state: frame.record.state },
          options.timeoutMs,
        ).catch((error: unknown) => {
          throw restoreRefused(frame.record.stream, error);
        });
        current = { header: frame.record, deliverSubject, bytes: 0, hash: createHash('sha256') };
        break;
      }
      case 'data': {
        if (current === undefined)
          throw new NatsBackupFormatError('snapshot data outside a stream', 'frame');
        current.hash.update(frame.chunk);
        current.bytes += frame.chunk.length;
        const ack = await nc.request(current.deliverSubject, frame.chunk, {
          timeout: options.timeoutMs,
        });
        const text = ack.string();
        if (text.startsWith('-ERR'))
          throw new UsageError(
            'RESTORE_FAILED',
            `stream ${current.header.stream}: the server refused a snapshot chunk: ${text}`,
            { actions: ['check the JetStream storage limits of the target account and servers'] },
          );
        break;
      }
      case 'streamEnd': {
        if (current === undefined || current.header.stream !== frame.record.stream)
          throw new NatsBackupFormatError(
            `end of stream ${frame.record.stream} without its header`,
            'frame',
          );
        const sha256 = current.hash.digest('hex');
        if (sha256 !== frame.record.sha256 || current.bytes !== frame.record.bytes) {
          throw new UsageError(
            'BACKUP_CORRUPT',
            `stream ${frame.record.stream}: the snapshot data does not match its recorded SHA-256; nothing was restored for it`,
            {
              actions: [
                'run quorumctl backup verify on this backup',
                'restore from another backup',
              ],
            },
          );
        }
        const final = await nc.request(current.deliverSubject, new Uint8Array(0), {
          timeout: options.finalizeTimeoutMs ?? Math.max(options.timeoutMs, 120_000),
        });
        const answer = final.json<
          Partial<StreamInfoAnswer> & { error?: { description?: string } }
        >();
        if (answer.error !== undefined || answer.state === undefined) {
          throw new UsageError(
            'RESTORE_FAILED',
            `stream ${frame.record.stream}: the server could not build the stream from the snapshot: ${answer.error?.description ?? 'no stream info in the answer'}`,
            {
              actions: [
                'read the servers\' logs for "restore"',
                'check the target has room for the stream (max_file_store)',
              ],
            },
          );
        }
        restored.push({
          stream: frame.record.stream,
          messages: answer.state.messages,
          firstSeq: answer.state.first_seq,
          lastSeq: answer.state.last_seq,
          snapshotBytes: current.bytes,
        });
        current = undefined;
        break;
      }
      case 'trailer':
        sawTrailer = true;
        break;
    }
  }
  if (current !== undefined || !sawTrailer)
    throw new NatsBackupFormatError(
      'the backup ends before its trailer (truncated file)',
      'end of file',
    );
  return restored;
}

/** Stream state as the target reports it now, for comparing with the backup. */
export async function readBackStreams(
  nc: NatsConnection,
  streams: readonly string[],
  timeoutMs: number,
): Promise<RestoredStream[]> {
  const read: RestoredStream[] = [];
  for (const stream of streams) {
    const info = await streamInfo(nc, stream, timeoutMs);
    read.push({
      stream,
      messages: info.state.messages,
      firstSeq: info.state.first_seq,
      lastSeq: info.state.last_seq,
      snapshotBytes: 0,
    });
  }
  return read;
}

async function refuseExisting(
  nc: NatsConnection,
  stream: string,
  timeoutMs: number,
): Promise<void> {
  try {
    const info = await streamInfo(nc, stream, timeoutMs);
    throw new UnsafeOperationError(
      'RESTORE_STREAM_EXISTS',
      `stream ${stream} already exists in the target (${info.state.messages} messages, last sequence ${info.state.last_seq}); a restore never overwrites a stream`,
      {
        actions: [
          `restore into a cluster or account without ${stream}`,
          `or, if its data is not needed, delete it first (nats stream rm ${stream})`,
        ],
      },
    );
  } catch (error) {
    if (error instanceof JetStreamApiError && error.errCode === JS_ERR_STREAM_NOT_FOUND) return;
    throw error;
  }
}

function restoreRefused(stream: string, error: unknown): unknown {
  if (!(error instanceof JetStreamApiError)) return error;
  return new UsageError(
    'RESTORE_FAILED',
    `stream ${stream}: the target refused the restore: ${error.message}`,
    {
      actions: [
        'check that JetStream has room for the stream and that num_replicas fits the cluster size',
        'the stream keeps its name: a restore cannot rename it',
      ],
      cause: error,
    },
  );
}
