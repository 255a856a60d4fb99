import { Args } from '@oclif/core';
import { describeCause } from '../../../core/errors.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import type { ClusterAdapter } from '../../../core/ports.js';
import { factsFromStatus, withCheckFacts } from '../../../core/runbook/facts.js';
import { evaluateGates, needsCheck, type GateFacts } from '../../../core/runbook/gates.js';
import type { ParameterValue, Runbook } from '../../../core/runbook/model.js';
import { parseParamFlags, resolveParameters } from '../../../core/runbook/params.js';
import { renderArgsForPlan } from '../../../core/runbook/template.js';
import { SILENT_PROGRESS } from '../../../core/progress.js';
import { runCheck } from '../../../ops/check.js';
import type { OperationRegistry } from '../../../runbooks/engine/operations.js';
import { QuorumctlCommand } from '../../base-command.js';
import { membershipTargetFlags, withMembershipTarget } from '../../membership-target.js';
import {
  gateView,
  renderRunbookPlan,
  type PlannedStep,
  type RunbookPlanView,
} from '../../render/runbook.js';
import { buildRunbookOperations } from '../../runbook-operations.js';
import { assertApplies, loadRunbookArgument, paramFlag } from '../../runbook-support.js';

export default class RunbookPlan extends QuorumctlCommand {
  static override summary = 'Show what a runbook would do to a cluster, changing nothing.';
  static override description = `Resolves the parameters, reads the cluster, and lists every step with its arguments, whether each gate holds now, and for steps that change the cluster their own plan: the quorum before and after each change. A step whose plan depends on earlier steps (a member added by a previous step) says so. Nothing is changed and nothing is journaled.

${EXIT_CODE_HELP}`;
  static override examples = [
    {
      description: 'Preview a rolling defrag',
      command: '<%= config.bin %> runbook plan rolling-defrag',
    },
    {
      description: 'Preview a member replacement as JSON',
      command: '<%= config.bin %> runbook plan replace-member -c prod -p member=n2 -o json',
    },
  ];
  static override args = {
    runbook: Args.string({
      required: true,
      description: 'A built-in runbook name or a YAML file.',
    }),
  };
  static override flags = { ...membershipTargetFlags, ...paramFlag };
  protected readonly outputKind = 'RunbookPlan' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RunbookPlan);
    const runbook = await loadRunbookArgument(args.runbook);
    const params = resolveParameters(runbook, parseParamFlags(flags.param));
    await withMembershipTarget(flags, async (opened) => {
      assertApplies(runbook, opened.target);
      const registry = buildRunbookOperations({ opened, toolVersion: this.config.version });
      const view = await planView(runbook, params, opened.target.name, opened.adapter, registry);
      await this.emit(this.outputFormat(flags), view, renderRunbookPlan);
    });
  }
}

async function planView(
  runbook: Runbook,
  params: Record<string, ParameterValue>,
  cluster: string,
  adapter: ClusterAdapter,
  registry: OperationRegistry,
): Promise<RunbookPlanView> {
  const status = await adapter.status();
  let facts: GateFacts = factsFromStatus(status);
  if (runbook.steps.some((step) => needsCheck(step.gates))) {
    facts = withCheckFacts(facts, await runCheck(adapter, { windowMs: 0, failOn: 'critical' }));
  }
  const context = {
    cluster,
    kind: status.kind,
    adapter,
    signal: new AbortController().signal,
    progress: SILENT_PROGRESS,
    runId: 'plan',
  };
  const steps: PlannedStep[] = [];
  for (const step of runbook.steps) {
    const planned: PlannedStep = {
      id: step.id,
      name: step.name,
      does: step.type === 'operation' ? `run ${step.operation}` : step.type,
      mutates: false,
      gatesNow: gateView(evaluateGates(step.gates, facts)),
    };
    if (step.type === 'confirm') planned.does = `confirm "${step.text}"`;
    if (step.type === 'shell') planned.does = `shell \`${step.command}\` (needs --allow-shell)`;
    if (step.type === 'operation') {
      const operation = registry.get(step.operation);
      const stepArgs = renderArgsForPlan(step.args, { cluster, params }) as Record<string, unknown>;
      planned.args = stepArgs;
      planned.mutates = operation?.mutates ?? false;
      if (operation?.plan !== undefined) {
        if (JSON.stringify(stepArgs).includes('{{ steps.')) {
          planned.planNote = 'depends on the outputs of earlier steps; planned when it runs';
        } else {
          try {
            planned.maintenancePlan = await operation.plan(stepArgs, context);
          } catch (error) {
            planned.planNote = `would be refused now: ${describeCause(error)}`;
          }
        }
      }
    }
    steps.push(planned);
  }
  return { runbook: runbook.name, cluster, params, steps };
}
