/** Text the progress views share: durations and the one-line form of a step. */
import type { RowState, StepRow } from './progress-model.js';
import { stepDurationMs } from './progress-model.js';

/** "412 ms", "3.2 s", "2 min 5 s": precise for short steps, readable for long ones. */
export function formatStepDuration(milliseconds: number): string {
  if (!Number.isFinite(milliseconds) || milliseconds < 0) return '-';
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  const minutes = Math.floor(milliseconds / 60_000);
  const seconds = Math.floor((milliseconds % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

/** The result marks of finished rows; a running row shows a spinner instead. */
export const STATE_MARKS: Record<Exclude<RowState, 'running'>, string> = {
  pending: '·',
  done: '✔',
  failed: '✖',
  skipped: '↷',
  stopped: '■',
};

/**
 * The plain form of a row, for logs and pipes:
 * `[done] defragment n2 (412 MiB -> 96 MiB) 3.2 s`. Durations only once the step ended.
 */
export function plainLine(row: StepRow, nowMs: number): string {
  const parts = [`[${row.state}]`, row.label];
  if (row.detail !== undefined && row.detail !== '') parts.push(`(${row.detail})`);
  const duration = stepDurationMs(row, nowMs);
  if (row.finishedAtMs !== undefined && duration !== undefined)
    parts.push(formatStepDuration(duration));
  return parts.join(' ');
}
