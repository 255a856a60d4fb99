/** One TCP or TLS connection to a Kafka listener: size-prefixed frames, in-order answers, timeouts. */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { TlsOptions } from '../../core/ports.js';
import { socketErrorReason } from '../transport/socket-errors.js';
import {
  apiName,
  decodeResponseFrame,
  encodeRequestFrame,
  KraftWireError,
  responseHeaderVersion,
} from './wire.js';

export interface KraftConnectionOptions {
  tls?: TlsOptions;
  /** Budget for connecting, and again for each request. */
  timeoutMs: number;
  signal?: AbortSignal;
  clientId?: string;
  /** Larger frames are refused before they are buffered (DescribeQuorum answers are a few kB). */
  maxFrameBytes?: number;
}

export const DEFAULT_CLIENT_ID = 'quorumctl';
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** A transport failure with a stable code (ECONNREFUSED, TIMEOUT, TLS_REQUIRED, ...). */
export class KraftTransportError extends Error {
  constructor(
    readonly code: string,
    readonly endpoint: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KraftTransportError';
  }
}

export interface KafkaEndpoint {
  host: string;
  port: number;
  tls: boolean;
}

/**
 * Endpoints arrive as URLs (`kraft://h:9093` becomes `http://h:9093`, `kraft+https://` becomes
 * `https://`); only host, port and whether to use TLS matter. `h:9093` alone is accepted too.
 */
export function parseEndpoint(endpoint: string): KafkaEndpoint {
  const url = URL.parse(endpoint.includes('://') ? endpoint : `tcp://${endpoint}`);
  const port = Number(url?.port);
  if (url === null || url.hostname === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new KraftTransportError(
      'BAD_ENDPOINT',
      endpoint,
      `"${endpoint}" is not a host:port endpoint`,
    );
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    tls: url.protocol === 'https:' || url.protocol === 'ssl:',
  };
}

interface PendingRequest {
  correlationId: number;
  apiKey: number;
  headerVersion: 0 | 1;
  resolve: (body: Buffer) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class KraftConnection {
  private readonly pending: PendingRequest[] = [];
  private buffered: Buffer = Buffer.alloc(0);
  private nextCorrelationId = 1;
  private failure: Error | undefined;
  private sawData = false;
  private readonly onAbort = () => {
    this.fail(new KraftTransportError('ABORTED', this.endpoint, 'request aborted'));
  };

  private constructor(
    readonly endpoint: string,
    private readonly socket: Socket,
    private readonly options: KraftConnectionOptions,
    private readonly isTls: boolean,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.onData(chunk);
    });
    socket.on('error', (error) => {
      this.fail(translateSocketError(error, endpoint));
    });
    socket.on('close', () => {
      // A TLS listener hangs up on a plaintext client, often without a TLS alert to see.
      const hint =
        !this.sawData && !this.isTls && this.pending.length > 0
          ? ' without answering (a TLS listener does this to plaintext clients: try kraft+https://)'
          : '';
      this.fail(
        new KraftTransportError(
          'CONNECTION_CLOSED',
          endpoint,
          `the server closed the connection${hint}`,
        ),
      );
    });
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  static async open(endpoint: string, options: KraftConnectionOptions): Promise<KraftConnection> {
    const target = parseEndpoint(endpoint);
    if (options.signal?.aborted === true) {
      throw new KraftTransportError('ABORTED', endpoint, 'request aborted');
    }
    const socket = target.tls
      ? (await import('node:tls')).connect({
          host: target.host,
          port: target.port,
          ...(isIP(target.host) === 0 && { servername: target.host }),
          ca: options.tls?.ca,
          cert: options.tls?.cert,
          key: options.tls?.key,
          rejectUnauthorized: options.tls?.insecureSkipVerify !== true,
        })
      : netConnect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', abort);
        socket.removeListener(target.tls ? 'secureConnect' : 'connect', connected);
        socket.removeListener('error', failed);
        if (error === undefined) {
          resolve();
        } else {
          socket.destroy();
          reject(error);
        }
      };
      const connected = () => {
        settle();
      };
      const failed = (error: Error) => {
        settle(translateSocketError(error, endpoint));
      };
      const abort = () => {
        settle(new KraftTransportError('ABORTED', endpoint, 'request aborted'));
      };
      const timer = setTimeout(() => {
        settle(
          new KraftTransportError(
            'TIMEOUT',
            endpoint,
            `no connection within ${options.timeoutMs} ms`,
          ),
        );
      }, options.timeoutMs);
      socket.once(target.tls ? 'secureConnect' : 'connect', connected);
      socket.once('error', failed);
      options.signal?.addEventListener('abort', abort, { once: true });
    });
    return new KraftConnection(endpoint, socket, options, target.tls);
  }

  /** Sends one request and resolves with the response body (header stripped). */
  request(apiKey: number, apiVersion: number, body: Buffer): Promise<Buffer> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    const frame = encodeRequestFrame(
      { apiKey, apiVersion, correlationId, clientId: this.options.clientId ?? DEFAULT_CLIENT_ID },
      body,
    );
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The answer may still arrive later and desynchronize the stream: drop the connection.
        this.fail(
          new KraftTransportError(
            'TIMEOUT',
            this.endpoint,
            `no answer to ${apiName(apiKey)} within ${this.options.timeoutMs} ms`,
          ),
        );
      }, this.options.timeoutMs);
      this.pending.push({
        correlationId,
        apiKey,
        headerVersion: responseHeaderVersion(apiKey, apiVersion),
        resolve,
        reject,
        timer,
      });
      this.socket.write(frame);
    });
  }

  close(): void {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.fail(new KraftTransportError('CLOSED', this.endpoint, 'connection closed by quorumctl'));
  }

  private onData(chunk: Buffer): void {
    if (!this.sawData && !this.isTls && looksLikeTls(chunk)) {
      this.fail(
        new KraftTransportError(
          'TLS_REQUIRED',
          this.endpoint,
          'the server answered with TLS: use a kraft+https:// endpoint (and --cacert)',
        ),
      );
      return;
    }
    this.sawData = true;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const maxFrameBytes = this.options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (size < 4 || size > maxFrameBytes) {
        this.fail(
          new KraftWireError(
            `response frame size ${size} is outside 4..${maxFrameBytes} bytes (is this a Kafka listener?)`,
            0,
          ),
        );
        return;
      }
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      const request = this.pending.shift();
      if (request === undefined) {
        this.fail(new KraftWireError('a response arrived that no request asked for', 0));
        return;
      }
      clearTimeout(request.timer);
      let decoded: { correlationId: number; body: Buffer };
      try {
        decoded = decodeResponseFrame(frame, request.headerVersion);
      } catch (error) {
        request.reject(error as Error);
        this.fail(error as Error);
        return;
      }
      if (decoded.correlationId !== request.correlationId) {
        const error = new KraftWireError(
          `response to ${apiName(request.apiKey)} carries correlation ID ${decoded.correlationId}, expected ${request.correlationId}`,
          0,
        );
        request.reject(error);
        this.fail(error);
        return;
      }
      request.resolve(decoded.body);
    }
  }

  /** Fails every request in flight and every later one; the socket is closed. */
  private fail(error: Error): void {
    this.failure ??= error;
    for (const request of this.pending.splice(0)) {
      clearTimeout(request.timer);
      request.reject(error);
    }
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.socket.destroy();
  }
}

/** A TLS record header (handshake or alert, version 3.x) where a Kafka frame was expected. */
function looksLikeTls(chunk: Buffer): boolean {
  return (
    chunk.length >= 3 &&
    (chunk[0] === 0x15 || chunk[0] === 0x16) &&
    chunk[1] === 0x03 &&
    (chunk[2] ?? 0xff) <= 0x04
  );
}

/** Where Kafka listeners differ from the shared explanations in systems/transport. */
const KRAFT_SOCKET_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the controller running and listening on this port?)',
  ERR_SSL_WRONG_VERSION_NUMBER:
    'TLS handshake failed: the listener does not speak TLS (use kraft:// instead of kraft+https://)',
  ERR_SSL_PACKET_LENGTH_TOO_LONG:
    'TLS handshake failed: the listener does not speak TLS (use kraft:// instead of kraft+https://)',
  EPROTO: 'TLS handshake failed (is this a TLS listener, and does it need a client certificate?)',
};

function translateSocketError(error: Error, endpoint: string): KraftTransportError {
  if (error instanceof KraftTransportError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? 'SOCKET_ERROR';
  return new KraftTransportError(
    code,
    endpoint,
    KRAFT_SOCKET_REASONS[code] ?? socketErrorReason(code) ?? error.message,
    {
      cause: error,
    },
  );
}
