/**
 * The progress of long work as a plain value: ProgressEvents folded into one row per step
 * (in order of first appearance) with start and finish times, so views only draw it.
 */
import type { Clock } from '../../core/ports.js';
import type { ProgressEvent, StepState } from '../../core/progress.js';

/** A step still running when the view closed shows as `stopped`, never as a live spinner. */
export type RowState = StepState | 'stopped';

export interface StepRow {
  step: string;
  label: string;
  state: RowState;
  detail?: string;
  /** When the step first ran (ms since the epoch, from the clock). */
  startedAtMs?: number;
  /** When it reached done, failed or skipped. */
  finishedAtMs?: number;
}

export interface ProgressModel {
  rows: readonly StepRow[];
  /** When the first event arrived: the summary's total time counts from here. */
  firstEventAtMs?: number;
  /** Set by closeProgress: no more events are expected. */
  closedAtMs?: number;
}

export const EMPTY_PROGRESS: ProgressModel = { rows: [] };

const FINAL_STATES: ReadonlySet<RowState> = new Set(['done', 'failed', 'skipped', 'stopped']);

export function isFinal(state: RowState): boolean {
  return FINAL_STATES.has(state);
}

/** Folds one event in; a new step is appended, a known one updated in place. */
export function foldProgress(
  model: ProgressModel,
  event: ProgressEvent,
  nowMs: number,
): ProgressModel {
  const firstEventAtMs = model.firstEventAtMs ?? nowMs;
  const index = model.rows.findIndex((row) => row.step === event.step);
  const previous = index === -1 ? undefined : model.rows[index];
  const row = nextRow(previous, event, nowMs);
  const rows =
    index === -1
      ? [...model.rows, row]
      : model.rows.map((existing, at) => (at === index ? row : existing));
  return { ...model, rows, firstEventAtMs };
}

function nextRow(previous: StepRow | undefined, event: ProgressEvent, nowMs: number): StepRow {
  // A step that finishes without ever being reported running took no measurable time.
  const startedAtMs =
    previous?.startedAtMs ??
    (event.state === 'running' || isFinal(event.state) ? nowMs : undefined);
  const finishedAtMs = isFinal(event.state)
    ? previous !== undefined && isFinal(previous.state)
      ? (previous.finishedAtMs ?? nowMs)
      : nowMs
    : undefined;
  // A detail that is not repeated stays: "412 MiB -> 96 MiB" should survive a bare `done`.
  const detail = event.detail ?? previous?.detail;
  return {
    step: event.step,
    label: event.label,
    state: event.state,
    ...(detail !== undefined && { detail }),
    ...(startedAtMs !== undefined && { startedAtMs }),
    ...(finishedAtMs !== undefined && { finishedAtMs }),
  };
}

/** No more events: steps still running are shown as stopped, with the time they ran. */
export function closeProgress(model: ProgressModel, nowMs: number): ProgressModel {
  if (model.closedAtMs !== undefined) return model;
  return {
    ...model,
    closedAtMs: nowMs,
    rows: model.rows.map((row) =>
      row.state === 'running' ? { ...row, state: 'stopped', finishedAtMs: nowMs } : row,
    ),
  };
}

/** How long a step ran (so far, when it still runs); undefined before it started. */
export function stepDurationMs(row: StepRow, nowMs: number): number | undefined {
  if (row.startedAtMs === undefined) return undefined;
  return Math.max(0, (row.finishedAtMs ?? nowMs) - row.startedAtMs);
}

export interface ProgressSummary {
  counts: Record<RowState, number>;
  totalMs: number;
  /** Every step reached a final state. */
  finished: boolean;
  /** Some step failed or was stopped half-way. */
  failed: boolean;
}

export function summarize(model: ProgressModel, nowMs: number): ProgressSummary {
  const counts: Record<RowState, number> = {
    pending: 0,
    running: 0,
    done: 0,
    skipped: 0,
    failed: 0,
    stopped: 0,
  };
  for (const row of model.rows) counts[row.state] += 1;
  const end = model.closedAtMs ?? nowMs;
  return {
    counts,
    totalMs: model.firstEventAtMs === undefined ? 0 : Math.max(0, end - model.firstEventAtMs),
    finished: model.rows.length > 0 && model.rows.every((row) => isFinal(row.state)),
    failed: counts.failed > 0 || counts.stopped > 0,
  };
}

/** The milliseconds of a Clock, the one way views read time. */
export function clockMs(clock: Clock): number {
  return clock.now().getTime();
}
