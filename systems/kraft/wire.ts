/** Kafka wire format on @platformatic/kafka's Reader/Writer: strict bounds, frames, headers, UUIDs. */
import type { Reader as KafkaReader } from '@platformatic/kafka';
import { kafka } from './kafka-library.js';

const { Reader, Writer } = kafka;

export const ApiKey = {
  ApiVersions: 18,
  DescribeQuorum: 55,
  DescribeCluster: 60,
  AddRaftVoter: 80,
  RemoveRaftVoter: 81,
} as const;
export type ApiKeyValue = (typeof ApiKey)[keyof typeof ApiKey];

export const API_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(ApiKey).map(([name, key]) => [key, name]),
);

export function apiName(apiKey: number): string {
  return API_NAMES[apiKey] ?? `api ${apiKey}`;
}

/** A response we cannot decode: truncated, oversized, trailing bytes, impossible lengths. */
export class KraftWireError extends Error {
  readonly code = 'MALFORMED_RESPONSE';

  constructor(
    message: string,
    /** Byte offset in the decoded unit (frame or body) where decoding stopped. */
    readonly offset?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KraftWireError';
  }
}

/**
 * platformatic's Reader trusts its input: a compact length of 2^32-4 reads as a negative
 * length and walks backwards, so a hostile or corrupt frame can make a parser loop. This
 * subclass checks every length against the bytes that remain before anything is read, and
 * rejects over-long varints and out-of-order tags the way Kafka's own readers do. The
 * API parsers take the reader as an argument, so they run unchanged on top of it.
 */
export class StrictReader extends Reader {
  static of(bytes: Buffer): StrictReader {
    return new StrictReader(Reader.from(bytes).buffer);
  }

  private need(bytes: number, what: string): void {
    if (bytes > this.remaining) {
      throw new KraftWireError(
        `truncated: ${what} needs ${bytes} byte${bytes === 1 ? '' : 's'} at offset ${this.position}, ${this.remaining} left`,
        this.position,
      );
    }
  }

  override skip(length: number): this {
    this.need(length, 'skipped field');
    return super.skip(length);
  }

  override readInt8(): number {
    this.need(1, 'int8');
    return super.readInt8();
  }

  override readUnsignedInt8(): number {
    this.need(1, 'uint8');
    return super.readUnsignedInt8();
  }

  override readInt16(): number {
    this.need(2, 'int16');
    return super.readInt16();
  }

  override readUnsignedInt16(): number {
    this.need(2, 'uint16');
    return super.readUnsignedInt16();
  }

  override readInt32(): number {
    this.need(4, 'int32');
    return super.readInt32();
  }

  override readUnsignedInt32(): number {
    this.need(4, 'uint32');
    return super.readUnsignedInt32();
  }

  override readInt64(): bigint {
    this.need(8, 'int64');
    return super.readInt64();
  }

  override readFloat64(): number {
    this.need(8, 'float64');
    return super.readFloat64();
  }

  /** Kafka reads any non-zero byte as true. */
  override readBoolean(): boolean {
    this.need(1, 'bool');
    return super.readUnsignedInt8() !== 0;
  }

  override readUUID(): string {
    this.need(16, 'uuid');
    return super.readUUID();
  }

  /** An unsigned 32-bit value in at most 5 bytes (Kafka's ByteUtils.readUnsignedVarint). */
  override readUnsignedVarInt(): number {
    const start = this.position;
    let value = 0;
    for (let index = 0; index < 5; index += 1) {
      this.need(1, 'varint');
      const byte = this.buffer.readUInt8(this.position);
      this.position += 1;
      if (index === 4 && byte > 0x0f) {
        throw new KraftWireError(`unsigned varint at offset ${start} exceeds 32 bits`, start);
      }
      value += (byte & 0x7f) * 2 ** (7 * index);
      if (byte < 0x80) return value;
    }
    throw new KraftWireError(`unsigned varint at offset ${start} exceeds 32 bits`, start);
  }

  override readNullableString(compact = true, encoding: BufferEncoding = 'utf-8'): string | null {
    const length = this.readLength(compact ? 'compact' : 'int16', 'string');
    if (length === null) return null;
    this.need(length, 'string');
    const value = this.buffer.toString(encoding, this.position, this.position + length);
    this.position += length;
    return value;
  }

  override readNullableBytes(compact = true): Buffer | null {
    const length = this.readLength(compact ? 'compact' : 'int32', 'bytes');
    if (length === null) return null;
    this.need(length, 'bytes');
    const value = this.buffer.slice(this.position, this.position + length);
    this.position += length;
    return value;
  }

  override readNullableArray<OutputType>(
    reader: (reader: KafkaReader, index: number) => OutputType,
    compact = true,
    discardTrailingTaggedFields = true,
  ): OutputType[] | null {
    const count = this.readLength(compact ? 'compact' : 'int32', 'array');
    if (count === null) return null;
    // Every element takes at least one byte: more elements than bytes left is a lie.
    if (count > this.remaining) {
      throw new KraftWireError(
        `truncated: array of ${count} elements at offset ${this.position} but only ${this.remaining} bytes left`,
        this.position,
      );
    }
    const values: OutputType[] = [];
    for (let index = 0; index < count; index += 1) {
      values.push(reader(this, index));
      if (discardTrailingTaggedFields) this.readTaggedFields();
    }
    return values;
  }

  /** Skips tagged fields, which must come in strictly ascending tag order. */
  override readTaggedFields(): void {
    const count = this.readUnsignedVarInt();
    if (count > this.remaining) {
      throw new KraftWireError(
        `truncated: ${count} tagged fields at offset ${this.position} but only ${this.remaining} bytes left`,
        this.position,
      );
    }
    let previous = -1;
    for (let index = 0; index < count; index += 1) {
      const tag = this.readUnsignedVarInt();
      if (tag <= previous) {
        throw new KraftWireError(
          `invalid or out-of-order tag ${tag} after ${previous}`,
          this.position,
        );
      }
      previous = tag;
      this.skip(this.readUnsignedVarInt());
    }
  }

  /** A length prefix: compact (N+1, 0 = null), INT16 or INT32 (-1 = null). */
  private readLength(kind: 'compact' | 'int16' | 'int32', what: string): number | null {
    const start = this.position;
    const raw =
      kind === 'compact'
        ? this.readUnsignedVarInt() - 1
        : kind === 'int16'
          ? this.readInt16()
          : this.readInt32();
    if (raw === -1) return null;
    if (raw < -1)
      throw new KraftWireError(`negative ${what} length ${raw} at offset ${start}`, start);
    return raw;
  }
}

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** ApiVersions is flexible from v3; every other API we speak is flexible from v0. */
export function isFlexible(apiKey: number, apiVersion: number): boolean {
  return apiKey === ApiKey.ApiVersions ? apiVersion >= 3 : true;
}

/** Request header v2 (with tagged fields) for flexible versions, v1 otherwise. */
export function requestHeaderVersion(apiKey: number, apiVersion: number): 1 | 2 {
  return isFlexible(apiKey, apiVersion) ? 2 : 1;
}

/** ApiVersions answers always use header v0 (KIP-511), so any client can read the error. */
export function responseHeaderVersion(apiKey: number, apiVersion: number): 0 | 1 {
  return apiKey === ApiKey.ApiVersions || !isFlexible(apiKey, apiVersion) ? 0 : 1;
}

/** Size prefix + header + body. ClientId keeps its INT16 length even in header v2. */
export function encodeRequestFrame(header: RequestHeader, body: Buffer): Buffer {
  const writer = Writer.create()
    .appendInt16(header.apiKey)
    .appendInt16(header.apiVersion)
    .appendInt32(header.correlationId)
    .appendString(header.clientId, false);
  if (requestHeaderVersion(header.apiKey, header.apiVersion) === 2) writer.appendTaggedFields();
  if (body.length > 0) writer.append(body);
  return writer.prependLength().buffer;
}

/** Splits a response frame (size prefix removed) into correlation ID and body. */
export function decodeResponseFrame(
  frame: Buffer,
  headerVersion: 0 | 1,
): { correlationId: number; body: Buffer } {
  try {
    const reader = StrictReader.of(frame);
    const correlationId = reader.readInt32();
    if (headerVersion === 1) reader.readTaggedFields();
    return { correlationId, body: frame.subarray(reader.position) };
  } catch (cause) {
    throw asWireError(cause, 'response header');
  }
}

/**
 * Runs a body parser on a strict reader. A parse that ends early or leaves bytes behind is
 * malformed. platformatic's parsers throw ResponseError (carrying the decoded response)
 * when the answer holds a Kafka error code: that is an answer, returned for the caller to
 * judge.
 */
export function decodeBody<T>(
  apiKey: number,
  apiVersion: number,
  body: Buffer,
  parse: (reader: StrictReader) => T,
  direction: 'request' | 'response' = 'response',
): T {
  const what = `${apiName(apiKey)} v${apiVersion} ${direction}`;
  const reader = StrictReader.of(body);
  let value: T;
  try {
    value = parse(reader);
  } catch (error) {
    if (!(error instanceof kafka.ResponseError)) throw asWireError(error, what);
    value = error.response as T;
  }
  if (reader.remaining > 0) {
    throw new KraftWireError(
      `${what}: ${reader.remaining} unexpected bytes after the last field (offset ${reader.position})`,
      reader.position,
    );
  }
  return value;
}

export function asWireError(error: unknown, what: string): KraftWireError {
  if (error instanceof KraftWireError) {
    return new KraftWireError(`${what}: ${error.message}`, error.offset, { cause: error });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new KraftWireError(`${what}: cannot be decoded (${reason})`, undefined, { cause: error });
}

const ZERO_UUID = Buffer.alloc(16);

/**
 * Directory IDs the way Kafka prints them: URL-safe base64 without padding (22 characters,
 * `Uuid.toString`). Also accepts 32 hex digits, with or without dashes.
 */
export function uuidToBytes(value: string): Buffer {
  const hex = value.replaceAll('-', '');
  const bytes = /^[0-9a-fA-F]{32}$/.test(hex)
    ? Buffer.from(hex, 'hex')
    : /^[A-Za-z0-9_-]{22}$/.test(value)
      ? Buffer.from(value, 'base64url')
      : undefined;
  if (bytes?.length !== 16) {
    throw new RangeError(
      `"${value}" is not a Kafka UUID (22 characters of URL-safe base64, as kafka-metadata-quorum prints it)`,
    );
  }
  return bytes;
}

/** Kafka's string form; undefined for the zero UUID, which Kafka uses for "none". */
export function bytesToUuid(bytes: Buffer): string | undefined {
  return bytes.equals(ZERO_UUID) ? undefined : bytes.toString('base64url');
}

/** platformatic's readUUID gives dashed hex; our types carry Kafka's base64 form. */
export function hexUuidToKafka(hex: string): string | undefined {
  return bytesToUuid(Buffer.from(hex.replaceAll('-', ''), 'hex'));
}

/** platformatic's Writer takes dashed or plain hex. */
export function kafkaUuidToHex(value: string): string {
  return uuidToBytes(value).toString('hex');
}
