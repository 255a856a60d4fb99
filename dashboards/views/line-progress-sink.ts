/**
 * Progress for logs and pipes: one line per state change of a step,
 * `[done] defragment n2 (412 MiB -> 96 MiB) 3.2 s`. Pending steps and detail-only updates
 * print nothing (the plan was printed already; a byte count per chunk would flood a log).
 */
import type { Clock } from '../../core/ports.js';
import type { ProgressSink } from '../../core/progress.js';
import { plainLine } from './format.js';
import { clockMs, closeProgress, EMPTY_PROGRESS, foldProgress } from './progress-model.js';

export interface ClosableProgressSink extends ProgressSink {
  /** Ends the view; steps still running are reported stopped. Never throws. */
  close(): Promise<void>;
}

export interface LineWriter {
  write(text: string): unknown;
}

const SYSTEM_CLOCK: Clock = { now: () => new Date() };

export function createLineProgressSink(
  stream: LineWriter,
  clock: Clock = SYSTEM_CLOCK,
): ClosableProgressSink {
  let model = EMPTY_PROGRESS;
  const write = (text: string) => {
    try {
      stream.write(`${text}\n`);
    } catch {
      // A closed pipe must not fail the work whose progress it was showing.
    }
  };
  return {
    report(event) {
      if (model.closedAtMs !== undefined) return;
      const before = model.rows.find((row) => row.step === event.step);
      model = foldProgress(model, event, clockMs(clock));
      if (event.state === 'pending' || before?.state === event.state) return;
      const row = model.rows.find((candidate) => candidate.step === event.step);
      if (row !== undefined) write(plainLine(row, clockMs(clock)));
    },
    close() {
      if (model.closedAtMs === undefined) {
        const running = new Set(
          model.rows.filter((row) => row.state === 'running').map((row) => row.step),
        );
        model = closeProgress(model, clockMs(clock));
        for (const row of model.rows)
          if (running.has(row.step)) write(plainLine(row, clockMs(clock)));
      }
      return Promise.resolve();
    },
  };
}

/** For --output json|yaml: stdout carries the result, and stderr stays quiet too. */
export function createSilentProgressSink(): ClosableProgressSink {
  return { report: () => undefined, close: () => Promise.resolve() };
}
