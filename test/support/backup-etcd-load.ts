/** Fills a test etcd fast through the JSON gateway: batched transactions, a few in flight. */

const OPS_PER_TXN = 128; // etcd's default --max-txn-ops

async function post(endpoint: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

/** `count` keys `<prefix><n>` with small values, 128 per transaction, 4 transactions at a time. */
export async function putKeys(endpoint: string, prefix: string, count: number): Promise<void> {
  const batches: number[][] = [];
  for (let start = 0; start < count; start += OPS_PER_TXN)
    batches.push(Array.from({ length: Math.min(OPS_PER_TXN, count - start) }, (_, i) => start + i));
  for (let at = 0; at < batches.length; at += 4) {
    await Promise.all(
      batches.slice(at, at + 4).map((batch) =>
        post(endpoint, '/v3/kv/txn', {
          success: batch.map((n) => ({
            requestPut: { key: b64(`${prefix}${n}`), value: b64(`value-${n}`) },
          })),
        }),
      ),
    );
  }
}

/** `count` values of `valueBytes` random-ish bytes each: a big database in seconds. */
export async function putLargeValues(
  endpoint: string,
  prefix: string,
  count: number,
  valueBytes: number,
): Promise<void> {
  const value = Buffer.alloc(valueBytes);
  for (let at = 0; at < count; at += 4) {
    await Promise.all(
      Array.from({ length: Math.min(4, count - at) }, (_, i) => {
        // Each value differs, so nothing in the path can deduplicate it.
        value.writeUInt32LE(at + i, 0);
        return post(endpoint, '/v3/kv/put', { key: b64(`${prefix}${at + i}`), value: b64(value) });
      }),
    );
  }
}

export async function deleteKey(endpoint: string, key: string): Promise<void> {
  await post(endpoint, '/v3/kv/deleterange', { key: b64(key) });
}

export async function compact(endpoint: string, revision: number): Promise<void> {
  await post(endpoint, '/v3/kv/compaction', { revision: String(revision), physical: true });
}

export async function currentRevision(endpoint: string): Promise<number> {
  const answer = (await post(endpoint, '/v3/kv/range', { key: b64('\0'), count_only: true })) as {
    header: { revision: string };
  };
  return Number(answer.header.revision);
}

export async function keyCount(endpoint: string): Promise<number> {
  const answer = (await post(endpoint, '/v3/kv/range', {
    key: b64('\0'),
    range_end: b64('\0'),
    count_only: true,
  })) as { count?: string };
  return Number(answer.count ?? 0);
}
