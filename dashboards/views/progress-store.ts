/**
 * The live ProgressModel behind an ink view: events fold in as they come; subscribers hear
 * of new steps and state changes at once, of detail-only changes (bytes, ETA) at most every
 * `detailIntervalMs`, so a backup reporting every 64 KiB chunk does not redraw per chunk.
 */
import type { Clock } from '../../core/ports.js';
import type { ProgressEvent } from '../../core/progress.js';
import {
  clockMs,
  closeProgress,
  EMPTY_PROGRESS,
  foldProgress,
  type ProgressModel,
} from './progress-model.js';

export interface ProgressStore {
  report: (event: ProgressEvent) => void;
  close: () => void;
  getSnapshot: () => ProgressModel;
  subscribe: (listener: () => void) => () => void;
}

export function createProgressStore(clock: Clock, detailIntervalMs = 100): ProgressStore {
  let model = EMPTY_PROGRESS;
  const listeners = new Set<() => void>();
  let pending: NodeJS.Timeout | undefined;

  const notify = () => {
    if (pending !== undefined) clearTimeout(pending);
    pending = undefined;
    for (const listener of listeners) listener();
  };
  const notifySoon = () => {
    if (pending !== undefined) return;
    pending = setTimeout(notify, detailIntervalMs);
    // A view waiting to redraw a byte count must not keep the process alive.
    pending.unref();
  };

  return {
    report(event) {
      if (model.closedAtMs !== undefined) return;
      const before = model.rows.find((row) => row.step === event.step);
      model = foldProgress(model, event, clockMs(clock));
      const structural =
        before === undefined || before.state !== event.state || before.label !== event.label;
      if (structural) notify();
      else if (before.detail !== event.detail) notifySoon();
    },
    close() {
      model = closeProgress(model, clockMs(clock));
      notify();
    },
    getSnapshot: () => model,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
