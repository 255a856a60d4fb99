/**
 * Progress of long work as a port: ops report steps, the CLI renders them (ink on a TTY,
 * plain lines otherwise, nothing for --output json). Ops never print.
 */
export type StepState = 'pending' | 'running' | 'done' | 'skipped' | 'failed';

export interface ProgressEvent {
  /** Stable key of the step (plan step index, member name, drill phase). */
  step: string;
  /** What the step does, shown beside its spinner or result. */
  label: string;
  state: StepState;
  /** A short live detail: "74% of leader index, ETA 12 s", "412 MiB -> 96 MiB". */
  detail?: string;
}

export interface ProgressSink {
  report(event: ProgressEvent): void;
}

/** For callers that want no progress (JSON output, tests). */
export const SILENT_PROGRESS: ProgressSink = { report: () => undefined };
