/**
 * Runs a runbook step by step: gates first, then the step, then the journal. A run that stops
 * (failure, gate, Ctrl-C, crash) is resumed from its journal at the first step not done.
 */
import { randomBytes } from 'node:crypto';
import { compactTimestamp } from '../../core/backup/manifest.js';
import type { CheckReport } from '../../core/check/report.js';
import { describeCause, isQuorumctlError, UsageError } from '../../core/errors.js';
import type { ProgressSink } from '../../core/progress.js';
import { factsFromStatus, withCheckFacts } from '../../core/runbook/facts.js';
import { evaluateGates, needsCheck, type GateFacts } from '../../core/runbook/gates.js';
import {
  doneOutputs,
  resumeIndex,
  type JournalEntry,
  type RunRecord,
} from '../../core/runbook/journal.js';
import type { ParameterValue, Runbook, RunbookStep } from '../../core/runbook/model.js';
import { renderArgs } from '../../core/runbook/template.js';
import type { JournalStore } from './journal-store.js';
import type { OperationContext, OperationRegistry } from './operations.js';

export interface RunHooks {
  /** Asks the operator (a terminal is attached); absent = no terminal. */
  confirm?: (text: string) => Promise<boolean>;
  /** Runs a `shell:` step; only called with --allow-shell. */
  runShell: (command: string, signal: AbortSignal) => Promise<{ exitCode: number; output: string }>;
  /** For gates that need findings (`criticalFindings`). */
  runCheck: () => Promise<CheckReport>;
  now: () => Date;
}

export interface RunOptions {
  runbook: Runbook;
  params: Record<string, ParameterValue>;
  registry: OperationRegistry;
  context: Omit<OperationContext, 'runId'>;
  journal: JournalStore;
  hooks: RunHooks;
  yes: boolean;
  allowShell: boolean;
  user: string;
  /** A journal to continue instead of starting a new run. */
  resume?: RunRecord;
}

/** Why a run stopped, with the exit code the CLI ends with. */
export interface RunStop {
  stepId: string;
  code: string;
  message: string;
  exitCode: number;
}

export interface RunResult {
  record: RunRecord;
  stop?: RunStop;
}

export async function runRunbook(options: RunOptions): Promise<RunResult> {
  const { runbook, journal, hooks } = options;
  assertShellAllowed(runbook, options.allowShell);
  const record = options.resume ?? newRecord(options);
  if (options.resume !== undefined) assertSameSteps(runbook, options.resume);
  record.status = 'running';
  await journal.save(record);

  const start = resumeIndex(record) ?? runbook.steps.length;
  const context: OperationContext = { ...options.context, runId: record.runId };
  let stop: RunStop | undefined;
  for (const step of runbook.steps.slice(start)) {
    if (context.signal.aborted) {
      stop = { stepId: step.id, code: 'INTERRUPTED', message: 'interrupted', exitCode: 130 };
      break;
    }
    stop = await runStep(step, record, options, context);
    if (stop !== undefined) break;
  }

  if (stop === undefined) record.status = 'succeeded';
  else {
    record.status = stop.code === 'INTERRUPTED' ? 'interrupted' : 'failed';
    if (runbook.onFailure.action === 'cleanup' && !context.signal.aborted) {
      for (const step of runbook.onFailure.steps) await runStep(step, record, options, context);
    }
  }
  record.updatedAt = hooks.now().toISOString();
  await journal.save(record);
  return stop === undefined ? { record } : { record, stop };
}

async function runStep(
  step: RunbookStep,
  record: RunRecord,
  options: RunOptions,
  context: OperationContext,
): Promise<RunStop | undefined> {
  const { hooks, journal } = options;
  const progress: ProgressSink = context.progress;
  const started = hooks.now();
  const append = async (entry: Omit<JournalEntry, 'stepId' | 'at'>) => {
    record.entries.push({ stepId: step.id, at: hooks.now().toISOString(), ...entry });
    record.updatedAt = hooks.now().toISOString();
    await journal.save(record);
  };
  const fail = async (code: string, message: string, exitCode: number): Promise<RunStop> => {
    await append({
      state: 'failed',
      durationMs: hooks.now().getTime() - started.getTime(),
      error: { code, message },
    });
    progress.report({ step: step.id, label: step.name, state: 'failed', detail: message });
    return { stepId: step.id, code, message, exitCode };
  };

  progress.report({ step: step.id, label: step.name, state: 'running' });
  if (step.gates.length > 0) {
    const failures = await failedGates(step, context, hooks);
    if (failures.length > 0) {
      return fail('RUNBOOK_GATE_FAILED', `gate not met: ${failures.join('; ')}`, 4);
    }
  }
  try {
    const inputs =
      step.type === 'operation'
        ? (renderArgs(step.args, {
            cluster: record.cluster,
            params: record.params,
            steps: doneOutputs(record),
          }) as Record<string, unknown>)
        : undefined;
    await append({ state: 'started', ...(inputs !== undefined && { inputs }) });
    // Operations number their own steps from 1: keyed by this step, they never collide.
    const scoped: OperationContext = {
      ...context,
      progress: {
        report: (event) => {
          progress.report({ ...event, step: `${step.id}/${event.step}` });
        },
      },
    };
    const outputs = await execute(step, inputs ?? {}, options, scoped);
    await append({
      state: 'done',
      durationMs: hooks.now().getTime() - started.getTime(),
      ...(outputs !== undefined && { outputs }),
    });
    progress.report({ step: step.id, label: step.name, state: 'done' });
    return undefined;
  } catch (error) {
    if (context.signal.aborted) return fail('INTERRUPTED', 'interrupted', 130);
    const typed = isQuorumctlError(error) ? error : undefined;
    return fail(typed?.code ?? 'STEP_FAILED', describeCause(error), typed?.exitCode ?? 5);
  }
}

async function execute(
  step: RunbookStep,
  inputs: Record<string, unknown>,
  options: RunOptions,
  context: OperationContext,
): Promise<Record<string, ParameterValue> | undefined> {
  switch (step.type) {
    case 'gate':
      return undefined;
    case 'operation': {
      const operation = options.registry.get(step.operation);
      if (operation === undefined) {
        throw new UsageError('RUNBOOK_OPERATION_UNKNOWN', `no operation "${step.operation}"`);
      }
      return operation.run(inputs, context);
    }
    case 'confirm': {
      const text = step.text.replace(/\{\{\s*cluster\s*\}\}/g, context.cluster);
      if (options.hooks.confirm !== undefined && !options.yes) {
        if (await options.hooks.confirm(text)) return { confirmedBy: options.user };
        throw new UsageError('NOT_CONFIRMED', `"${text}" was not confirmed`, {
          actions: ['quorumctl runbook resume continues from this step when you are ready'],
        });
      }
      if (options.yes) return { confirmedBy: '--yes' };
      throw new UsageError('CONFIRMATION_REQUIRED', `step "${step.id}" asks: ${text}`, {
        actions: ['run it from a terminal, or pass --yes to confirm non-interactively'],
      });
    }
    case 'shell': {
      const result = await options.hooks.runShell(step.command, context.signal);
      if (result.exitCode !== 0) {
        throw new UsageError(
          'SHELL_STEP_FAILED',
          `\`${step.command}\` exited ${result.exitCode}: ${result.output.trim().split('\n').slice(-3).join(' | ')}`,
        );
      }
      return { output: result.output.trim().slice(0, 4000) };
    }
  }
}

async function failedGates(
  step: RunbookStep,
  context: OperationContext,
  hooks: RunHooks,
): Promise<string[]> {
  let facts: GateFacts;
  try {
    facts = factsFromStatus(await context.adapter.status());
    if (needsCheck(step.gates)) facts = withCheckFacts(facts, await hooks.runCheck());
  } catch (error) {
    return [`the cluster's facts could not be read: ${describeCause(error)}`];
  }
  return evaluateGates(step.gates, facts)
    .filter((result) => !result.passed)
    .map((result) => `${result.gate.expression} (${result.explanation})`);
}

function newRecord(options: RunOptions): RunRecord {
  const now = options.hooks.now();
  return {
    runId: `${options.runbook.name}-${compactTimestamp(now)}-${randomBytes(2).toString('hex')}`,
    runbook: options.runbook.name,
    file: options.runbook.file,
    stepIds: options.runbook.steps.map((step) => step.id),
    cluster: options.context.cluster,
    params: options.params,
    startedAt: now.toISOString(),
    updatedAt: now.toISOString(),
    status: 'running',
    user: options.user,
    entries: [],
  };
}

function assertShellAllowed(runbook: Runbook, allowShell: boolean): void {
  const shell = [
    ...runbook.steps,
    ...(runbook.onFailure.action === 'cleanup' ? runbook.onFailure.steps : []),
  ].filter((step) => step.type === 'shell');
  if (shell.length > 0 && !allowShell) {
    const where = shell.map((step) => `${step.id} (line ${step.location.line})`).join(', ');
    throw new UsageError(
      'SHELL_NOT_ALLOWED',
      `runbook "${runbook.name}" has shell steps: ${where}; nothing was run`,
      { actions: ['review the commands, then rerun with --allow-shell'] },
    );
  }
}

/** A resume must run the same steps the journal recorded, or step ids would mean other work. */
function assertSameSteps(runbook: Runbook, record: RunRecord): void {
  const now = runbook.steps.map((step) => step.id).join(',');
  if (now !== record.stepIds.join(',')) {
    throw new UsageError(
      'RUNBOOK_CHANGED',
      `runbook "${runbook.name}" changed since run ${record.runId} started (steps ${record.stepIds.join(', ')} then, ${now} now)`,
      { actions: ['restore the runbook as it was, or start a new run'] },
    );
  }
}
