/**
 * The JetStream backup file (`jetstream-stream-snapshot`): a magic line, then framed records
 * (per stream a header, the server's snapshot chunks and an end record; a trailer last), so
 * several stream snapshots of unknown size stream into one file and a cut-off file is detected.
 */
import { createHash, type Hash } from 'node:crypto';

export const NATS_BACKUP_MAGIC = 'QUORUMCTL-JETSTREAM-BACKUP 1\n';
const MAGIC_BYTES = new TextEncoder().encode(NATS_BACKUP_MAGIC);

/** One type byte, a 4-byte big-endian payload length, the payload. */
export const FRAME_HEADER_BYTES = 5;
/** The server sends 256 KiB chunks by default; anything far above is not a frame of ours. */
export const MAX_FRAME_PAYLOAD_BYTES = 64 * 1024 * 1024;

export const FRAME_TYPES = {
  streamHeader: 0x48, // 'H'
  data: 0x44, // 'D'
  streamEnd: 0x45, // 'E'
  trailer: 0x5a, // 'Z'
} as const;

/** The stream state fields a restore is checked against (JetStream's own names). */
export interface SnapshotStreamState {
  messages: number;
  bytes: number;
  first_seq: number;
  last_seq: number;
  consumer_count?: number;
  [field: string]: unknown;
}

export interface StreamHeaderRecord {
  stream: string;
  /** The stream configuration and state the server returned with the snapshot, verbatim. */
  config: Record<string, unknown>;
  state: SnapshotStreamState;
  /** The server that streamed the snapshot (the stream leader), when known. */
  leader?: string;
  consumersIncluded: boolean;
}

export interface StreamEndRecord {
  stream: string;
  bytes: number;
  chunks: number;
  /** SHA-256 of the snapshot bytes of this stream, hex. */
  sha256: string;
}

export interface TrailerRecord {
  streams: number;
  finishedAt: string;
}

export type BackupFrame =
  | { type: 'streamHeader'; record: StreamHeaderRecord }
  | { type: 'data'; chunk: Uint8Array }
  | { type: 'streamEnd'; record: StreamEndRecord }
  | { type: 'trailer'; record: TrailerRecord };

/** A backup file that cannot be used, with where that became clear (`byte 120`, `frame 7`). */
export class NatsBackupFormatError extends Error {
  constructor(
    message: string,
    readonly where: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'NatsBackupFormatError';
  }
}

export function magicBytes(): Uint8Array {
  return MAGIC_BYTES.slice();
}

export function encodeFrame(frame: BackupFrame): Uint8Array {
  const payload =
    frame.type === 'data' ? frame.chunk : new TextEncoder().encode(JSON.stringify(frame.record));
  const bytes = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  bytes[0] = FRAME_TYPES[frame.type];
  new DataView(bytes.buffer).setUint32(1, payload.length);
  bytes.set(payload, FRAME_HEADER_BYTES);
  return bytes;
}

const TYPE_BY_BYTE = new Map<number, BackupFrame['type']>(
  Object.entries(FRAME_TYPES).map(([type, byte]) => [byte, type as BackupFrame['type']]),
);

/** Turns a byte stream into frames whatever the chunk boundaries; a partial frame at the end is an error. */
export async function* decodeFrames(
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<BackupFrame> {
  let buffer: Uint8Array = new Uint8Array(0);
  let offset = 0;
  let magicChecked = false;
  for await (const chunk of chunks) {
    buffer = concat(buffer, chunk);
    if (!magicChecked) {
      if (buffer.length < MAGIC_BYTES.length) {
        if (!isPrefix(buffer, MAGIC_BYTES)) throw notOurs();
        continue;
      }
      if (!isPrefix(MAGIC_BYTES, buffer)) throw notOurs();
      buffer = buffer.subarray(MAGIC_BYTES.length);
      offset = MAGIC_BYTES.length;
      magicChecked = true;
    }
    for (;;) {
      if (buffer.length < FRAME_HEADER_BYTES) break;
      const length = new DataView(buffer.buffer, buffer.byteOffset).getUint32(1);
      const type = TYPE_BY_BYTE.get(buffer[0] ?? -1);
      if (type === undefined)
        throw new NatsBackupFormatError(
          `unknown frame type 0x${(buffer[0] ?? 0).toString(16)}`,
          `byte ${offset}`,
        );
      if (length > MAX_FRAME_PAYLOAD_BYTES)
        throw new NatsBackupFormatError(
          `a frame of ${length} bytes is implausible`,
          `byte ${offset}`,
        );
      if (buffer.length < FRAME_HEADER_BYTES + length) break;
      const payload = buffer.slice(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length);
      yield decodeFrame(type, payload, offset);
      offset += FRAME_HEADER_BYTES + length;
      buffer = buffer.subarray(FRAME_HEADER_BYTES + length);
    }
  }
  if (!magicChecked) throw notOurs();
  if (buffer.length > 0)
    throw new NatsBackupFormatError('the last frame is cut off (truncated file)', `byte ${offset}`);
}

function decodeFrame(type: BackupFrame['type'], payload: Uint8Array, offset: number): BackupFrame {
  if (type === 'data') return { type, chunk: payload };
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    throw new NatsBackupFormatError(`${type} frame is not JSON`, `byte ${offset}`);
  }
  const record = value as Record<string, unknown>;
  const bad = (what: string) =>
    new NatsBackupFormatError(`${type} frame: ${what}`, `byte ${offset}`);
  if (typeof value !== 'object' || value === null) throw bad('not an object');
  switch (type) {
    case 'streamHeader': {
      const state = record.state as Record<string, unknown> | undefined;
      if (typeof record.stream !== 'string' || record.stream === '') throw bad('no stream name');
      if (typeof record.config !== 'object' || record.config === null) throw bad('no config');
      if (
        typeof state !== 'object' ||
        state === null ||
        !['messages', 'bytes', 'first_seq', 'last_seq'].every((field) =>
          Number.isSafeInteger(state[field]),
        )
      )
        throw bad('no state');
      return { type, record: value as StreamHeaderRecord };
    }
    case 'streamEnd':
      if (
        typeof record.stream !== 'string' ||
        !Number.isSafeInteger(record.bytes) ||
        !Number.isSafeInteger(record.chunks) ||
        typeof record.sha256 !== 'string'
      )
        throw bad('missing stream, bytes, chunks or sha256');
      return { type, record: value as StreamEndRecord };
    case 'trailer':
      if (!Number.isSafeInteger(record.streams) || typeof record.finishedAt !== 'string')
        throw bad('missing streams or finishedAt');
      return { type, record: value as TrailerRecord };
  }
}

export interface NatsBackupStreamFacts {
  stream: string;
  messages: number;
  firstSeq: number;
  lastSeq: number;
  snapshotBytes: number;
}

export interface NatsBackupFacts {
  streams: NatsBackupStreamFacts[];
  messages: number;
  snapshotBytes: number;
}

/**
 * Checks frames in order: header, data, end per stream (each stream once), the end's byte
 * count and SHA-256 matching the data, a trailer last counting the streams.
 */
export class NatsBackupChecker {
  private current:
    { header: StreamHeaderRecord; bytes: number; chunks: number; hash: Hash } | undefined;
  private readonly done: NatsBackupStreamFacts[] = [];
  private trailer: TrailerRecord | undefined;
  private frame = 0;

  accept(frame: BackupFrame): void {
    this.frame += 1;
    const fail = (message: string) => new NatsBackupFormatError(message, `frame ${this.frame}`);
    if (this.trailer !== undefined) throw fail('a frame after the trailer');
    switch (frame.type) {
      case 'streamHeader':
        if (this.current !== undefined)
          throw fail(
            `stream ${frame.record.stream} starts before ${this.current.header.stream} ended`,
          );
        if (this.done.some((stream) => stream.stream === frame.record.stream))
          throw fail(`stream ${frame.record.stream} appears twice`);
        this.current = { header: frame.record, bytes: 0, chunks: 0, hash: createHash('sha256') };
        return;
      case 'data':
        if (this.current === undefined) throw fail('snapshot data outside a stream');
        this.current.bytes += frame.chunk.length;
        this.current.chunks += 1;
        this.current.hash.update(frame.chunk);
        return;
      case 'streamEnd': {
        const current = this.current;
        if (current === undefined || current.header.stream !== frame.record.stream)
          throw fail(`end of stream ${frame.record.stream} without its header`);
        const sha256 = current.hash.digest('hex');
        if (frame.record.bytes !== current.bytes || frame.record.sha256 !== sha256)
          throw fail(
            `stream ${frame.record.stream}: the end record says ${frame.record.bytes} bytes with SHA-256 ${frame.record.sha256.slice(0, 12)}..., the data is ${current.bytes} bytes with ${sha256.slice(0, 12)}...`,
          );
        const { state } = current.header;
        this.done.push({
          stream: current.header.stream,
          messages: state.messages,
          firstSeq: state.first_seq,
          lastSeq: state.last_seq,
          snapshotBytes: current.bytes,
        });
        this.current = undefined;
        return;
      }
      case 'trailer':
        if (this.current !== undefined)
          throw fail(`the trailer comes before stream ${this.current.header.stream} ended`);
        if (frame.record.streams !== this.done.length)
          throw fail(
            `the trailer counts ${frame.record.streams} streams, the file has ${this.done.length}`,
          );
        this.trailer = frame.record;
        return;
    }
  }

  finish(): NatsBackupFacts {
    if (this.trailer === undefined)
      throw new NatsBackupFormatError('no trailer: the file was cut off', `frame ${this.frame}`);
    return {
      streams: [...this.done],
      messages: this.done.reduce((sum, stream) => sum + stream.messages, 0),
      snapshotBytes: this.done.reduce((sum, stream) => sum + stream.snapshotBytes, 0),
    };
  }
}

/**
 * What a restore must reproduce, per stream: message count, first and last sequence
 * (`messages.ORDERS`; stream names cannot contain dots), and the number of streams.
 */
export function natsFingerprint(
  streams: readonly Pick<NatsBackupStreamFacts, 'stream' | 'messages' | 'firstSeq' | 'lastSeq'>[],
): Record<string, number> {
  const fingerprint: Record<string, number> = { streams: streams.length };
  for (const stream of streams) {
    fingerprint[`messages.${stream.stream}`] = stream.messages;
    fingerprint[`firstSeq.${stream.stream}`] = stream.firstSeq;
    fingerprint[`lastSeq.${stream.stream}`] = stream.lastSeq;
  }
  return fingerprint;
}

function notOurs(): NatsBackupFormatError {
  return new NatsBackupFormatError(
    `does not start with "${NATS_BACKUP_MAGIC.trim()}": not a quorumctl JetStream backup`,
    'byte 0',
  );
}

function isPrefix(prefix: Uint8Array, of: Uint8Array): boolean {
  if (prefix.length > of.length) return false;
  return prefix.every((byte, index) => of[index] === byte);
}

function concat(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === 0) return right;
  const joined = new Uint8Array(left.length + right.length);
  joined.set(left, 0);
  joined.set(right, left.length);
  return joined;
}
