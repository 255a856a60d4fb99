/**
 * The poll loop: one task at a time, started at a jittered interval. A run that overruns the
 * interval delays the next one instead of overlapping it.
 */

/**
 * Milliseconds from the start of one run to the start of the next: the interval spread by
 * ±`jitterRatio` so that agents started together do not poll in lockstep.
 */
export function jitteredDelayMs(
  intervalMs: number,
  jitterRatio: number,
  random: () => number,
): number {
  const spread = intervalMs * Math.min(Math.max(jitterRatio, 0), 0.5);
  return Math.max(1, Math.round(intervalMs - spread + 2 * spread * random()));
}

/** How long to wait after a run of `runMs` before the next one starts. */
export function waitAfterRunMs(delayMs: number, runMs: number): number {
  return Math.max(0, delayMs - runMs);
}

export interface PollLoopOptions {
  intervalMs: number;
  jitterRatio: number;
  random?: () => number;
  now?: () => number;
}

export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly options: PollLoopOptions,
  ) {}

  /** Runs the task now, then keeps running it until stop(). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Runs the task once now, waiting for a run in progress first (tests, embedding). */
  async runNow(): Promise<void> {
    await this.run();
  }

  /** No new run starts; resolves when the run in progress has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(waitMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.cycle();
    }, waitMs);
  }

  private async cycle(): Promise<void> {
    if (this.stopped) return;
    const now = this.options.now ?? Date.now;
    const delay = jitteredDelayMs(
      this.options.intervalMs,
      this.options.jitterRatio,
      this.options.random ?? Math.random,
    );
    const started = now();
    await this.run();
    if (!this.stopped) this.schedule(waitAfterRunMs(delay, now() - started));
  }

  /** Chained after the run in progress, so two runs never overlap whoever starts them. */
  private async run(): Promise<void> {
    const run = (this.running ?? Promise.resolve()).then(() => this.task()).catch(() => undefined);
    this.running = run;
    try {
      await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }
}
