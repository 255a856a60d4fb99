/**
 * API failures as typed errors. The client knows the call it was making, so a 403 names the
 * verb, resource and namespace; transport failures (DNS, refused, timeout) are exit 3.
 */
import { ApiException } from '@kubernetes/client-node';
import { describeCause, isQuorumctlError, QuorumctlError, UsageError } from '../../core/errors.js';
import {
  apiServerUnreachable,
  forbiddenError,
  type KubernetesCall,
  objectNotFound,
  unauthorizedError,
} from '../../core/kubernetes/errors.js';

/** Who is asking, for messages. */
export interface CallerIdentity {
  context: string;
  server: string;
  user?: string;
}

/** The HTTP status of an API answer, or undefined for transport failures. */
export function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown; statusCode?: unknown }).statusCode;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** The Status message the API server sent with an error, if any. */
export function serverMessageOf(error: unknown): string | undefined {
  if (!(error instanceof ApiException)) return undefined;
  const body: unknown = error.body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return body.trim() === '' ? undefined : body.trim().slice(0, 300);
    }
  }
  if (typeof parsed === 'object' && parsed !== null) {
    const message = (parsed as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return undefined;
}

const TRANSPORT_CODES: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (DNS unavailable)',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'the connection closed',
  CERT_HAS_EXPIRED: 'the API server certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the API server certificate is not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the API server certificate is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the API server certificate is not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the API server certificate does not name the host',
};

/** Why a request never got an answer, in the operator's words. */
export function transportReason(error: unknown, timeoutMs: number): string {
  for (let cause: unknown = error, depth = 0; cause !== undefined && depth < 5; depth += 1) {
    if (typeof cause !== 'object' || cause === null) break;
    const { name, code } = cause as { name?: unknown; code?: unknown };
    if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
    if (typeof code === 'string' && TRANSPORT_CODES[code] !== undefined) {
      return `${TRANSPORT_CODES[code]} (${code})`;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return describeCause(error);
}

export interface MapOptions {
  /** What a 404 means for this call (default: the object does not exist). */
  onNotFound?: () => QuorumctlError;
  timeoutMs: number;
}

/** Any failure of `call` as a typed error; typed errors pass through. */
export function toKubernetesError(
  error: unknown,
  call: KubernetesCall,
  who: CallerIdentity,
  options: MapOptions,
): QuorumctlError {
  if (isQuorumctlError(error)) return error;
  const status = httpStatusOf(error);
  if (status === undefined)
    return apiServerUnreachable(who, transportReason(error, options.timeoutMs), error);
  const message = serverMessageOf(error);
  switch (status) {
    case 401:
      return unauthorizedError(call, who);
    case 403:
      return forbiddenError(call, who, message);
    case 404:
      return options.onNotFound?.() ?? objectNotFound(call, who);
    case 400:
    case 409:
    case 422:
      return new UsageError(
        'KUBERNETES_REJECTED',
        `the API server refused to ${call.verb} ${call.resource}${call.name === undefined ? '' : ` "${call.name}"`} (${status}): ${message ?? 'no reason given'}`,
        {
          actions: ['check the object against the API server version and its CRDs'],
          details: { ...call, status },
        },
      );
    default:
      return apiServerUnreachable(
        who,
        `it answered HTTP ${status}${message === undefined ? '' : `: ${message}`}`,
        error,
      );
  }
}
