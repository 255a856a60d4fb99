/** Calls a CockroachDB node's HTTP status API (`/_status/*`, `/health`), signing in when needed. */
import type { ConnectOptions } from '../../core/ports.js';
import { httpCall, HttpTransportError, type HttpResponse } from '../transport/http.js';
import type {
  LoginResponse,
  NodesResponse,
  ProblemRangesResponse,
  RangeResponse,
} from './status-types.js';

export interface Readiness {
  ready: boolean;
  /** Why the node is not ready, as it said so. */
  reason?: string;
}

/**
 * `/_status/*` needs an admin's DB Console session on secure clusters: either given as a token
 * (the cookie `cockroach auth-session login USER --only-cookie` prints) or made from a user
 * and password through `POST /api/v2/login/`. `/health` needs none.
 */
export class StatusClient {
  private session: Promise<string | undefined> | undefined;

  constructor(private readonly options: ConnectOptions) {}

  nodes(endpoint: string): Promise<NodesResponse> {
    return this.getJson<NodesResponse>(endpoint, '/_status/nodes');
  }

  problemRanges(endpoint: string): Promise<ProblemRangesResponse> {
    return this.getJson<ProblemRangesResponse>(endpoint, '/_status/problemranges');
  }

  range(endpoint: string, rangeId: string): Promise<RangeResponse> {
    return this.getJson<RangeResponse>(endpoint, `/_status/range/${encodeURIComponent(rangeId)}`);
  }

  /** 200 when the node is live and not draining; 503 with a reason otherwise. */
  async readiness(endpoint: string): Promise<Readiness> {
    const response = await this.call(endpoint, '/health?ready=1', {});
    if (response.statusCode === 200) return { ready: true };
    return { ready: false, reason: errorText(response) };
  }

  private async getJson<T>(endpoint: string, path: string): Promise<T> {
    const cookie = await this.sessionCookie(endpoint);
    const response = await this.call(endpoint, path, cookie === undefined ? {} : { cookie });
    if (response.statusCode === 401 || response.statusCode === 403) {
      throw new HttpTransportError(
        'AUTH_FAILED',
        url(endpoint, path),
        `GET ${path} was refused (HTTP ${response.statusCode}): ${errorText(response)}`,
      );
    }
    if (response.statusCode !== 200) {
      throw new HttpTransportError(
        `HTTP_${response.statusCode}`,
        url(endpoint, path),
        `GET ${path} answered HTTP ${response.statusCode}: ${errorText(response)}`,
      );
    }
    try {
      return JSON.parse(response.body) as T;
    } catch (cause) {
      throw new HttpTransportError(
        'BAD_RESPONSE',
        url(endpoint, path),
        `not JSON: ${response.body.slice(0, 120)}`,
        { cause },
      );
    }
  }

  private call(
    endpoint: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<HttpResponse> {
    return httpCall(url(endpoint, path), {
      method: body === undefined ? 'GET' : 'POST',
      headers: { accept: 'application/json', ...headers },
      ...(body !== undefined && { body }),
      timeoutMs: this.options.timeoutMs,
      ...(this.options.tls !== undefined && { tls: this.options.tls }),
      ...(this.options.signal !== undefined && { signal: this.options.signal }),
    });
  }

  /** A session is stored cluster-wide, so one sign-in serves every node. */
  private sessionCookie(endpoint: string): Promise<string | undefined> {
    const { token, username, password } = this.options.auth ?? {};
    if (token !== undefined) return Promise.resolve(cookieFromToken(token));
    if (username === undefined || password === undefined) return Promise.resolve(undefined);
    this.session ??= this.login(endpoint, username, password);
    return this.session;
  }

  private async login(endpoint: string, username: string, password: string): Promise<string> {
    const path = '/api/v2/login/';
    const form = new URLSearchParams({ username, password }).toString();
    const response = await this.call(
      endpoint,
      path,
      { 'content-type': 'application/x-www-form-urlencoded' },
      form,
    );
    if (response.statusCode !== 200) {
      throw new HttpTransportError(
        response.statusCode === 401 || response.statusCode === 403
          ? 'AUTH_FAILED'
          : `HTTP_${response.statusCode}`,
        url(endpoint, path),
        `signing in as "${username}" failed (HTTP ${response.statusCode}): ${errorText(response)}`,
      );
    }
    const session = (JSON.parse(response.body) as LoginResponse).session;
    if (session === undefined || session === '') {
      throw new HttpTransportError(
        'AUTH_FAILED',
        url(endpoint, path),
        'sign-in returned no session',
      );
    }
    return `session=${session}`;
  }
}

/** Accepts a bare session value or the `session=...; Path=/; HttpOnly` line the CLI prints. */
export function cookieFromToken(token: string): string {
  const first = token.trim().split(';')[0] ?? '';
  return first.startsWith('session=') ? first : `session=${first}`;
}

function url(endpoint: string, path: string): string {
  return endpoint.replace(/\/+$/, '') + path;
}

/** gRPC-gateway errors are `{"error": ..., "message": ...}`; http.Error bodies are plain text. */
function errorText(response: HttpResponse): string {
  try {
    const parsed = JSON.parse(response.body) as { message?: string; error?: string };
    const reason = parsed.message ?? parsed.error;
    if (typeof reason === 'string' && reason !== '') return reason;
  } catch {
    // Plain text.
  }
  const text = response.body.trim().replace(/\s+/g, ' ');
  return text === '' ? `HTTP ${response.statusCode}` : text.slice(0, 200);
}
