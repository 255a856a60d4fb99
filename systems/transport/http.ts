/** A small HTTP(S) client for status APIs: per-call timeout, abort signal, TLS and auth headers. */
import { request as httpRequest } from 'node:http';
import type { TlsOptions } from '../../core/ports.js';

import { socketErrorReason } from './socket-errors.js';
import { serverNameForUrl } from './tls-server-name.js';

export interface HttpResponse {
  statusCode: number;
  body: string;
}

export interface HttpCallOptions {
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  tls?: TlsOptions;
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * Stop reading once the body read so far satisfies this (e.g. a metric was found in a
   * 150 kB /metrics page): the rest is not transferred.
   */
  enoughBody?: (bodySoFar: string) => boolean;
}

/** A transport failure with a stable code (ECONNREFUSED, TIMEOUT, ...) and the URL. */
export class HttpTransportError extends Error {
  constructor(
    readonly code: string,
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpTransportError';
  }
}

export async function httpCall(url: string, options: HttpCallOptions): Promise<HttpResponse> {
  const target = new URL(url);
  const isTls = target.protocol === 'https:';
  const timeoutSignal = AbortSignal.timeout(options.timeoutMs);
  const signal =
    options.signal === undefined ? timeoutSignal : AbortSignal.any([options.signal, timeoutSignal]);
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(options.body));
  }
  const tls = isTls
    ? {
        ca: options.tls?.ca,
        cert: options.tls?.cert,
        key: options.tls?.key,
        rejectUnauthorized: options.tls?.insecureSkipVerify !== true,
        ...serverNameForUrl(options.tls, target),
      }
    : {};

  // node:https pulls in the TLS stack (tens of ms at start-up): load it only for https URLs.
  const send = isTls ? (await import('node:https')).request : httpRequest;
  return new Promise<HttpResponse>((resolve, reject) => {
    const req = send(
      target,
      { method: options.method ?? 'GET', headers, signal, agent: false, ...tls },
      (res) => {
        const chunks: Buffer[] = [];
        const finish = () => {
          resolve({
            statusCode: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        };
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if (options.enoughBody?.(Buffer.concat(chunks).toString('utf8')) === true) {
            finish();
            res.destroy();
          }
        });
        res.on('end', finish);
        res.on('error', (error) => {
          reject(translate(error, url, timeoutSignal, options.timeoutMs));
        });
      },
    );
    req.on('error', (error) => {
      reject(translate(error, url, timeoutSignal, options.timeoutMs));
    });
    req.end(options.body);
  });
}

function translate(
  error: Error,
  url: string,
  timeoutSignal: AbortSignal,
  timeoutMs: number,
): HttpTransportError {
  if (timeoutSignal.aborted) {
    return new HttpTransportError('TIMEOUT', url, `no answer within ${timeoutMs} ms`, {
      cause: error,
    });
  }
  if (error.name === 'AbortError')
    return new HttpTransportError('ABORTED', url, 'request aborted', { cause: error });
  const code = (error as NodeJS.ErrnoException).code ?? 'HTTP_ERROR';
  const reason = socketErrorReason(code) ?? error.message;
  return new HttpTransportError(code, url, reason, { cause: error });
}
