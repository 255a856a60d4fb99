/** Calls PD's HTTP API (`/pd/api/v1`) on one endpoint at a time; integers beyond 2^53 stay exact. */
import type { ConnectOptions } from '../../core/ports.js';
import { httpCall, HttpTransportError } from '../transport/http.js';
import type {
  PdHealthEntry,
  PdMembersResponse,
  PdRegionsResponse,
  PdReplicationConfig,
  PdStoresResponse,
} from './pd-types.js';

const API_PREFIX = '/pd/api/v1';

/**
 * PD followers forward API calls to the PD leader unless told to answer themselves. Membership
 * and health must be readable while there is no leader, so those calls carry this header; store
 * and region views live on the leader, so those are left to be forwarded.
 */
const FOLLOWER_MAY_ANSWER = { 'PD-Allow-follower-handle': 'true' };

export class PdClient {
  constructor(private readonly options: ConnectOptions) {}

  health(endpoint: string): Promise<PdHealthEntry[]> {
    return this.get<PdHealthEntry[]>(endpoint, '/health', FOLLOWER_MAY_ANSWER);
  }

  members(endpoint: string): Promise<PdMembersResponse> {
    return this.get<PdMembersResponse>(endpoint, '/members', FOLLOWER_MAY_ANSWER);
  }

  stores(endpoint: string): Promise<PdStoresResponse> {
    return this.get<PdStoresResponse>(endpoint, '/stores');
  }

  regionCount(endpoint: string): Promise<PdRegionsResponse> {
    return this.get<PdRegionsResponse>(endpoint, '/regions/count');
  }

  /** One of PD's unhealthy-region lists: `down-peer`, `pending-peer`, `miss-peer`, ... */
  regionsWith(endpoint: string, check: string): Promise<PdRegionsResponse> {
    return this.get<PdRegionsResponse>(endpoint, `/regions/check/${check}`);
  }

  regionsOfStore(endpoint: string, storeId: string): Promise<PdRegionsResponse> {
    return this.get<PdRegionsResponse>(endpoint, `/regions/store/${storeId}`);
  }

  replicationConfig(endpoint: string): Promise<PdReplicationConfig> {
    return this.get<PdReplicationConfig>(endpoint, '/config/replicate');
  }

  private async get<T>(endpoint: string, path: string, headers: Record<string, string> = {}) {
    const url = endpoint.replace(/\/+$/, '') + API_PREFIX + path;
    const response = await httpCall(url, {
      method: 'GET',
      headers: { accept: 'application/json', ...headers, ...this.authHeaders() },
      timeoutMs: this.options.timeoutMs,
      ...(this.options.tls !== undefined && { tls: this.options.tls }),
      ...(this.options.signal !== undefined && { signal: this.options.signal }),
    });
    if (response.statusCode === 401 || response.statusCode === 403) {
      throw new HttpTransportError(
        'AUTH_FAILED',
        url,
        `GET ${API_PREFIX}${path} was refused (HTTP ${response.statusCode}): ${snippet(response.body)}`,
      );
    }
    if (response.statusCode !== 200) {
      throw new HttpTransportError(
        `HTTP_${response.statusCode}`,
        url,
        `GET ${API_PREFIX}${path} answered HTTP ${response.statusCode}: ${snippet(response.body)}`,
      );
    }
    try {
      return parseJsonKeepingBigIntegers(response.body) as T;
    } catch (cause) {
      throw new HttpTransportError('BAD_RESPONSE', url, `not JSON: ${snippet(response.body)}`, {
        cause,
      });
    }
  }

  /** PD itself has no user auth; a token is passed on for proxies in front of it. */
  private authHeaders(): Record<string, string> {
    const token = this.options.auth?.token;
    return token === undefined ? {} : { authorization: `Bearer ${token}` };
  }
}

/**
 * JSON.parse that keeps integers beyond 2^53 as exact decimal strings: PD's member_id and
 * cluster_id (e.g. 13195394291058371180) would otherwise be silently rounded.
 */
export function parseJsonKeepingBigIntegers(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    context?.source !== undefined &&
    /^-?\d+$/.test(context.source)
      ? context.source
      : value,
  );
}

/** PD reports errors as a JSON string or plain text; one line of it is enough. */
function snippet(body: string): string {
  const text = body.trim().replace(/^"|"$/g, '').replace(/\s+/g, ' ');
  return text === '' ? '(empty body)' : text.slice(0, 200);
}
