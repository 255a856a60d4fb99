/**
 * A deliberately broken workload client for drill tests: it acknowledges one write without
 * ever sending it, so the drill must report that write LOST (and its key).
 */
import type { KeyValueClient, OperationAnswer } from '../../chaos/workload/client.js';

export interface BrokenClientRecord {
  /** The write acknowledged but never sent (set once it happened). */
  faked?: { key: string; value: string };
}

/**
 * Wraps `client`: its `nth` write (1-based) is answered ok with a made-up receipt and never
 * reaches the cluster; every other operation passes through.
 */
export function acknowledgeWithoutSending(
  client: KeyValueClient,
  nth: number,
  record: BrokenClientRecord,
): KeyValueClient {
  let writes = 0;
  return {
    read: (key, signal) => client.read(key, signal),
    write: (key, value, signal): Promise<OperationAnswer> => {
      writes++;
      if (writes !== nth) return client.write(key, value, signal);
      record.faked = { key, value };
      return Promise.resolve({ outcome: 'ok', receipt: `never-sent/${value}` });
    },
    cas: (key, expected, value, signal) => client.cas(key, expected, value, signal),
    close: () => client.close(),
  };
}
