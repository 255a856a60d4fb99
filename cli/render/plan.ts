/** Maintenance plans and reports as tables: each step with the quorum before and after it. */
import type {
  MaintenancePlan,
  MaintenanceReport,
  StepOutcome,
} from '../../core/maintenance/plan.js';
import type { QuorumSummary } from '../../core/quorum.js';
import { formatTable } from './table.js';

/** "3/3 healthy, majority 2, tolerates 1" in a cell: healthy/voters m=majority ft=tolerance. */
export function formatQuorumCell(quorum: QuorumSummary): string {
  return `${quorum.healthyVoters}/${quorum.voters} (maj ${quorum.majority})`;
}

export function renderPlan(plan: MaintenancePlan): string {
  const header = `Plan: ${plan.operation} on ${plan.cluster} (${plan.kind}), ${plan.steps.length} steps\n`;
  const preconditions =
    plan.preconditions.length === 0
      ? ''
      : `Preconditions:\n${plan.preconditions.map((line) => `  - ${line}`).join('\n')}\n`;
  const steps = formatTable(
    ['#', 'STEP', 'QUORUM BEFORE', 'QUORUM AFTER', 'MARGIN'],
    plan.steps.map((step) => [
      String(step.index),
      step.description,
      formatQuorumCell(step.quorumBefore),
      formatQuorumCell(step.quorumAfter),
      String(step.quorumAfter.quorumMargin),
    ]),
  );
  const risks =
    plan.risks.length === 0
      ? ''
      : `Risks:\n${plan.risks.map((risk) => `  ${risk.severity.toUpperCase()} ${risk.code}: ${risk.message}`).join('\n')}\n`;
  return [header, preconditions, steps, risks].filter((part) => part !== '').join('\n');
}

export function renderReport(report: MaintenanceReport): string {
  if (report.dryRun) return `${renderPlan(report.plan)}\nDry run: nothing was changed.\n`;
  const byIndex = new Map<number, StepOutcome>(report.outcomes.map((o) => [o.index, o]));
  const rows = report.plan.steps.map((step) => {
    const outcome = byIndex.get(step.index);
    return [
      String(step.index),
      step.description,
      outcome?.status ?? 'not run',
      outcome === undefined ? '-' : `${(outcome.durationMs / 1000).toFixed(1)} s`,
      outcome?.error?.message ??
        Object.entries(outcome?.details ?? {})
          .map(([key, value]) => `${key}=${String(value)}`)
          .join(' '),
    ];
  });
  const backup = report.safetyBackup === undefined ? '' : `Safety backup: ${report.safetyBackup}\n`;
  return (
    `${report.plan.operation} on ${report.plan.cluster}: ${report.result}\n` +
    backup +
    formatTable(['#', 'STEP', 'RESULT', 'TOOK', 'DETAILS'], rows)
  );
}
