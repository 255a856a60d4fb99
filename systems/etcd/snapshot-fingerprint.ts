/**
 * What a restore must reproduce, read from one member: HashKV and the number of keys at the
 * snapshot's revision. The source member is read right after the snapshot, the restored
 * member after it starts; equal facts mean the same keys, values and history up to there.
 */
import type { BackupFingerprint } from '../../core/backup/producer.js';
import type { TlsOptions } from '../../core/ports.js';
import { httpCall, HttpTransportError } from '../transport/http.js';
import { hashKv } from './snapshot-grpc.js';

export interface FingerprintCall {
  timeoutMs: number;
  tls?: TlsOptions;
  token?: string;
  signal?: AbortSignal;
}

export async function readFingerprint(
  endpoint: string,
  revision: number,
  call: FingerprintCall,
): Promise<BackupFingerprint> {
  const [hash, keyCount] = await Promise.all([
    hashKv(endpoint, revision, call),
    countKeys(endpoint, revision, call),
  ]);
  return { revision, keyCount, hashKv: hash.hash, compactRevision: hash.compactRevision };
}

/** Keys alive at `revision` (count_only, serializable: this member's own store). */
export async function countKeys(
  endpoint: string,
  revision: number,
  call: FingerprintCall,
): Promise<number> {
  const url = `${endpoint.replace(/\/+$/, '')}/v3/kv/range`;
  const response = await httpCall(url, {
    method: 'POST',
    timeoutMs: call.timeoutMs,
    ...(call.tls !== undefined && { tls: call.tls }),
    ...(call.signal !== undefined && { signal: call.signal }),
    ...(call.token !== undefined && { headers: { authorization: call.token } }),
    // key "\0" with range_end "\0": every key.
    body: JSON.stringify({
      key: 'AA==',
      range_end: 'AA==',
      revision: String(revision),
      count_only: true,
      serializable: true,
    }),
  });
  if (response.statusCode !== 200)
    throw new HttpTransportError(
      `HTTP_${response.statusCode}`,
      url,
      `range at revision ${revision} answered HTTP ${response.statusCode}: ${response.body.slice(0, 200)}`,
    );
  const parsed = JSON.parse(response.body) as { count?: string };
  return Number(parsed.count ?? '0');
}
