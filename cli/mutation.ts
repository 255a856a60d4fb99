/**
 * What every mutating command shares: --dry-run and --yes, the confirmation (a prompt on a
 * TTY; --yes required without one), the safety backup, the run with progress, and the audit
 * record written to the state dir.
 */
import { Flags } from '@oclif/core';
import { hostname, userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { UsageError } from '../core/errors.js';
import { redactArgv } from '../core/maintenance/audit.js';
import type { MaintenancePlan, MaintenanceReport } from '../core/maintenance/plan.js';
import type { ProgressSink } from '../core/progress.js';
import { appendAuditRecord } from '../ops/maintenance/audit-log.js';
import { exitCodeOf, type MaintenanceRun } from '../ops/maintenance/plan-runner.js';
import { defaultStateDir } from '../sandbox/index.js';
import type { OutputFormat } from './flags.js';
import { interruptSignal, safetyBackupBefore, safetyBackupFlags } from './render/backup-command.js';
import { renderError } from './render/error.js';
import { renderPlan, renderReport } from './render/plan.js';
import { createProgressSink } from './render/progress.js';
import type { MembershipTarget } from './membership-target.js';

export const mutationFlags = {
  'dry-run': Flags.boolean({
    description: 'Print the plan (steps, quorum before and after each) and change nothing.',
    helpGroup: 'SAFETY',
  }),
  yes: Flags.boolean({
    char: 'y',
    description: 'Proceed without the confirmation prompt (required when no terminal is attached).',
    helpGroup: 'SAFETY',
  }),
  ...safetyBackupFlags,
};

export function isInteractive(): boolean {
  return process.stdin.isTTY && process.stderr.isTTY;
}

/**
 * Asks before executing `plan`: without a terminal, --yes is the consent; on a terminal the
 * operator answers y. Throws (exit 2) when consent is missing, so nothing has changed.
 */
export async function confirmPlan(
  plan: MaintenancePlan,
  flags: { yes: boolean },
  renderPlan: (plan: MaintenancePlan) => string,
): Promise<void> {
  if (flags.yes) return;
  if (!isInteractive()) {
    throw new UsageError(
      'CONFIRMATION_REQUIRED',
      `${plan.operation} changes cluster "${plan.cluster}" and no terminal is attached to confirm it`,
      {
        actions: [
          'review the plan with --dry-run, then rerun with --yes',
          `the plan has ${plan.steps.length} steps`,
        ],
      },
    );
  }
  process.stderr.write(renderPlan(plan));
  if (!(await askYesNo(`Proceed with ${plan.operation} on ${plan.cluster}?`))) {
    throw new UsageError('NOT_CONFIRMED', `${plan.operation} was not confirmed; nothing changed`);
  }
}

/** Asks on the terminal (stderr, so stdout keeps the result); only "y" or "yes" consents. */
export async function askYesNo(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(`${question} [y/N] `)).trim());
  } finally {
    prompt.close();
  }
}

/** Appends the audit record; a failure to write it is reported, never hides the outcome. */
export async function recordAudit(
  report: MaintenanceReport,
  argv: readonly string[],
  stateDir: string = defaultStateDir(),
): Promise<void> {
  try {
    await appendAuditRecord(stateDir, {
      at: new Date().toISOString(),
      user: userInfo().username,
      host: hostname(),
      argv: redactArgv(argv),
      cluster: report.plan.cluster,
      report,
    });
  } catch (error) {
    process.stderr.write(`warning: could not write the audit record: ${String(error)}\n`);
  }
}

export interface MutationInput {
  plan: MaintenancePlan;
  flags: {
    yes: boolean;
    'no-backup'?: boolean | undefined;
    'backup-dest'?: string | undefined;
  };
  format: OutputFormat;
  opened: MembershipTarget;
  argv: readonly string[];
  toolVersion: string;
  /** Runs the plan; `prepare` work (port reservations) belongs inside, after consent. */
  execute: (progress: ProgressSink, signal: AbortSignal) => Promise<MaintenanceRun>;
}
/**
 * After the plan and before any change: consent (a prompt, or --yes), then the safety backup;
 * then the run with progress on stderr, the audit record, and the exit code of the outcome.
 */
export async function runMutation(
  input: MutationInput,
): Promise<{ report: MaintenanceReport; exitCode: number }> {
  const { plan, opened } = input;
  await confirmPlan(plan, input.flags, renderPlan);
  const interrupt = interruptSignal();
  // One step view for the safety backup and the plan's steps.
  const progress = createProgressSink({ format: input.format });
  let run: MaintenanceRun;
  let backup: Awaited<ReturnType<typeof safetyBackupBefore>>;
  try {
    backup = plan.steps.some((step) => step.mutates)
      ? await safetyBackupBefore(
          plan.operation,
          opened.target,
          opened.options,
          input.flags,
          input.toolVersion,
          interrupt.signal,
          progress,
        )
      : undefined;
    run = await input.execute(progress, interrupt.signal);
  } finally {
    await progress.close();
    interrupt.release();
  }
  const report: MaintenanceReport = {
    ...run.report,
    ...(backup !== undefined && { safetyBackup: backup.manifest.name }),
  };
  await recordAudit(report, input.argv, opened.stateDir);
  if (run.failure !== undefined && input.format === 'table') {
    process.stderr.write(renderError(run.failure, input.argv.includes('--debug')));
  }
  return { report, exitCode: exitCodeOf({ ...run, report }) };
}
/** A report for --dry-run: the plan, nothing executed. */
export function dryRunReport(plan: MaintenancePlan): MaintenanceReport {
  return { plan, dryRun: true, outcomes: [], result: 'planned' };
}
/** The command line for the audit record: the command's words, then its arguments. */
export function auditArgv(id: string | undefined, argv: readonly string[]): string[] {
  return [...(id?.split(':') ?? []), ...argv];
}
/** A plan shown without running it: --dry-run, or a plan with nothing to do. */
export function renderPlanned(plan: MaintenancePlan): string {
  return plan.steps.length === 0
    ? `${renderPlan(plan)}\nNothing to do.\n`
    : renderReport(dryRunReport(plan));
}
