/**
 * The base of every command that changes a cluster through a maintenance plan: --dry-run (or a
 * plan with nothing to do) prints the plan; otherwise consent, the safety backup, the run with
 * progress, the audit record and the report, ending with the outcome's exit code.
 */
import type { MaintenancePlan } from '../core/maintenance/plan.js';
import type { ProgressSink } from '../core/progress.js';
import type { OutputKind } from '../core/schema.js';
import type { MaintenanceRun } from '../ops/maintenance/plan-runner.js';
import { QuorumctlCommand } from './base-command.js';
import type { OutputFormat } from './flags.js';
import { auditArgv, renderPlanned, runMutation } from './mutation.js';
import type { MembershipTarget } from './membership-target.js';
import { renderReport } from './render/plan.js';

export interface PlannedChange {
  plan: MaintenancePlan;
  flags: {
    'dry-run': boolean;
    yes: boolean;
    'no-backup'?: boolean | undefined;
    'backup-dest'?: string | undefined;
    output?: OutputFormat;
    json?: boolean;
  };
  opened: MembershipTarget;
  execute: (progress: ProgressSink, signal: AbortSignal) => Promise<MaintenanceRun>;
}

export abstract class MaintenanceCommand extends QuorumctlCommand {
  protected outputKind: OutputKind = 'MaintenanceReport';

  protected async applyPlan({ plan, flags, opened, execute }: PlannedChange): Promise<void> {
    const format = this.outputFormat(flags);
    if (flags['dry-run'] || plan.steps.length === 0) {
      this.outputKind = 'MaintenancePlan';
      await this.emit(format, plan, renderPlanned);
      return;
    }
    const { report, exitCode } = await runMutation({
      plan,
      flags,
      format,
      opened,
      argv: auditArgv(this.id, this.argv),
      toolVersion: this.config.version,
      execute,
    });
    await this.emit(format, report, renderReport, exitCode);
  }
}
