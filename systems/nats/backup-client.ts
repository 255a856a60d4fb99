/** A NATS connection for backups and restores: client URLs learned from /varz, and JetStream API requests as JSON. */
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { describeCause, UnreachableError, UsageError } from '../../core/errors.js';
import type { ClusterTarget, ConnectOptions } from '../../core/ports.js';
import { clientUrlOf, clusterClientUrls, NatsMonitoring } from './monitoring.js';

/** A JetStream API error answer (`{"error": {"code", "err_code", "description"}}`). */
export class JetStreamApiError extends Error {
  constructor(
    readonly subject: string,
    /** HTTP-like: 400, 404, 500, 503. */
    readonly status: number,
    /** JetStream's own error code, e.g. 10059 stream not found, 10058 name in use. */
    readonly errCode: number | undefined,
    description: string,
  ) {
    super(`${subject}: ${description} (${status}${errCode === undefined ? '' : `/${errCode}`})`);
    this.name = 'JetStreamApiError';
  }
}

/** JetStream error codes quorumctl reacts to. */
export const JS_ERR_STREAM_NOT_FOUND = 10059;
export const JS_ERR_STREAM_NAME_IN_USE = 10058;

/**
 * Client URLs for the JetStream API. With `monitorUrls`, the endpoints are client URLs
 * already; otherwise the endpoints are monitoring ports and each /varz says where its
 * server (`host`/`port`) and the cluster (`connect_urls`) take clients.
 */
export async function natsClientUrls(
  target: ClusterTarget,
  options: ConnectOptions,
): Promise<string[]> {
  if (target.monitorUrls !== undefined && target.monitorUrls.length > 0)
    return [...target.endpoints];
  const monitoring = new NatsMonitoring({
    timeoutMs: options.timeoutMs,
    ...(options.tls !== undefined && { tls: options.tls }),
    ...(options.signal !== undefined && { signal: options.signal }),
  });
  const answers = await Promise.allSettled(
    target.endpoints.map(async (endpoint) => {
      const varz = await monitoring.varz(endpoint);
      const own = clientUrlOf(varz, endpoint);
      return [...(own === undefined ? [] : [own]), ...clusterClientUrls(varz)];
    }),
  );
  const urls = [
    ...new Set(answers.flatMap((answer) => (answer.status === 'fulfilled' ? answer.value : []))),
  ];
  if (urls.length > 0) return urls;
  throw new UnreachableError(
    'CLUSTER_UNREACHABLE',
    `no monitoring endpoint of NATS cluster ${target.name} answered /varz, so its client URLs are unknown`,
    {
      actions: [
        "check that the endpoints are the servers' monitoring ports (http: 8222), or give client URLs as endpoints with monitorUrls beside them",
      ],
      details: {
        attempts: answers.map((answer, index) => ({
          endpoint: target.endpoints[index],
          error: answer.status === 'rejected' ? describeCause(answer.reason) : undefined,
        })),
      },
    },
  );
}

/**
 * Connects with the operator's credentials: JetStream streams belong to an account, and
 * snapshot and restore act on the account the credentials log into.
 */
export async function openNatsConnection(
  target: ClusterTarget,
  options: ConnectOptions,
  name: string,
): Promise<NatsConnection> {
  const servers = await natsClientUrls(target, options);
  const connection: NodeConnectionOptions = {
    servers,
    name,
    timeout: options.timeoutMs,
    maxReconnectAttempts: 3,
  };
  const { username, password, token } = options.auth ?? {};
  if (username !== undefined) connection.user = username;
  if (password !== undefined) connection.pass = password;
  if (token !== undefined) connection.token = token;
  if (options.tls !== undefined) {
    connection.tls = {
      ...(options.tls.ca !== undefined && { ca: options.tls.ca }),
      ...(options.tls.cert !== undefined && { cert: options.tls.cert }),
      ...(options.tls.key !== undefined && { key: options.tls.key }),
      ...(options.tls.insecureSkipVerify === true && { rejectUnauthorized: false }),
    };
  }
  try {
    return await connect(connection);
  } catch (error) {
    const reason = describeCause(error);
    if (/authori[sz]ation|authentication/i.test(reason)) {
      throw new UsageError(
        'AUTH_FAILED',
        `NATS cluster ${target.name} rejected the credentials: ${reason}`,
        {
          actions: ["pass --user/--password (or a token) of a user in the streams' account"],
          cause: error,
        },
      );
    }
    throw new UnreachableError(
      'CLUSTER_UNREACHABLE',
      `no NATS server of ${target.name} accepted a client connection (${servers.join(', ')}): ${reason}`,
      {
        actions: ['check that the client port (4222 by default) is reachable from here'],
        cause: error,
      },
    );
  }
}

/** One JetStream API request: JSON in, JSON out, an `error` answer thrown as JetStreamApiError. */
export async function jetStreamRequest<T>(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  timeoutMs: number,
): Promise<T> {
  let reply;
  try {
    reply = await nc.request(subject, body === undefined ? '' : JSON.stringify(body), {
      timeout: timeoutMs,
    });
  } catch (error) {
    if (error instanceof Error && /no responders|503/i.test(`${error.name} ${error.message}`)) {
      throw new UsageError(
        'JETSTREAM_NOT_AVAILABLE',
        `${subject}: nobody answered: JetStream is not enabled for this account, or the stream has no leader`,
        {
          actions: [
            'log in as a user of the account that owns the streams (--user/--password)',
            'check the stream with quorumctl status (a stream without quorum has no leader)',
          ],
          cause: error,
        },
      );
    }
    throw error;
  }
  const answer = reply.json<
    T & { error?: { code?: number; err_code?: number; description?: string } }
  >();
  if (answer.error !== undefined) {
    throw new JetStreamApiError(
      subject,
      answer.error.code ?? 0,
      answer.error.err_code,
      answer.error.description ?? 'error',
    );
  }
  return answer;
}

export interface StreamInfoAnswer {
  config: Record<string, unknown> & { name: string; storage?: string; num_replicas?: number };
  state: {
    messages: number;
    bytes: number;
    first_seq: number;
    last_seq: number;
    consumer_count?: number;
  };
  cluster?: { name?: string; leader?: string };
}

export function streamInfo(
  nc: NatsConnection,
  stream: string,
  timeoutMs: number,
): Promise<StreamInfoAnswer> {
  return jetStreamRequest<StreamInfoAnswer>(
    nc,
    `$JS.API.STREAM.INFO.${stream}`,
    undefined,
    timeoutMs,
  );
}

/** Every stream name of the account, page by page. */
export async function streamNames(nc: NatsConnection, timeoutMs: number): Promise<string[]> {
  const names: string[] = [];
  for (;;) {
    const page = await jetStreamRequest<{ total: number; streams: string[] | null }>(
      nc,
      '$JS.API.STREAM.NAMES',
      { offset: names.length },
      timeoutMs,
    );
    const streams = page.streams ?? [];
    names.push(...streams);
    if (streams.length === 0 || names.length >= page.total) return names.sort();
  }
}
