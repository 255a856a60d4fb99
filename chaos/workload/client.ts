/**
 * The workload's port to a cluster: a KeyValueClient per simulated client (read / write /
 * compare-and-swap on register keys) and a WorkloadStore that prepares the keys and, after
 * heal, tells which acknowledged writes are really there.
 */
import type { Outcome } from '../checker/history.js';

/** The error of a CAS whose comparison did not match: an expected answer, not a problem. */
export const COMPARE_FAILED = 'compare failed';

/** What one operation came back with. */
export interface OperationAnswer {
  /** ok: happened; fail: definitely had no effect; unknown: may have happened (timeout, lost connection). */
  outcome: Outcome;
  /** read, ok: the value read (`null`: the key has no value yet). */
  result?: string | null;
  /**
   * write / cas, ok: where the append-only record of this write lives (an etcd key, a znode
   * path, a stream sequence), so the read-back after heal can look for exactly it.
   */
  receipt?: string;
  /** Why it failed or is unknown, one line (shown in the report's examples). */
  error?: string;
}

/**
 * Every write also records its value under a unique name in the same atomic step (etcd
 * txn, ZooKeeper multi, a stream message): overwrites of the register cannot hide a lost write.
 */
export interface KeyValueClient {
  read(key: string, signal: AbortSignal): Promise<OperationAnswer>;
  write(key: string, value: string, signal: AbortSignal): Promise<OperationAnswer>;
  /** Sets `value` only if the key holds `expected` (`null`: the key has no value). */
  cas(
    key: string,
    expected: string | null,
    value: string,
    signal: AbortSignal,
  ): Promise<OperationAnswer>;
  close(): Promise<void>;
}

/** A write the cluster acknowledged: it must be found after heal, or it is LOST. */
export interface AcknowledgedWrite {
  key: string;
  value: string;
  client: number;
  receipt: string;
  /** When the acknowledgement arrived, on the drill's clock. */
  acknowledgedAtMs: number;
}

export interface WorkloadStore {
  /** Where the drill's data lives (an etcd prefix, a znode, a stream name), for the report. */
  readonly location: string;
  /** Creates the register keys (and anything the write records need); they start with no value. */
  prepare(keys: readonly string[]): Promise<void>;
  /** A client with its own connection; `index` spreads clients over the members. */
  openClient(index: number): Promise<KeyValueClient>;
  /**
   * After heal, on a fresh connection, with a linearizable read: the receipts of `writes`
   * that are present with their value. Throws when the cluster cannot be read at all.
   */
  findWrites(writes: readonly AcknowledgedWrite[]): Promise<Set<string>>;
  /** Deletes the drill's data. */
  cleanup(): Promise<void>;
  close(): Promise<void>;
}
