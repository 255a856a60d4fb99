/**
 * The dashboard's poller: every interval, each cluster is polled concurrently with a deadline
 * of its own. A cluster that does not answer in time is reported as failed at the deadline
 * and is not polled again until its hanging poll settles, so a dead endpoint neither blocks
 * the others nor piles up requests. Outcomes go to a callback (the store); nothing here
 * draws or blocks the UI.
 */
import { isQuorumctlError } from '../../core/errors.js';
import type { PollFailure, PollOutcome } from '../../core/dashboard/store.js';
import type { MetricSample } from '../../core/metrics/sample.js';
import type { ClusterStatus, SystemKind } from '../../core/model.js';
import type { ClusterAdapter } from '../../core/ports.js';

/** What one poll of one cluster returns. */
export interface ClusterReading {
  status: ClusterStatus;
  sample?: MetricSample;
}

/** Something the dashboard can poll: a cluster through its adapter, or its agent. */
export interface ClusterSource {
  name: string;
  kind: SystemKind;
  via: 'direct' | 'agent';
  read(signal: AbortSignal): Promise<ClusterReading>;
  close(): Promise<void>;
}

/** A cluster read through its adapter: status, then the metric sample where the kind has one. */
export function adapterSource(name: string, adapter: ClusterAdapter): ClusterSource {
  return {
    name,
    kind: adapter.kind,
    via: 'direct',
    read: async () => {
      const status = await adapter.status();
      if (!adapter.capabilities.has('metrics') || adapter.metricSample === undefined)
        return { status };
      // Metrics are extra: a failure here must not cost the status.
      const sample = await adapter.metricSample(status).catch(() => undefined);
      return sample === undefined ? { status } : { status, sample };
    },
    close: () => adapter.close(),
  };
}

/** A read still running this many deadlines after it started is left behind. */
const ABANDON_AFTER_DEADLINES = 5;

export interface PollerOptions {
  intervalMs: number;
  /** Deadline of one poll of one cluster. */
  timeoutMs: number;
  onOutcome(outcome: PollOutcome): void;
  now?: () => number;
}

export class DashboardPoller {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly now: () => number;

  constructor(
    private readonly sources: readonly ClusterSource[],
    private readonly options: PollerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Polls at once, then every interval. */
  start(): void {
    this.pollNow();
    this.timer = setInterval(() => {
      this.pollNow();
    }, this.options.intervalMs);
  }

  /** Starts a poll of every cluster that has none running. */
  pollNow(): void {
    if (this.stopping.signal.aborted) return;
    for (const source of this.sources) {
      if (this.inFlight.has(source.name)) continue;
      const poll = this.pollOne(source).finally(() => this.inFlight.delete(source.name));
      this.inFlight.set(source.name, poll);
    }
  }

  /** Resolves when every poll started so far has reported (tests, --count). */
  async settled(): Promise<void> {
    await Promise.all(this.inFlight.values());
  }

  /** No new polls; the running ones are abandoned (their calls time out on their own). */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await Promise.all(this.sources.map((source) => source.close().catch(() => undefined)));
  }

  private async pollOne(source: ClusterSource): Promise<void> {
    const atMs = this.now();
    const deadline = AbortSignal.any([
      this.stopping.signal,
      AbortSignal.timeout(this.options.timeoutMs),
    ]);
    const base = { cluster: source.name, kind: source.kind, atMs };
    let reported = false;
    const report = (outcome: PollOutcome) => {
      if (reported || this.stopping.signal.aborted) return;
      reported = true;
      this.options.onOutcome(outcome);
    };
    const timedOut = new Promise<void>((resolve) => {
      deadline.addEventListener(
        'abort',
        () => {
          report({
            ...base,
            ok: false,
            durationMs: this.now() - atMs,
            error: {
              code: 'POLL_TIMEOUT',
              message: `no answer within ${this.options.timeoutMs} ms`,
            },
          });
          resolve();
        },
        { once: true },
      );
    });
    const reading = source.read(deadline).then(
      (value) => {
        report({ ...base, ok: true, durationMs: this.now() - atMs, ...value });
      },
      (error: unknown) => {
        report({ ...base, ok: false, durationMs: this.now() - atMs, error: failureOf(error) });
      },
    );
    // The slot stays taken while the read hangs on (no second request to a hung endpoint),
    // but not forever: a read that ignores every timeout is abandoned after a few deadlines.
    await Promise.race([reading, timedOut]);
    let abandon: NodeJS.Timeout | undefined;
    await Promise.race([
      reading,
      new Promise<void>((resolve) => {
        abandon = setTimeout(resolve, this.options.timeoutMs * ABANDON_AFTER_DEADLINES);
      }),
    ]);
    clearTimeout(abandon);
  }
}

export function failureOf(error: unknown): PollFailure {
  if (isQuorumctlError(error)) return { code: error.code, message: error.message };
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'POLL_FAILED', message: error.message };
  }
  return { code: 'POLL_FAILED', message: String(error) };
}
