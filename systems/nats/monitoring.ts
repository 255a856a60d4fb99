/** Reads one nats-server's HTTP monitoring endpoints (/varz, /jsz, /routez, /healthz). */
import type { TlsOptions } from '../../core/ports.js';
import { httpCall, HttpTransportError } from '../transport/http.js';
import type { Healthz, Jsz, Routez, Varz } from './monitoring-types.js';

export interface MonitoringOptions {
  tls?: TlsOptions;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Every account, stream and consumer this server hosts, with each one's Raft group. */
export const JSZ_GROUPS_PATH = '/jsz?accounts=true&streams=true&consumers=true';

/**
 * One client for many servers. The monitoring port of nats-server 2.9 has no
 * authentication, so no credentials are sent (they would travel in clear to no purpose).
 */
export class NatsMonitoring {
  constructor(private readonly options: MonitoringOptions) {}

  varz(endpoint: string): Promise<Varz> {
    return this.getJson<Varz>(endpoint, '/varz');
  }

  jsz(endpoint: string): Promise<Jsz> {
    return this.getJson<Jsz>(endpoint, JSZ_GROUPS_PATH);
  }

  routez(endpoint: string): Promise<Routez> {
    return this.getJson<Routez>(endpoint, '/routez');
  }

  /** A failing check is an answer too: HTTP 503 carries the reason in the body. */
  healthz(endpoint: string): Promise<Healthz> {
    return this.getJson<Healthz>(endpoint, '/healthz', [200, 503]);
  }

  private async getJson<T>(
    endpoint: string,
    path: string,
    acceptedStatus: readonly number[] = [200],
  ): Promise<T> {
    const url = joinUrl(endpoint, path);
    const call: { timeoutMs: number; tls?: TlsOptions; signal?: AbortSignal } = {
      timeoutMs: this.options.timeoutMs,
    };
    if (this.options.tls !== undefined) call.tls = this.options.tls;
    if (this.options.signal !== undefined) call.signal = this.options.signal;
    let response;
    try {
      response = await httpCall(url, call);
    } catch (cause) {
      throw notHttpOrAsIs(cause, url);
    }
    if (!acceptedStatus.includes(response.statusCode))
      throw statusError(url, path.split('?')[0] ?? path, response);
    try {
      return JSON.parse(response.body) as T;
    } catch (cause) {
      throw new HttpTransportError(
        'BAD_RESPONSE',
        url,
        `${path.split('?')[0] ?? path} answered with something other than JSON: ${response.body.slice(0, 120)}`,
        { cause },
      );
    }
  }
}

/** The client URL of the server that answered /varz, for JetStream API calls. */
export function clientUrlOf(varz: Varz, monitoringEndpoint: string): string | undefined {
  if (varz.port === undefined || varz.port <= 0) return undefined;
  // A server listening on every interface names no host: reach it where its monitoring port is.
  const host =
    varz.host === undefined || ['', '0.0.0.0', '::', '[::]'].includes(varz.host)
      ? new URL(monitoringEndpoint).hostname
      : varz.host;
  return `nats://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${varz.port}`;
}

/** Client URLs of every server of the cluster, as the server advertises them to clients. */
export function clusterClientUrls(varz: Varz): string[] {
  return (varz.connect_urls ?? []).map((hostPort) => `nats://${hostPort}`);
}

function statusError(
  url: string,
  path: string,
  response: { statusCode: number; body: string },
): HttpTransportError {
  const { statusCode, body } = response;
  if (statusCode === 401 || statusCode === 403) {
    return new HttpTransportError(
      'AUTH_FAILED',
      url,
      `${path} answered HTTP ${statusCode}: nats-server's monitoring port asks for no credentials, so something in front of it does`,
    );
  }
  const reason = body.trim().split('\n')[0]?.slice(0, 160) ?? '';
  return new HttpTransportError(
    `HTTP_${statusCode}`,
    url,
    `${path} answered HTTP ${statusCode}${reason === '' ? '' : `: ${reason}`}`,
  );
}

/**
 * Node's HTTP parser fails with HPE_* codes when the other end is not an HTTP server,
 * which for NATS nearly always means the client port (it greets with `INFO {...}`).
 */
function notHttpOrAsIs(cause: unknown, url: string): unknown {
  if (cause instanceof HttpTransportError && cause.code.startsWith('HPE_')) {
    return new HttpTransportError(
      'NOT_HTTP',
      url,
      'answered, but not in HTTP: is this the NATS client port? status reads the HTTP monitoring port (`http:` in the server config, 8222 by default)',
      { cause },
    );
  }
  return cause;
}

function joinUrl(endpoint: string, path: string): string {
  return endpoint.replace(/\/+$/, '') + path;
}
