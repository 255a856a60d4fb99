/** Sends one ZooKeeper four-letter word over TCP (or TLS) and reads the answer until the server closes. */
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import type { TlsOptions } from '../../core/ports.js';
import { socketErrorReason } from '../transport/socket-errors.js';
import { serverNameOption } from '../transport/tls-server-name.js';

/** The words status reads: `srvr` (mode, zxid), `mntr` (gauges), `conf` (server ID, membership). */
export type FourLetterWord = 'srvr' | 'mntr' | 'conf';

export interface FourLetterWordOptions {
  /** Used only for `https://` endpoints (a secureClientPort). */
  tls?: TlsOptions;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Where a member listens: only host and port of the endpoint URL matter. */
export interface ServerAddress {
  host: string;
  port: number;
  tls: boolean;
}

/** A transport failure with a stable code (ECONNREFUSED, TIMEOUT, ...) and the endpoint. */
export class FourLetterWordError extends Error {
  constructor(
    readonly code: string,
    readonly endpoint: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FourLetterWordError';
  }
}

/** mntr is about 20 kB; anything far beyond is not a ZooKeeper answer. */
const MAX_REPLY_BYTES = 1024 * 1024;

/**
 * `http://h:p` (ad-hoc `zookeeper://h:p`), `tcp://h:p` (sandbox contexts) and `h:p` all mean
 * plain TCP; `https://` and `tls://` mean TLS to a secureClientPort.
 */
export function serverAddress(endpoint: string): ServerAddress {
  const url = URL.parse(endpoint.includes('://') ? endpoint : `tcp://${endpoint}`);
  const port = Number(url?.port ?? '');
  if (url === null || url.hostname === '' || !(port >= 1 && port <= 65535)) {
    throw new FourLetterWordError('BAD_ENDPOINT', endpoint, `"${endpoint}" is not HOST:PORT`);
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    tls: url.protocol === 'https:' || url.protocol === 'tls:',
  };
}

/** How a member is shown: `tcp://host:port`, or `tls://host:port` for a secure client port. */
export function displayEndpoint(address: ServerAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${address.tls ? 'tls' : 'tcp'}://${host}:${address.port}`;
}

export async function sendFourLetterWord(
  endpoint: string,
  word: FourLetterWord,
  options: FourLetterWordOptions,
): Promise<string> {
  const address = serverAddress(endpoint);
  const timeoutSignal = AbortSignal.timeout(options.timeoutMs);
  const signal =
    options.signal === undefined ? timeoutSignal : AbortSignal.any([options.signal, timeoutSignal]);
  if (signal.aborted) throw abortError(endpoint, timeoutSignal, options.timeoutMs);
  // node:tls costs start-up time: load it only for TLS endpoints.
  const socket = address.tls
    ? (await import('node:tls')).connect({
        host: address.host,
        port: address.port,
        ...(isIP(address.host) === 0 && { servername: address.host }),
        ...serverNameOption(options.tls, address.host, address.port),
        ca: options.tls?.ca,
        cert: options.tls?.cert,
        key: options.tls?.key,
        rejectUnauthorized: options.tls?.insecureSkipVerify !== true,
      })
    : tcpConnect({ host: address.host, port: address.port });
  return exchange(socket, address.tls ? 'secureConnect' : 'connect', word, endpoint, {
    signal,
    timeoutSignal,
    timeoutMs: options.timeoutMs,
  });
}

function exchange(
  socket: Socket,
  connectEvent: 'connect' | 'secureConnect',
  word: FourLetterWord,
  endpoint: string,
  abort: { signal: AbortSignal; timeoutSignal: AbortSignal; timeoutMs: number },
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onAbort = () => {
      fail(abortError(endpoint, abort.timeoutSignal, abort.timeoutMs));
    };
    const settle = () => {
      abort.signal.removeEventListener('abort', onAbort);
      socket.destroy();
    };
    const fail = (error: FourLetterWordError) => {
      settle();
      reject(error);
    };
    abort.signal.addEventListener('abort', onAbort, { once: true });
    // No half-close after the word: the server answers, then closes the connection itself.
    socket.once(connectEvent, () => socket.write(word));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_REPLY_BYTES) {
        fail(
          new FourLetterWordError(
            'BAD_RESPONSE',
            endpoint,
            `answered more than ${MAX_REPLY_BYTES} bytes to "${word}": is this a ZooKeeper client port?`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    socket.once('end', () => {
      settle();
      const reply = Buffer.concat(chunks).toString('utf8');
      if (reply === '') {
        reject(
          new FourLetterWordError(
            'EMPTY_REPLY',
            endpoint,
            `closed the connection without answering "${word}" (is this a ZooKeeper client port?)`,
          ),
        );
      } else {
        resolve(reply);
      }
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      fail(translate(error, endpoint));
    });
  });
}

function abortError(
  endpoint: string,
  timeoutSignal: AbortSignal,
  timeoutMs: number,
): FourLetterWordError {
  return timeoutSignal.aborted
    ? new FourLetterWordError('TIMEOUT', endpoint, `no answer within ${timeoutMs} ms`)
    : new FourLetterWordError('ABORTED', endpoint, 'request aborted');
}

function translate(error: NodeJS.ErrnoException, endpoint: string): FourLetterWordError {
  const code = error.code ?? 'SOCKET_ERROR';
  return new FourLetterWordError(code, endpoint, socketErrorReason(code) ?? error.message, {
    cause: error,
  });
}
