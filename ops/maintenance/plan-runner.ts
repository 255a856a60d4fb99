/**
 * Executes a MaintenancePlan step by step: one handler per action, progress reported per
 * step, the first failure stops the run, and an abort (Ctrl-C) starts nothing new.
 */
import {
  describeCause,
  InternalError,
  isQuorumctlError,
  PartialFailureError,
  type QuorumctlError,
} from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import type {
  MaintenancePlan,
  MaintenanceReport,
  PlanAction,
  PlanStep,
  StepOutcome,
} from '../../core/maintenance/plan.js';
import type { ProgressSink } from '../../core/progress.js';

export type StepDetails = Record<string, string | number | boolean>;

export interface StepResult {
  status: 'done' | 'skipped';
  details?: StepDetails;
  /** One short line for the progress view: "241 MiB -> 20 KiB in 0.3 s". */
  summary?: string;
}

export type StepHandler = (step: PlanStep, plan: MaintenancePlan) => Promise<StepResult>;
export type StepHandlers = Partial<Record<PlanAction, StepHandler>>;

export interface RunControl {
  progress: ProgressSink;
  /** Aborted by Ctrl-C: the step in hand finishes (a defragment cannot be called back). */
  signal?: AbortSignal;
  now?: () => Date;
}

/** The report, and the typed error of the step that failed (its actions, its exit code). */
export interface MaintenanceRun {
  report: MaintenanceReport;
  failure?: QuorumctlError;
}

export async function runPlan(
  plan: MaintenancePlan,
  handlers: StepHandlers,
  control: RunControl,
): Promise<MaintenanceRun> {
  const now = control.now ?? (() => new Date());
  // A function, not a narrowed property: the signal flips while steps are awaited.
  const aborted = () => control.signal?.aborted === true;
  const outcomes: StepOutcome[] = [];
  const finish = (result: MaintenanceReport['result'], failure?: QuorumctlError) => ({
    report: { plan, dryRun: false, outcomes, result },
    ...(failure !== undefined && { failure }),
  });
  for (const step of plan.steps) {
    if (aborted()) return finish('interrupted');
    const key = String(step.index);
    control.progress.report({ step: key, label: step.description, state: 'running' });
    const startedAt = now();
    const elapsed = () => now().getTime() - startedAt.getTime();
    try {
      const handler = handlers[step.action];
      if (handler === undefined) {
        throw new InternalError('NO_STEP_HANDLER', `no executor for plan step "${step.action}"`);
      }
      const result = await handler(step, plan);
      outcomes.push({
        index: step.index,
        status: result.status,
        startedAt: startedAt.toISOString(),
        durationMs: elapsed(),
        ...(result.details !== undefined && { details: result.details }),
      });
      control.progress.report({
        step: key,
        label: step.description,
        state: result.status,
        ...(result.summary !== undefined && { detail: result.summary }),
      });
    } catch (cause) {
      if (aborted() && !isQuorumctlError(cause)) {
        // A wait or poll cut short by Ctrl-C: the step did not finish, nothing failed.
        control.progress.report({
          step: key,
          label: step.description,
          state: 'skipped',
          detail: 'interrupted',
        });
        return finish('interrupted');
      }
      const failure = asStepFailure(step, cause);
      outcomes.push({
        index: step.index,
        status: 'failed',
        startedAt: startedAt.toISOString(),
        durationMs: elapsed(),
        error: { code: failure.code, message: failure.message },
      });
      control.progress.report({
        step: key,
        label: step.description,
        state: 'failed',
        detail: failure.message,
      });
      return finish('failed', failure);
    }
  }
  return finish(aborted() ? 'interrupted' : 'succeeded');
}

/**
 * 0 when every step ran; 130 when interrupted; a refusal's own code (4 unsafe, 3 unreachable)
 * while nothing has changed yet; 5 once some step changed the cluster and a later one failed.
 */
export function exitCodeOf(run: MaintenanceRun): number {
  const { report, failure } = run;
  if (report.result === 'succeeded') return ExitCode.ok;
  if (report.result === 'interrupted') return ExitCode.interrupted;
  const mutating = new Set(report.plan.steps.filter((step) => step.mutates).map((s) => s.index));
  const changed = report.outcomes.some(
    (outcome) => outcome.status === 'done' && mutating.has(outcome.index),
  );
  if (!changed && failure !== undefined) return failure.exitCode;
  return ExitCode.partial;
}

function asStepFailure(step: PlanStep, cause: unknown): QuorumctlError {
  if (isQuorumctlError(cause)) return cause;
  return new PartialFailureError(
    'STEP_FAILED',
    `step ${step.index} (${step.description}) failed: ${describeCause(cause)}`,
    {
      actions: [
        'quorumctl status shows the cluster now',
        'the report lists the steps that completed; rerun for the rest once the cause is fixed',
      ],
      cause,
    },
  );
}
