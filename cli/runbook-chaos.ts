/** The chaos drill as a runbook operation: a game day is a runbook of drills against a sandbox. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { builtInScenario } from '../chaos/drills/catalog.js';
import { renderDrillHtml } from '../chaos/report/html.js';
import { runSandboxDrill } from '../chaos/runner/sandbox-drill.js';
import { PartialFailureError, UnsupportedOperationError } from '../core/errors.js';
import { durationArg, numberArg, requiredString, stringArg } from '../runbooks/engine/args.js';
import type { OperationDefinition } from './runbook-operations.js';

export const CHAOS_OPERATIONS: readonly OperationDefinition[] = [
  {
    name: 'chaos.drill',
    description:
      'Run a chaos drill against the --sandbox (scenario, duration, clients, reportDir for its HTML report); fails the step unless the verdict is PASS.',
    mutates: true,
    build: (dependencies) => async (args, context) => {
      const operation = 'chaos.drill';
      const { sandbox, stateDir } = dependencies.opened;
      if (sandbox === undefined) {
        throw new UnsupportedOperationError(
          'DRILL_NEEDS_SANDBOX',
          'chaos drills inject faults into sandbox processes: run the runbook with --sandbox NAME',
          { actions: ['quorumctl sandbox up NAME --netns (partitions need network namespaces)'] },
        );
      }
      const scenario = await builtInScenario(requiredString(operation, args, 'scenario'));
      const durationMs = durationArg(operation, args, 'duration');
      const clients = numberArg(operation, args, 'clients');
      const { report, history } = await runSandboxDrill({
        stateDir,
        sandbox: sandbox.name,
        scenario,
        progress: context.progress,
        ...(durationMs !== undefined && { durationMs }),
        ...(clients !== undefined && { clients }),
      });
      const reportDir = stringArg(operation, args, 'reportDir');
      let html = '';
      if (reportDir !== undefined) {
        await mkdir(reportDir, { recursive: true });
        html = join(reportDir, `${context.runId}-${scenario.name}.html`);
        await writeFile(html, renderDrillHtml(report, history));
      }
      if (report.verdict !== 'PASS') {
        throw new PartialFailureError(
          'DRILL_NOT_PASSED',
          `drill ${scenario.name}: ${report.verdict}${report.reasons.length === 0 ? '' : ` (${report.reasons.join('; ')})`}`,
          {
            actions: [
              html === '' ? 'rerun it with quorumctl chaos drill --html FILE' : `see ${html}`,
            ],
          },
        );
      }
      return {
        verdict: report.verdict,
        timeToNewLeaderMs: Math.round(report.timeToNewLeaderMs ?? -1),
        lostWrites: report.lostWrites.length,
        checker: report.checker.verdict,
        ...(html !== '' && { report: html }),
      };
    },
  },
];
