/** Calls etcd's gRPC JSON gateway on one endpoint at a time (status, members, metrics, auth). */
import type { AuthOptions, TlsOptions } from '../../core/ports.js';
import { httpCall, HttpTransportError } from '../transport/http.js';
import { sampleValue } from './metrics.js';
import type { AuthenticateResponse, MemberListResponse, StatusResponse } from './gateway-types.js';

export interface GatewayOptions {
  tls?: TlsOptions;
  auth?: AuthOptions;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * One client for many endpoints. With username/password it authenticates once per
 * endpoint and sends the token as the gateway's Authorization header.
 */
export class EtcdGateway {
  private readonly tokens = new Map<string, Promise<string>>();

  constructor(private readonly options: GatewayOptions) {}

  status(endpoint: string): Promise<StatusResponse> {
    return this.post<StatusResponse>(endpoint, '/v3/maintenance/status', {});
  }

  memberList(endpoint: string): Promise<MemberListResponse> {
    return this.post<MemberListResponse>(endpoint, '/v3/cluster/member/list', {});
  }

  /** One sample of `metric` from /metrics, reading the page only as far as that line. */
  async metricSample(endpoint: string, metric: string): Promise<number | undefined> {
    const response = await httpCall(joinUrl(endpoint, '/metrics'), {
      ...this.callOptions('GET'),
      enoughBody: (bodySoFar) => sampleValue(completeLines(bodySoFar), metric) !== undefined,
    });
    if (response.statusCode !== 200) {
      throw new HttpTransportError(
        `HTTP_${response.statusCode}`,
        endpoint,
        `GET /metrics answered HTTP ${response.statusCode}`,
      );
    }
    return sampleValue(completeLines(response.body), metric);
  }

  /**
   * What `Authorization` carries for `endpoint` (a token from Authenticate), for calls made
   * outside this class: the snapshot stream and gRPC metadata. Undefined without auth.
   */
  authToken(endpoint: string): Promise<string | undefined> {
    return this.tokenFor(endpoint);
  }

  /**
   * Any v3 gateway call (`/v3/kv/put`, `/v3/maintenance/defragment`, ...), with its own
   * timeout where the call outlasts a status read (a defragment blocks for minutes).
   */
  call<T>(endpoint: string, path: string, body: object, timeoutMs?: number): Promise<T> {
    return this.post<T>(endpoint, path, body, timeoutMs);
  }

  private async post<T>(
    endpoint: string,
    path: string,
    body: object,
    timeoutMs?: number,
  ): Promise<T> {
    const headers: Record<string, string> = {};
    const token = await this.tokenFor(endpoint);
    if (token !== undefined) headers.authorization = token;
    const url = joinUrl(endpoint, path);
    const response = await httpCall(url, {
      ...this.callOptions('POST'),
      ...(timeoutMs !== undefined && { timeoutMs }),
      headers,
      body: JSON.stringify(body),
    });
    if (response.statusCode !== 200) {
      throw new HttpTransportError(
        `HTTP_${response.statusCode}`,
        url,
        gatewayErrorMessage(path, response.statusCode, response.body),
      );
    }
    return parseJson(response.body, url) as T;
  }

  private tokenFor(endpoint: string): Promise<string | undefined> {
    const { username, password, token } = this.options.auth ?? {};
    if (token !== undefined) return Promise.resolve(token);
    if (username === undefined || password === undefined) return Promise.resolve(undefined);
    let pending = this.tokens.get(endpoint);
    if (pending === undefined) {
      pending = this.authenticate(endpoint, username, password);
      this.tokens.set(endpoint, pending);
    }
    return pending;
  }

  private async authenticate(endpoint: string, name: string, password: string): Promise<string> {
    const url = joinUrl(endpoint, '/v3/auth/authenticate');
    const response = await httpCall(url, {
      ...this.callOptions('POST'),
      body: JSON.stringify({ name, password }),
    });
    if (response.statusCode !== 200) {
      throw new HttpTransportError(
        'AUTH_FAILED',
        url,
        `authentication as "${name}" failed: ${gatewayErrorMessage('/v3/auth/authenticate', response.statusCode, response.body)}`,
      );
    }
    const { token } = parseJson(response.body, url) as AuthenticateResponse;
    if (token === undefined)
      throw new HttpTransportError(
        'AUTH_FAILED',
        url,
        'authentication returned no token (is auth enabled?)',
      );
    return token;
  }

  private callOptions(method: 'GET' | 'POST') {
    const call: {
      method: 'GET' | 'POST';
      timeoutMs: number;
      tls?: TlsOptions;
      signal?: AbortSignal;
    } = {
      method,
      timeoutMs: this.options.timeoutMs,
    };
    if (this.options.tls !== undefined) call.tls = this.options.tls;
    if (this.options.signal !== undefined) call.signal = this.options.signal;
    return call;
  }
}

/** A chunk may end inside a line: a half-read "... 2.14" must not pass for a value. */
function completeLines(text: string): string {
  return text.slice(0, text.lastIndexOf('\n') + 1);
}

function joinUrl(endpoint: string, path: string): string {
  return endpoint.replace(/\/+$/, '') + path;
}

function parseJson(body: string, url: string): unknown {
  try {
    return JSON.parse(body);
  } catch (cause) {
    throw new HttpTransportError('BAD_RESPONSE', url, `not JSON: ${body.slice(0, 120)}`, { cause });
  }
}

/** The gateway reports gRPC failures as `{"error": "...", "code": N}`. */
function gatewayErrorMessage(path: string, statusCode: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: string; message?: string };
    const reason = parsed.error ?? parsed.message;
    if (reason !== undefined) return `${path}: ${reason}`;
  } catch {
    // Not JSON: fall through to the raw status.
  }
  return `${path} answered HTTP ${statusCode}`;
}
