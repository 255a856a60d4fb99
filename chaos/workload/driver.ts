/**
 * Runs the workload: N clients, each doing one operation at a time on a few shared keys,
 * every operation recorded with invoke and completion times on one monotonic clock.
 */
import type { OperationName, RecordedOperation } from '../checker/history.js';
import type { WorkloadSpec } from '../drills/scenario.js';
import {
  COMPARE_FAILED,
  type AcknowledgedWrite,
  type KeyValueClient,
  type OperationAnswer,
} from './client.js';
import { seededRandom, weightedChoice } from './random.js';

export interface WorkloadOptions {
  spec: WorkloadSpec;
  keys: readonly string[];
  /** Milliseconds on the drill's monotonic clock. */
  clock: () => number;
  seed: number;
  openClient: (index: number) => Promise<KeyValueClient>;
  sleep?: (ms: number) => Promise<void>;
}

export interface WorkloadResult {
  operations: RecordedOperation[];
  acknowledged: AcknowledgedWrite[];
  /** Clients that broke, with why. */
  errors: string[];
  /** Why operations failed or are unknown, with how often (the report shows the commonest). */
  answerErrors: Record<string, number>;
}

export interface RunningWorkload {
  /** Operations recorded so far (read by the runner to see whether writes succeed). */
  readonly operations: readonly RecordedOperation[];
  /** Stops issuing operations, waits for those in flight (at most one op timeout) and closes. */
  stop(): Promise<WorkloadResult>;
}

const OPERATIONS: readonly OperationName[] = ['read', 'write', 'cas'];

export async function startWorkload(options: WorkloadOptions): Promise<RunningWorkload> {
  const { spec, keys, clock } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const operations: RecordedOperation[] = [];
  const acknowledged: AcknowledgedWrite[] = [];
  const errors: string[] = [];
  const answerErrors: Record<string, number> = {};
  const clients = await Promise.all(
    Array.from({ length: spec.clients }, (_, index) => options.openClient(index)),
  );
  let stopping = false;

  const worker = async (index: number, client: KeyValueClient) => {
    const random = seededRandom(options.seed * 1000 + index);
    let clientId = index;
    let written = 0;
    const lastSeen = new Map<string, string | null>();
    while (!stopping) {
      const op =
        OPERATIONS[weightedChoice([spec.mix.read, spec.mix.write, spec.mix.cas], random)] ?? 'read';
      const key = keys[Math.floor(random() * keys.length)] ?? keys[0] ?? 'k0';
      const value = op === 'read' ? undefined : `w${index}-${++written}`;
      const expected = lastSeen.get(key) ?? null;
      const invokeMs = clock();
      const answer = await withTimeout(
        (signal) =>
          op === 'read'
            ? client.read(key, signal)
            : op === 'write'
              ? client.write(key, value ?? '', signal)
              : client.cas(key, expected, value ?? '', signal),
        spec.opTimeoutMs,
        op === 'read',
      );
      const completeMs = clock();
      const recorded: RecordedOperation = {
        client: clientId,
        key,
        op,
        outcome: answer.outcome,
        invokeMs,
      };
      if (op === 'write') recorded.value = value ?? '';
      if (op === 'cas') recorded.value = [expected, value ?? ''];
      if (answer.outcome !== 'unknown') recorded.completeMs = completeMs;
      if (op === 'read' && answer.outcome === 'ok') recorded.result = answer.result ?? null;
      operations.push(recorded);
      if (answer.error !== undefined && answer.error !== COMPARE_FAILED) {
        const reason = `${op}: ${answer.error.slice(0, 160)}`;
        answerErrors[reason] = (answerErrors[reason] ?? 0) + 1;
      }
      if (answer.outcome === 'ok') {
        if (op === 'read') lastSeen.set(key, answer.result ?? null);
        else {
          lastSeen.set(key, value ?? null);
          acknowledged.push({
            key,
            value: value ?? '',
            client: clientId,
            receipt: answer.receipt ?? '',
            acknowledgedAtMs: completeMs,
          });
        }
      }
      // A client whose operation is unknown may still have it in flight: it goes on under a new
      // id (worker + clients x generation), so no id ever has two overlapping operations.
      if (answer.outcome === 'unknown') clientId += spec.clients;
      if (spec.thinkMs > 0) await sleep(spec.thinkMs);
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };

  const running = clients.map((client, index) =>
    worker(index, client).catch((error: unknown) => {
      errors.push(`client ${index}: ${error instanceof Error ? error.message : String(error)}`);
    }),
  );
  return {
    operations,
    stop: async () => {
      stopping = true;
      await Promise.all(running);
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      return { operations, acknowledged, errors, answerErrors };
    },
  };
}

/**
 * The client's answer, or unknown when it does not come in time (a read that times out had
 * no effect, so it is a fail). A client that throws is treated the same way: an exception is
 * no proof that a write did not happen.
 */
async function withTimeout(
  call: (signal: AbortSignal) => Promise<OperationAnswer>,
  timeoutMs: number,
  isRead: boolean,
): Promise<OperationAnswer> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<OperationAnswer>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ outcome: isRead ? 'fail' : 'unknown', error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  const answered = call(controller.signal).catch((error: unknown): OperationAnswer => ({
    outcome: isRead ? 'fail' : 'unknown',
    error: error instanceof Error ? error.message : String(error),
  }));
  try {
    return await Promise.race([answered, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
