/**
 * The workload on NATS JetStream, the way a KV bucket works inside: one stream, a subject
 * per key, reads of the last message of a subject through the stream leader (STREAM.MSG.GET,
 * not direct gets, which any replica may serve stale), CAS by the expected last sequence of
 * the subject. Every acknowledged publish is a message with its own sequence, so the
 * read-back looks each one up: nothing overwrites it. (A real KV bucket caps history at 64
 * revisions per key, which would purge the very records the read-back needs.)
 */
import { connect, headers, RequestError, type NatsConnection } from '@nats-io/transport-node';
import {
  COMPARE_FAILED,
  type AcknowledgedWrite,
  type KeyValueClient,
  type OperationAnswer,
  type WorkloadStore,
} from './client.js';

export interface NatsStoreOptions {
  /** Client URLs (nats://host:port) of every server. */
  servers: readonly string[];
  /** Unique per drill: the stream is QUORUMCTL_DRILL_<run>, subjects quorumctl.drill.<run>.k.<key>. */
  run: string;
  replicas: number;
  timeoutMs: number;
}

interface ApiError {
  code?: number;
  err_code?: number;
  description?: string;
}

/** A JetStream answer that says no: the request was refused before anything was stored. */
class RefusedError extends Error {}

/** How long the read-back waits for the servers to agree on the stream. */
const AGREEMENT_BUDGET_MS = 30_000;
/** Messages per pull while reading the stream back. */
const READ_BACK_BATCH = 1000;

async function open(
  options: NatsStoreOptions,
  preferred: number,
  name: string,
): Promise<NatsConnection> {
  const servers = options.servers.map(
    (_, index) => options.servers[(index + preferred) % options.servers.length] ?? '',
  );
  return connect({
    servers,
    name,
    noRandomize: true,
    timeout: Math.max(options.timeoutMs, 2000),
    reconnectTimeWait: 100,
    maxReconnectAttempts: -1,
    pingInterval: 1000,
  });
}

async function request(
  nc: NatsConnection,
  subject: string,
  body: string,
  timeoutMs: number,
  hdrs?: ReturnType<typeof headers>,
): Promise<Record<string, unknown>> {
  const reply = await nc.request(subject, body, {
    timeout: timeoutMs,
    ...(hdrs !== undefined && { headers: hdrs }),
  });
  const answer = JSON.parse(reply.string()) as Record<string, unknown> & { error?: ApiError };
  if (answer.error !== undefined) {
    const error = answer.error;
    throw new RefusedError(
      `${error.description ?? 'error'} (${error.code ?? '?'}${error.err_code === undefined ? '' : `/${error.err_code}`})`,
    );
  }
  return answer;
}

function reason(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** No responders: nobody received the request, so nothing was stored. */
function notDelivered(error: unknown): boolean {
  return (
    error instanceof RefusedError ||
    (error instanceof RequestError && error.isNoResponders()) ||
    (error instanceof Error &&
      error.cause instanceof Error &&
      error.cause.name === 'NoRespondersError')
  );
}

class NatsClient implements KeyValueClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
    private readonly subjectOf: (key: string) => string,
    private readonly timeoutMs: number,
  ) {}

  async read(key: string): Promise<OperationAnswer> {
    try {
      const last = await this.last(key);
      return { outcome: 'ok', result: last?.value ?? null };
    } catch (error) {
      return { outcome: 'fail', error: reason(error) };
    }
  }

  write(key: string, value: string): Promise<OperationAnswer> {
    return this.publish(key, value, undefined);
  }

  async cas(key: string, expected: string | null, value: string): Promise<OperationAnswer> {
    let sequence: number;
    try {
      const last = await this.last(key);
      if ((last?.value ?? null) !== expected) return { outcome: 'fail', error: COMPARE_FAILED };
      sequence = last?.sequence ?? 0;
    } catch (error) {
      return { outcome: 'fail', error: reason(error) };
    }
    return this.publish(key, value, sequence);
  }

  async close(): Promise<void> {
    await this.nc.close();
  }

  private async publish(
    key: string,
    value: string,
    expectedSequence: number | undefined,
  ): Promise<OperationAnswer> {
    const hdrs = headers();
    if (expectedSequence !== undefined)
      hdrs.set('Nats-Expected-Last-Subject-Sequence', String(expectedSequence));
    try {
      const ack = await request(this.nc, this.subjectOf(key), value, this.timeoutMs, hdrs);
      return { outcome: 'ok', receipt: String(ack.seq) };
    } catch (error) {
      return { outcome: notDelivered(error) ? 'fail' : 'unknown', error: reason(error) };
    }
  }

  /** The last message of the key's subject, asked of the stream leader. */
  private async last(key: string): Promise<{ value: string; sequence: number } | undefined> {
    try {
      const answer = await request(
        this.nc,
        `$JS.API.STREAM.MSG.GET.${this.stream}`,
        JSON.stringify({ last_by_subj: this.subjectOf(key) }),
        this.timeoutMs,
      );
      const message = answer.message as { data?: string; seq: number };
      return {
        value: Buffer.from(message.data ?? '', 'base64').toString('utf8'),
        sequence: message.seq,
      };
    } catch (error) {
      if (error instanceof RefusedError && /\/10037\)/.test(error.message)) return undefined;
      throw error;
    }
  }
}

/**
 * Every message of the stream by sequence, through an ordered consumer (one pass; asking for
 * each acknowledged sequence on its own takes seconds for a few thousand writes).
 */
async function readStream(
  nc: NatsConnection,
  stream: string,
  timeoutMs: number,
): Promise<Map<number, { subject: string; value: string }>> {
  const info = await request(nc, `$JS.API.STREAM.INFO.${stream}`, '', Math.max(timeoutMs, 5000));
  const lastSequence = (info.state as { last_seq?: number } | undefined)?.last_seq ?? 0;
  const stored = new Map<number, { subject: string; value: string }>();
  if (lastSequence === 0) return stored;
  const { jetstream } = await import('@nats-io/jetstream');
  const consumer = await jetstream(nc).consumers.get(stream, { opt_start_seq: 1 });
  let highest = 0;
  while (highest < lastSequence) {
    const batch = await consumer.fetch({ max_messages: READ_BACK_BATCH, expires: 2000 });
    let received = 0;
    for await (const message of batch) {
      stored.set(message.seq, { subject: message.subject, value: message.string() });
      highest = Math.max(highest, message.seq);
      received++;
    }
    if (received === 0)
      throw new Error(`stream ${stream} stopped at sequence ${highest} of ${lastSequence}`);
  }
  return stored;
}

/**
 * Waits until every server, asked on its own, names the same stream leader and last sequence.
 * A leader cut off from its peers goes on answering for itself for a while (nats-server 2.9
 * steps down only after lostQuorumInterval, 10 s, and a healed route takes seconds to come
 * back): a read-back through it would call every write since the cut LOST.
 */
async function untilReplicasAgree(options: NatsStoreOptions, stream: string): Promise<void> {
  const deadline = Date.now() + AGREEMENT_BUDGET_MS;
  let views: string[] = [];
  for (;;) {
    views = await Promise.all(
      options.servers.map(async (server) => {
        try {
          const nc = await connect({
            servers: [server],
            noRandomize: true,
            maxReconnectAttempts: 0,
            timeout: 2000,
          });
          try {
            const info = await request(nc, `$JS.API.STREAM.INFO.${stream}`, '', 2000);
            const leader = (info.cluster as { leader?: string } | undefined)?.leader ?? '?';
            const last = (info.state as { last_seq?: number } | undefined)?.last_seq ?? -1;
            return `leader ${leader} last ${last}`;
          } finally {
            await nc.close();
          }
        } catch (error) {
          return `no answer (${reason(error)})`;
        }
      }),
    );
    if (new Set(views).size === 1 && !(views[0] ?? '').startsWith('no answer')) return;
    if (Date.now() >= deadline)
      throw new Error(
        `the servers did not agree on stream ${stream} within ${AGREEMENT_BUDGET_MS / 1000} s: ${views.join('; ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export function natsWorkloadStore(options: NatsStoreOptions): WorkloadStore {
  const run = options.run.replace(/[^A-Za-z0-9_-]/g, '_');
  const stream = `QUORUMCTL_DRILL_${run}`;
  const subjectOf = (key: string) => `quorumctl.drill.${run}.k.${key}`;
  let admin: NatsConnection | undefined;
  const adminConnection = async () => (admin ??= await open(options, 0, 'quorumctl-drill-admin'));
  const api = async (subject: string, body: unknown) =>
    request(
      await adminConnection(),
      subject,
      JSON.stringify(body),
      Math.max(options.timeoutMs, 5000),
    );
  return {
    location: `stream ${stream}`,
    prepare: async () => {
      await api(`$JS.API.STREAM.CREATE.${stream}`, {
        name: stream,
        subjects: [`quorumctl.drill.${run}.>`],
        num_replicas: options.replicas,
        storage: 'file',
        max_msgs_per_subject: -1,
        allow_direct: false,
        discard: 'old',
      });
    },
    openClient: async (index) =>
      new NatsClient(
        await open(options, index, `quorumctl-drill-${index}`),
        stream,
        subjectOf,
        options.timeoutMs,
      ),
    findWrites: async (writes: readonly AcknowledgedWrite[]) => {
      await untilReplicasAgree(options, stream);
      const stored = await readStream(await adminConnection(), stream, options.timeoutMs);
      const found = new Set<string>();
      for (const write of writes) {
        const message = stored.get(Number(write.receipt));
        if (message?.subject === subjectOf(write.key) && message.value === write.value)
          found.add(write.receipt);
      }
      return found;
    },
    cleanup: async () => {
      await api(`$JS.API.STREAM.DELETE.${stream}`, {});
    },
    close: async () => {
      await admin?.close();
      admin = undefined;
    },
  };
}
