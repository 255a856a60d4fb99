/** Lost-write accounting: an acknowledged write whose record is not found after heal is LOST. */
import type { AcknowledgedWrite } from './client.js';

export interface LostWrite {
  key: string;
  value: string;
  client: number;
  /** Where its record should have been (etcd key, znode path, stream sequence). */
  receipt: string;
  acknowledgedAtMs: number;
}

export function lostWrites(
  acknowledged: readonly AcknowledgedWrite[],
  found: ReadonlySet<string>,
): LostWrite[] {
  return acknowledged
    .filter((write) => !found.has(write.receipt))
    .map((write) => ({
      key: write.key,
      value: write.value,
      client: write.client,
      receipt: write.receipt,
      acknowledgedAtMs: write.acknowledgedAtMs,
    }));
}
