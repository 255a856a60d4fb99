/** A client writing to etcd every ~20 ms while an operation runs: what the operator's apps see. */

/**
 * etcd's answers while leadership moves that do not mean the write failed for good: a proposal
 * the leader dropped mid-transfer never entered the log, and one a follower forwarded to the
 * old leader is dropped silently and times out after etcd's request timeout (7 s). Clients
 * retry these (the put is idempotent); each retry is counted and reported.
 */
const TRANSIENT = /raft proposal dropped|request timed out|leader changed/;

export interface WriterTotals {
  ok: number;
  errors: string[];
  retried: string[];
  maxLatencyMs: number;
}

export interface EtcdWriter {
  /** Stops writing (idempotent) and returns the totals. */
  stop(): Promise<WriterTotals>;
}

/**
 * Puts `writer/<n % 100>` round-robin over `endpoints()` (re-read for every put, so a test can
 * drop a member being replaced). A put fails only when it still fails after 3 attempts on
 * transient errors, or on any other error.
 */
export function startEtcdWriter(endpoints: () => readonly string[]): EtcdWriter {
  let running = true;
  let ok = 0;
  let maxLatencyMs = 0;
  const errors: string[] = [];
  const retried: string[] = [];
  const put = async (index: number) => {
    for (let attempt = 1; ; attempt += 1) {
      const current = endpoints();
      const endpoint = current[(index + attempt - 1) % current.length] ?? '';
      try {
        const response = await fetch(`${endpoint}/v3/kv/put`, {
          method: 'POST',
          body: JSON.stringify({
            key: Buffer.from(`writer/${index % 100}`).toString('base64'),
            value: Buffer.from(String(index)).toString('base64'),
          }),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await response.text();
        if (!response.ok)
          throw new Error(`${endpoint}: HTTP ${response.status} ${text.slice(0, 200)}`);
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!TRANSIENT.test(message) || attempt === 3) throw error;
        retried.push(message);
      }
    }
  };
  const done = (async () => {
    for (let index = 0; running; index += 1) {
      const started = performance.now();
      try {
        await put(index);
        ok += 1;
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
      maxLatencyMs = Math.max(maxLatencyMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { ok, errors, retried, maxLatencyMs };
    },
  };
}
