/**
 * The workload on etcd through its v3 JSON gateway: range (linearizable), and every write a
 * txn that puts the register and a unique record key `<prefix>w/<value>` together.
 */
import {
  COMPARE_FAILED,
  type AcknowledgedWrite,
  type KeyValueClient,
  type OperationAnswer,
  type WorkloadStore,
} from './client.js';

/**
 * Answers after which the request certainly did not change anything. Anything else (request
 * timed out, leader changed, a dropped connection) may have been applied: unknown.
 */
const DEFINITE_ERRORS = [
  'etcdserver: too many requests',
  'etcdserver: request is too large',
  'etcdserver: permission denied',
  'etcdserver: not capable',
  'etcdserver: mvcc: database space exceeded',
  'etcdserver: user name is empty',
  'etcdserver: invalid auth token',
];
/** Connection errors before a byte was sent: the request never reached a member. */
const NOT_SENT_CODES = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'];

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');

/** The first key after every key that starts with `prefix` (etcd's range_end for a prefix). */
export function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) + 1;
  return bytes.toString('base64');
}

interface GatewayAnswer {
  status: number;
  body: Record<string, unknown>;
}

class GatewayError extends Error {
  constructor(
    message: string,
    /** true: the request certainly had no effect. */
    readonly definite: boolean,
  ) {
    super(message);
  }
}

async function post(url: string, body: unknown, signal: AbortSignal): Promise<GatewayAnswer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      signal,
    });
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? '';
    throw new GatewayError(
      `${code !== '' ? code : (error as Error).name}: ${url}`,
      NOT_SENT_CODES.includes(code),
    );
  }
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { error: text.slice(0, 200) };
  }
  return { status: response.status, body: parsed };
}

function gatewayFailure(answer: GatewayAnswer): GatewayError | undefined {
  if (answer.status === 200 && answer.body.error === undefined) return undefined;
  const { error, message: text } = answer.body;
  const message =
    typeof error === 'string' ? error : typeof text === 'string' ? text : `HTTP ${answer.status}`;
  return new GatewayError(
    message,
    DEFINITE_ERRORS.some((definite) => message.includes(definite)),
  );
}

function failure(error: unknown, isRead: boolean): OperationAnswer {
  const message = error instanceof Error ? error.message : String(error);
  if (isRead) return { outcome: 'fail', error: message };
  return {
    outcome: error instanceof GatewayError && error.definite ? 'fail' : 'unknown',
    error: message,
  };
}

class EtcdClient implements KeyValueClient {
  private endpointIndex: number;

  constructor(
    private readonly endpoints: readonly string[],
    private readonly prefix: string,
    index: number,
  ) {
    this.endpointIndex = index % endpoints.length;
  }

  async read(key: string, signal: AbortSignal): Promise<OperationAnswer> {
    try {
      const answer = await this.call('/v3/kv/range', { key: b64(this.prefix + key) }, signal);
      const kvs = answer.body.kvs as { value?: string }[] | undefined;
      const first = kvs?.[0];
      return { outcome: 'ok', result: first === undefined ? null : unb64(first.value ?? '') };
    } catch (error) {
      return failure(error, true);
    }
  }

  write(key: string, value: string, signal: AbortSignal): Promise<OperationAnswer> {
    return this.txn([], key, value, signal);
  }

  cas(
    key: string,
    expected: string | null,
    value: string,
    signal: AbortSignal,
  ): Promise<OperationAnswer> {
    const compare =
      expected === null
        ? { key: b64(this.prefix + key), target: 'CREATE', result: 'EQUAL', create_revision: '0' }
        : { key: b64(this.prefix + key), target: 'VALUE', result: 'EQUAL', value: b64(expected) };
    return this.txn([compare], key, value, signal);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async txn(
    compare: unknown[],
    key: string,
    value: string,
    signal: AbortSignal,
  ): Promise<OperationAnswer> {
    const receipt = `${this.prefix}w/${value}`;
    try {
      const answer = await this.call(
        '/v3/kv/txn',
        {
          compare,
          success: [
            { request_put: { key: b64(this.prefix + key), value: b64(value) } },
            { request_put: { key: b64(receipt), value: b64(key) } },
          ],
        },
        signal,
      );
      // proto3 JSON leaves out false booleans: a txn whose compare failed has no "succeeded".
      if (answer.body.succeeded !== true) return { outcome: 'fail', error: COMPARE_FAILED };
      return { outcome: 'ok', receipt };
    } catch (error) {
      return failure(error, false);
    }
  }

  /** Answers from the current member; on any trouble the next call goes to the next member. */
  private async call(path: string, body: unknown, signal: AbortSignal): Promise<GatewayAnswer> {
    const endpoint = this.endpoints[this.endpointIndex] ?? '';
    try {
      const answer = await post(`${endpoint}${path}`, body, signal);
      const error = gatewayFailure(answer);
      if (error !== undefined) throw error;
      return answer;
    } catch (error) {
      this.endpointIndex = (this.endpointIndex + 1) % this.endpoints.length;
      throw error;
    }
  }
}

export interface EtcdStoreOptions {
  /** Client URLs (http://host:port). */
  endpoints: readonly string[];
  /** Unique per drill, e.g. /quorumctl-drill/<run>/ */
  prefix: string;
  timeoutMs: number;
}

export function etcdWorkloadStore(options: EtcdStoreOptions): WorkloadStore {
  const { endpoints, prefix, timeoutMs } = options;
  /** Tries every member in turn until one answers (setup and read-back run outside faults). */
  const anyMember = async (path: string, body: unknown): Promise<GatewayAnswer> => {
    let last: unknown;
    for (const endpoint of endpoints) {
      try {
        const answer = await post(`${endpoint}${path}`, body, AbortSignal.timeout(timeoutMs));
        const error = gatewayFailure(answer);
        if (error === undefined) return answer;
        last = error;
      } catch (error) {
        last = error;
      }
    }
    throw new Error(
      `no etcd member answered ${path}: ${last instanceof Error ? last.message : String(last)}`,
    );
  };
  return {
    location: `etcd keys ${prefix}*`,
    // Keys start absent; nothing to create.
    prepare: async () => {
      await anyMember('/v3/kv/range', {
        key: b64(prefix),
        range_end: prefixEnd(prefix),
        count_only: true,
      });
    },
    openClient: (index) => Promise.resolve(new EtcdClient(endpoints, prefix, index)),
    findWrites: async (writes: readonly AcknowledgedWrite[]) => {
      const recordPrefix = `${prefix}w/`;
      const answer = await anyMember('/v3/kv/range', {
        key: b64(recordPrefix),
        range_end: prefixEnd(recordPrefix),
        keys_only: true,
      });
      const present = new Set(
        ((answer.body.kvs as { key: string }[] | undefined) ?? []).map((kv) => unb64(kv.key)),
      );
      return new Set(
        writes.map((write) => write.receipt).filter((receipt) => present.has(receipt)),
      );
    },
    cleanup: async () => {
      await anyMember('/v3/kv/deleterange', { key: b64(prefix), range_end: prefixEnd(prefix) });
    },
    close: () => Promise.resolve(),
  };
}
