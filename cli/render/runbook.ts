/** Runbooks for people: the library, one runbook, a plan, a run's outcome, the history, JUnit. */
import type { GateResult } from '../../core/runbook/gates.js';
import { stepStates, type RunRecord } from '../../core/runbook/journal.js';
import type { Runbook, RunbookStep } from '../../core/runbook/model.js';
import type { MaintenancePlan } from '../../core/maintenance/plan.js';
import { escapeXml } from './findings-junit.js';
import { renderPlan } from './plan.js';
import { formatTable } from './table.js';

export function renderRunbookList(runbooks: readonly Runbook[]): string {
  return formatTable(
    ['NAME', 'KINDS', 'STEPS', 'DESCRIPTION'],
    runbooks.map((runbook) => [
      runbook.name,
      runbook.kinds.length === 0 ? 'any' : runbook.kinds.join(','),
      String(runbook.steps.length),
      runbook.description.split('\n')[0] ?? '',
    ]),
  );
}

export function renderOperationCatalog(
  operations: readonly { name: string; description: string; mutates: boolean }[],
): string {
  return formatTable(
    ['OPERATION', 'CHANGES CLUSTER', 'WHAT IT DOES (ARGUMENTS)'],
    operations.map((operation) => [
      operation.name,
      operation.mutates ? 'yes' : 'no',
      operation.description,
    ]),
  );
}

function describeStep(step: RunbookStep): string {
  switch (step.type) {
    case 'operation':
      return `run ${step.operation}${Object.keys(step.args).length === 0 ? '' : ` ${JSON.stringify(step.args)}`}`;
    case 'confirm':
      return `confirm "${step.text}"`;
    case 'shell':
      return `shell \`${step.command}\``;
    case 'gate':
      return 'gate';
  }
}

export function renderRunbook(runbook: Runbook): string {
  const parameters =
    runbook.parameters.length === 0
      ? 'Parameters: none\n'
      : `Parameters:\n${formatTable(
          ['NAME', 'TYPE', 'DEFAULT', 'DESCRIPTION'],
          runbook.parameters.map((parameter) => [
            parameter.name,
            parameter.type,
            parameter.default === undefined ? '(required)' : String(parameter.default),
            parameter.description,
          ]),
        )}`;
  const steps = formatTable(
    ['#', 'ID', 'DOES', 'REQUIRES'],
    runbook.steps.map((step, index) => [
      String(index + 1),
      step.id,
      describeStep(step),
      step.gates.map((gate) => gate.expression).join(', '),
    ]),
  );
  const onFailure =
    runbook.onFailure.action === 'stop'
      ? 'On failure: stop (resume with quorumctl runbook resume)'
      : `On failure: run ${runbook.onFailure.steps.map((step) => step.id).join(', ')}, then stop`;
  return `${runbook.name}: ${runbook.description}\nKinds: ${runbook.kinds.join(', ') || 'any'}\nFile: ${runbook.file}\n\n${parameters}\nSteps:\n${steps}\n${onFailure}\n`;
}

export interface PlannedStep {
  id: string;
  name: string;
  does: string;
  mutates: boolean;
  /** Arguments with parameters filled in; step outputs still as {{ steps.ID.KEY }}. */
  args?: unknown;
  /** Gates evaluated against the cluster now (later steps may see a different cluster). */
  gatesNow: { expression: string; passed: boolean; explanation: string }[];
  /** The quorum effect of a mutating operation, as its own plan. */
  maintenancePlan?: MaintenancePlan;
  /** Why the maintenance plan could not be computed now (it may depend on earlier steps). */
  planNote?: string;
}

export interface RunbookPlanView {
  runbook: string;
  cluster: string;
  params: Record<string, string | number | boolean>;
  steps: PlannedStep[];
}

export function gateView(results: readonly GateResult[]): PlannedStep['gatesNow'] {
  return results.map((result) => ({
    expression: result.gate.expression,
    passed: result.passed,
    explanation: result.explanation,
  }));
}

export function renderRunbookPlan(view: RunbookPlanView): string {
  const params = Object.entries(view.params)
    .map(([name, value]) => `${name}=${String(value)}`)
    .join(' ');
  const lines = [
    `Plan: runbook ${view.runbook} on ${view.cluster}${params === '' ? '' : ` (${params})`}`,
    '',
  ];
  for (const [index, step] of view.steps.entries()) {
    lines.push(
      `${index + 1}. ${step.id}: ${step.name}${step.mutates ? '  [changes the cluster]' : ''}`,
    );
    lines.push(`   ${step.does}${step.args === undefined ? '' : ` ${JSON.stringify(step.args)}`}`);
    for (const gate of step.gatesNow) {
      lines.push(
        `   requires ${gate.expression}: ${gate.passed ? 'holds now' : 'NOT MET now'} (${gate.explanation})`,
      );
    }
    if (step.maintenancePlan !== undefined) {
      lines.push(
        ...renderPlan(step.maintenancePlan)
          .trimEnd()
          .split('\n')
          .map((line) => `   | ${line}`),
      );
    } else if (step.planNote !== undefined) {
      lines.push(`   quorum effect: ${step.planNote}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function renderRunRecord(record: RunRecord, stopMessage?: string): string {
  const states = stepStates(record);
  const rows = record.stepIds.map((id) => {
    const entry = states.get(id);
    return [
      id,
      entry?.state ?? 'not run',
      entry?.durationMs === undefined ? '-' : `${(entry.durationMs / 1000).toFixed(1)} s`,
      entry?.error?.message ??
        Object.entries(entry?.outputs ?? {})
          .map(([key, value]) => `${key}=${String(value)}`)
          .join(' '),
    ];
  });
  const header = `Run ${record.runId} (${record.runbook} on ${record.cluster}): ${record.status}\n`;
  const footer =
    record.status === 'succeeded'
      ? ''
      : `\n${stopMessage === undefined ? '' : `${stopMessage}\n`}Continue with: quorumctl runbook resume ${record.runId}\n`;
  return header + formatTable(['STEP', 'STATE', 'TOOK', 'DETAILS'], rows) + footer;
}

export function renderHistory(records: readonly RunRecord[]): string {
  if (records.length === 0) return 'No runbook runs yet.\n';
  return formatTable(
    ['RUN', 'RUNBOOK', 'CLUSTER', 'STATUS', 'STARTED', 'STEPS DONE', 'BY'],
    records.map((record) => {
      const states = stepStates(record);
      const done = record.stepIds.filter((id) => {
        const state = states.get(id)?.state;
        return state === 'done' || state === 'skipped';
      }).length;
      return [
        record.runId,
        record.runbook,
        record.cluster,
        record.status,
        record.startedAt,
        `${done}/${record.stepIds.length}`,
        record.user,
      ];
    }),
  );
}

/** One testcase per step: failed steps fail, steps not reached are skipped. */
export function renderRunJunit(record: RunRecord): string {
  const states = stepStates(record);
  const cases = record.stepIds.map((id) => {
    const entry = states.get(id);
    const seconds = ((entry?.durationMs ?? 0) / 1000).toFixed(3);
    const open = `    <testcase classname="${escapeXml(`runbook.${record.runbook}`)}" name="${escapeXml(id)}" time="${seconds}"`;
    if (entry?.state === 'failed') {
      const message = entry.error?.message ?? 'failed';
      return `${open}>\n      <failure type="${escapeXml(entry.error?.code ?? 'FAILED')}" message="${escapeXml(message)}">${escapeXml(message)}</failure>\n    </testcase>`;
    }
    if (entry === undefined || entry.state === 'started' || entry.state === 'skipped') {
      return `${open}>\n      <skipped message="${entry === undefined ? 'not reached' : entry.state}"/>\n    </testcase>`;
    }
    return `${open}/>`;
  });
  const failures = record.stepIds.filter((id) => states.get(id)?.state === 'failed').length;
  const skipped = record.stepIds.filter((id) => {
    const state = states.get(id)?.state;
    return state === undefined || state === 'started' || state === 'skipped';
  }).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="${escapeXml(`runbook ${record.runbook} on ${record.cluster}`)}" tests="${record.stepIds.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${escapeXml(record.startedAt)}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
