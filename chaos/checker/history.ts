/**
 * The history format the workload records and the checker reads: one entry per client
 * operation with its invocation and completion times. Jepsen's formats are parsed into it.
 */

/** `register`: read/write/cas on independent keys; `kv`: get/put/append on independent keys. */
export type ModelName = 'register' | 'kv';

export type OperationName = 'read' | 'write' | 'cas' | 'get' | 'put' | 'append';

/**
 * ok: definitely happened; fail: definitely did not (no effect); unknown: may or may not have
 * happened (a timeout), and may take effect at any time after its invocation.
 */
export type Outcome = 'ok' | 'fail' | 'unknown';

export interface RecordedOperation {
  /** The client (process) that issued it; one client has at most one operation in flight. */
  client: number;
  key: string;
  op: OperationName;
  /** write/put/append: the value; cas: `[expected, new]` (`null` = no value); read/get: absent. */
  value?: string | null | [string | null, string];
  /** read/get with outcome ok: what was read (`null` = no value, `""` for an unset kv key). */
  result?: string | null;
  outcome: Outcome;
  /** Milliseconds on one monotonic clock, shared by every client of the history. */
  invokeMs: number;
  /** Absent for `unknown`: it never completed. */
  completeMs?: number;
}

export interface RecordedHistory {
  model: ModelName;
  operations: RecordedOperation[];
}

export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

export interface CheckResult {
  verdict: Verdict;
  durationMs: number;
  /** Keys checked independently (P-compositionality). */
  keys: number;
  /** Not linearizable: the key whose sub-history failed, and its shortest failing prefix. */
  failingKey?: string;
  failingPrefix?: RecordedOperation[];
  /** Unknown: why (the time budget ran out). */
  reason?: string;
}

export interface CheckOptions {
  /** Budget for the whole history; past it the verdict is `unknown`, never a hang. */
  timeoutMs: number;
}
