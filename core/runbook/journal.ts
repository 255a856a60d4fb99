/**
 * The run journal: what happened to each step of one runbook run, written after every step so
 * a crashed or interrupted run can be resumed at the first step that is not done.
 */
import type { ParameterValue } from './model.js';

export type StepRunState = 'started' | 'done' | 'skipped' | 'failed';

export interface JournalEntry {
  stepId: string;
  state: StepRunState;
  at: string;
  durationMs?: number;
  /** Arguments as rendered for this run. */
  inputs?: unknown;
  /** What later steps may refer to as {{ steps.ID.KEY }}. */
  outputs?: Record<string, ParameterValue>;
  error?: { code: string; message: string };
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'interrupted';

export interface RunRecord {
  runId: string;
  runbook: string;
  /** The file it was loaded from (a resume reloads it and refuses if the steps changed). */
  file: string;
  /** Step ids in order when the run started: resume checks the runbook still matches. */
  stepIds: string[];
  cluster: string;
  params: Record<string, ParameterValue>;
  startedAt: string;
  updatedAt: string;
  status: RunStatus;
  user: string;
  entries: JournalEntry[];
}

/** The latest state of every step, by id. */
export function stepStates(record: RunRecord): Map<string, JournalEntry> {
  const latest = new Map<string, JournalEntry>();
  for (const entry of record.entries) latest.set(entry.stepId, entry);
  return latest;
}

/**
 * Where a resume continues: the first step not done or skipped. A step left `started` (the
 * runner died inside it) is rerun: steps detect work already done (idempotent operations).
 * Undefined when every step is done.
 */
export function resumeIndex(record: RunRecord): number | undefined {
  const states = stepStates(record);
  const index = record.stepIds.findIndex((id) => {
    const state = states.get(id)?.state;
    return state !== 'done' && state !== 'skipped';
  });
  return index === -1 ? undefined : index;
}

/** Outputs of done steps, for templates of the steps still to run. */
export function doneOutputs(record: RunRecord): Record<string, Record<string, ParameterValue>> {
  const outputs: Record<string, Record<string, ParameterValue>> = {};
  for (const [id, entry] of stepStates(record)) {
    if (entry.state === 'done' && entry.outputs !== undefined) outputs[id] = entry.outputs;
  }
  return outputs;
}
