/** Calls a Consul agent's HTTP API (`/v1/...`) on one endpoint at a time, with the ACL token. */
import type { ConnectOptions } from '../../core/ports.js';
import { httpCall, HttpTransportError } from '../transport/http.js';
import type { AutopilotHealth, RaftConfiguration } from './api-types.js';

export class ConsulClient {
  constructor(private readonly options: ConnectOptions) {}

  /** The leader's Raft address ("10.1.10.12:8300"), or "" while there is none. Needs no ACL. */
  leader(endpoint: string): Promise<string> {
    return this.get<string>(endpoint, '/v1/status/leader');
  }

  /**
   * `stale` lets any server answer from its own copy, so the configuration can be read while
   * there is no leader, which is when an operator needs it most.
   */
  raftConfiguration(endpoint: string): Promise<RaftConfiguration> {
    return this.get<RaftConfiguration>(endpoint, '/v1/operator/raft/configuration?stale');
  }

  /** Answered by the leader; HTTP 429 carries the same body when the cluster is not healthy. */
  autopilotHealth(endpoint: string): Promise<AutopilotHealth> {
    return this.get<AutopilotHealth>(endpoint, '/v1/operator/autopilot/health', [200, 429]);
  }

  private async get<T>(endpoint: string, path: string, okCodes: number[] = [200]): Promise<T> {
    const url = endpoint.replace(/\/+$/, '') + path;
    const token = this.options.auth?.token;
    const response = await httpCall(url, {
      method: 'GET',
      headers: {
        accept: 'application/json',
        ...(token !== undefined && { 'X-Consul-Token': token }),
      },
      timeoutMs: this.options.timeoutMs,
      ...(this.options.tls !== undefined && { tls: this.options.tls }),
      ...(this.options.signal !== undefined && { signal: this.options.signal }),
    });
    if (response.statusCode === 401 || response.statusCode === 403) {
      throw new HttpTransportError(
        'AUTH_FAILED',
        url,
        `GET ${path} was refused (HTTP ${response.statusCode}): ${snippet(response.body)}`,
      );
    }
    if (!okCodes.includes(response.statusCode)) {
      throw new HttpTransportError(
        `HTTP_${response.statusCode}`,
        url,
        `GET ${path} answered HTTP ${response.statusCode}: ${snippet(response.body)}`,
      );
    }
    try {
      return JSON.parse(response.body) as T;
    } catch (cause) {
      throw new HttpTransportError('BAD_RESPONSE', url, `not JSON: ${snippet(response.body)}`, {
        cause,
      });
    }
  }
}

/** Consul reports errors as plain text ("Permission denied", "No cluster leader"). */
function snippet(body: string): string {
  const text = body.trim().replace(/\s+/g, ' ');
  return text === '' ? '(empty body)' : text.slice(0, 200);
}
