/**
 * The two etcd calls backups make over gRPC (HTTP/2) instead of the JSON gateway, with no
 * gRPC library: HashKV, which the gateway cannot make (on 3.4 `POST /v3/maintenance/hash`
 * is routed to Hash, the whole backend at any revision, because HashKV was registered on the
 * same path; verified live on 3.4.23), and the Snapshot stream, which the gateway serves as
 * base64 JSON lines too slowly to keep up with etcdctl.
 */
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import type { TlsOptions } from '../../core/ports.js';
import { HttpTransportError } from '../transport/http.js';
import { serverNameForUrl } from '../transport/tls-server-name.js';

export interface GrpcCallOptions {
  tls?: TlsOptions;
  /** The token from Authenticate, sent as gRPC metadata `token`. */
  token?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HashKvResult {
  hash: number;
  /** -1 when the member was never compacted. */
  compactRevision: number;
  /** The member's current revision (from the response header). */
  headerRevision: number;
}

/** HashKV at `revision` on the member behind `endpoint` (a client URL). */
export async function hashKv(
  endpoint: string,
  revision: number,
  options: GrpcCallOptions,
): Promise<HashKvResult> {
  const reply = await unaryCall(
    endpoint,
    '/etcdserverpb.Maintenance/HashKV',
    encodeFields([[1, revision]]),
    options,
  );
  const fields = decodeFields(reply);
  const header = fields.get(1)?.[0];
  return {
    hash: Number(fields.get(2)?.[0] ?? 0n),
    compactRevision: Number(BigInt.asIntN(64, asBigInt(fields.get(3)?.[0] ?? 0n))),
    headerRevision:
      header instanceof Uint8Array ? Number(asBigInt(decodeFields(header).get(3)?.[0] ?? 0n)) : 0,
  };
}

/** One request message, one response message; gRPC status from trailers (or trailers-only headers). */
export function unaryCall(
  endpoint: string,
  path: string,
  message: Uint8Array,
  options: GrpcCallOptions,
): Promise<Uint8Array> {
  const url = new URL(endpoint);
  const authority = `${url.protocol}//${url.host}`;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal =
    options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  return new Promise<Uint8Array>((resolve, reject) => {
    const session: { current?: ClientHttp2Session } = {};
    const fail = (code: string, why: string, cause?: unknown) => {
      session.current?.destroy();
      reject(new HttpTransportError(code, `${authority}${path}`, why, { cause }));
    };
    const onAbort = () => {
      fail(
        timeout.aborted ? 'TIMEOUT' : 'ABORTED',
        timeout.aborted ? `no answer within ${options.timeoutMs} ms` : 'aborted',
      );
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      signal.removeEventListener('abort', onAbort);
      session.current?.close();
    };
    const client = connect(authority, {
      ...(url.protocol === 'https:' && {
        ca: options.tls?.ca,
        cert: options.tls?.cert,
        key: options.tls?.key,
        rejectUnauthorized: options.tls?.insecureSkipVerify !== true,
        ...serverNameForUrl(options.tls, url),
      }),
    });
    session.current = client;
    client.on('error', (error: NodeJS.ErrnoException) => {
      done();
      fail(error.code ?? 'GRPC_ERROR', error.message, error);
    });
    const request = client.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...(options.token !== undefined && { token: options.token }),
    });
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let statusMessage = '';
    const takeStatus = (headers: Record<string, string | string[] | number | undefined>) => {
      const code = headers['grpc-status'];
      const text = headers['grpc-message'];
      if (code !== undefined) status = String(code);
      if (typeof text === 'string') statusMessage = decodeURIComponent(text);
    };
    request.on('response', takeStatus);
    request.on('trailers', takeStatus);
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('error', (error: NodeJS.ErrnoException) => {
      done();
      // A refused connection surfaces as a cancelled stream whose cause has the socket error.
      const cause = error.cause as NodeJS.ErrnoException | undefined;
      fail(cause?.code ?? error.code ?? 'GRPC_ERROR', cause?.message ?? error.message, error);
    });
    request.on('end', () => {
      done();
      if (status !== '0') {
        fail(
          `GRPC_${status ?? 'UNKNOWN'}`,
          statusMessage === '' ? `gRPC status ${status ?? 'missing'}` : statusMessage,
        );
        return;
      }
      const body = Buffer.concat(chunks);
      if (body.length < 5 || body[0] !== 0) {
        fail('BAD_RESPONSE', 'not a gRPC message (or a compressed one)');
        return;
      }
      resolve(body.subarray(5, 5 + body.readUInt32BE(1)));
    });
    const frame = Buffer.alloc(5 + message.length);
    frame.writeUInt32BE(message.length, 1);
    frame.set(message, 5);
    request.end(frame);
  });
}

type FieldValue = bigint | Uint8Array;

/** Protobuf encoding of varint fields (all that HashKV's request has). */
export function encodeFields(fields: readonly [number, number | bigint][]): Uint8Array {
  const bytes: number[] = [];
  for (const [number, value] of fields) {
    writeVarint(bytes, BigInt(number << 3));
    writeVarint(bytes, BigInt.asUintN(64, BigInt(value)));
  }
  return Uint8Array.from(bytes);
}

/** Varint and length-delimited fields by number; fixed-width fields are skipped. */
export function decodeFields(message: Uint8Array): Map<number, FieldValue[]> {
  const fields = new Map<number, FieldValue[]>();
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = message[at];
      if (byte === undefined || shift > 63n) throw new Error('truncated protobuf varint');
      at += 1;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (at < message.length) {
    const key = varint();
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    let value: FieldValue | undefined;
    if (wireType === 0) value = varint();
    else if (wireType === 2) {
      const length = Number(varint());
      if (at + length > message.length) throw new Error('truncated protobuf field');
      value = message.subarray(at, at + length);
      at += length;
    } else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else throw new Error(`unsupported protobuf wire type ${wireType}`);
    if (value !== undefined) fields.set(number, [...(fields.get(number) ?? []), value]);
  }
  return fields;
}

function writeVarint(bytes: number[], value: bigint): void {
  let rest = value;
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
}

function asBigInt(value: FieldValue): bigint {
  return typeof value === 'bigint' ? value : 0n;
}

export interface GrpcStreamOptions {
  tls?: TlsOptions;
  token?: string;
  /** Budget to connect and for every silence between messages. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
}

/** HTTP/2 flow-control window: etcd sends 32 KiB messages; a small window stalls the stream. */
const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;

/**
 * Maintenance/Snapshot over gRPC: the same messages as the gateway's stream (remaining_bytes
 * = field 2, blob = field 3), without base64 and JSON on either side. Each blob is valid only
 * until the next message is requested: copy it to keep it.
 */
export async function* grpcSnapshotMessages(
  endpoint: string,
  options: GrpcStreamOptions,
): AsyncGenerator<{ blob: Buffer; remainingBytes: number }> {
  const url = new URL(endpoint);
  const authority = `${url.protocol}//${url.host}`;
  const where = `${authority}/etcdserverpb.Maintenance/Snapshot`;
  const client = connect(authority, {
    settings: { initialWindowSize: STREAM_WINDOW_BYTES },
    ...(url.protocol === 'https:' && {
      ca: options.tls?.ca,
      cert: options.tls?.cert,
      key: options.tls?.key,
      rejectUnauthorized: options.tls?.insecureSkipVerify !== true,
      ...serverNameForUrl(options.tls, url),
    }),
  });
  let failure: HttpTransportError | undefined;
  const fail = (code: string, why: string, cause?: unknown) => {
    failure ??= new HttpTransportError(code, where, why, { cause });
    client.destroy();
  };
  client.on('error', (error: NodeJS.ErrnoException) => {
    fail(error.code ?? 'GRPC_ERROR', error.message, error);
  });
  client.on('connect', () => {
    client.setLocalWindowSize(STREAM_WINDOW_BYTES);
  });
  const onAbort = () => {
    fail('ABORTED', 'snapshot aborted');
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const request = client.request({
    [constants.HTTP2_HEADER_METHOD]: 'POST',
    [constants.HTTP2_HEADER_PATH]: '/etcdserverpb.Maintenance/Snapshot',
    'content-type': 'application/grpc',
    te: 'trailers',
    ...(options.token !== undefined && { token: options.token }),
  });
  request.setTimeout(options.idleTimeoutMs, () => {
    fail('TIMEOUT', `no snapshot data for ${options.idleTimeoutMs} ms`);
  });
  let status: string | undefined;
  let statusMessage = '';
  const takeStatus = (headers: Record<string, string | string[] | number | undefined>) => {
    const code = headers['grpc-status'];
    const text = headers['grpc-message'];
    if (code !== undefined) status = String(code);
    if (typeof text === 'string') statusMessage = decodeURIComponent(text);
  };
  request.on('response', takeStatus);
  request.on('trailers', takeStatus);
  request.on('error', (error: NodeJS.ErrnoException) => {
    const cause = error.cause as NodeJS.ErrnoException | undefined;
    fail(cause?.code ?? error.code ?? 'GRPC_ERROR', cause?.message ?? error.message, error);
  });
  request.end(Buffer.from([0, 0, 0, 0, 0])); // an empty SnapshotRequest
  try {
    // gRPC framing: 1 byte "compressed", 4 bytes length, then the message; frames span chunks.
    const header = Buffer.alloc(5);
    let headerFilled = 0;
    let message: Buffer | undefined;
    let messageFilled = 0;
    let reusable = Buffer.alloc(0);
    for await (const chunk of request as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.length) {
        if (message === undefined) {
          const take = Math.min(5 - headerFilled, chunk.length - at);
          chunk.copy(header, headerFilled, at, at + take);
          headerFilled += take;
          at += take;
          if (headerFilled < 5) break;
          if (header[0] !== 0)
            throw new HttpTransportError('BAD_RESPONSE', where, 'compressed gRPC message');
          const length = header.readUInt32BE(1);
          // One buffer for every message of the usual size: per-message allocations would
          // pile up as external memory between garbage collections.
          if (reusable.length < length) reusable = Buffer.allocUnsafe(Math.max(length, 64 * 1024));
          message = reusable.subarray(0, length);
          messageFilled = 0;
          headerFilled = 0;
        }
        const take = Math.min(message.length - messageFilled, chunk.length - at);
        chunk.copy(message, messageFilled, at, at + take);
        messageFilled += take;
        at += take;
        if (messageFilled === message.length) {
          const fields = decodeFields(message);
          const blob = fields.get(3)?.[0];
          const remaining = fields.get(2)?.[0];
          message = undefined;
          // A view into the reused buffer: valid until the next message is asked for, which
          // is after the consumer has hashed, parsed and written it.
          yield {
            blob:
              blob instanceof Uint8Array
                ? Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength)
                : Buffer.alloc(0),
            remainingBytes: typeof remaining === 'bigint' ? Number(remaining) : 0,
          };
        }
      }
    }
    if (failure !== undefined) throw failure;
    if (status !== '0') {
      throw new HttpTransportError(
        status === '16' ? 'AUTH_FAILED' : `GRPC_${status ?? 'UNKNOWN'}`,
        where,
        statusMessage === '' ? `gRPC status ${status ?? 'missing'}` : statusMessage,
      );
    }
    if (message !== undefined || headerFilled > 0)
      throw new HttpTransportError('BAD_RESPONSE', where, 'stream ended inside a message');
  } catch (cause) {
    throw failure ?? cause;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    request.destroy();
    client.close();
  }
}
