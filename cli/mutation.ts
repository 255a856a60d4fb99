/**
 * What every mutating command shares: --dry-run and --yes, the confirmation (a prompt on a
 * TTY; --yes required without one), and the audit record written to the state dir.
 */
import { Flags } from '@oclif/core';
import { hostname, userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { redactArgv } from '../core/maintenance/audit.js';
import type { MaintenancePlan, MaintenanceReport } from '../core/maintenance/plan.js';
import { UsageError } from '../core/errors.js';
import { appendAuditRecord } from '../ops/maintenance/audit-log.js';
import { defaultStateDir } from '../sandbox/index.js';
import { safetyBackupFlags } from './render/backup-command.js';

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
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(
      `Proceed with ${plan.operation} on ${plan.cluster}? [y/N] `,
    );
    if (!/^y(es)?$/i.test(answer.trim())) {
      throw new UsageError('NOT_CONFIRMED', `${plan.operation} was not confirmed; nothing changed`);
    }
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
