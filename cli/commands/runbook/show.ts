import { Args } from '@oclif/core';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { renderRunbook } from '../../render/runbook.js';
import { loadRunbookArgument } from '../../runbook-support.js';

export default class RunbookShow extends QuorumctlCommand {
  static override summary = 'Show a runbook: parameters, steps, gates and failure policy.';
  static override description = `Reads and validates a runbook without contacting any cluster. A malformed file is reported with its file, line and column.

RUNBOOK FORMAT (YAML)
  name, description, kinds: [etcd]        what it is and what it applies to
  parameters: [{name, type, default, description}]   string | number | boolean | duration
  steps:
    - id: take-backup                     unique, lower-case-with-dashes (the journal key)
      name: Take a backup                  for people
      require: [health == ok, quorumMargin >= 1]   gates, checked before the step (and on resume)
      run: backup.create                  an operation: quorumctl runbook list --operations
      with: { dest: "{{ params.dest }}" } arguments; {{ params.X }}, {{ cluster }}, {{ steps.ID.KEY }}
    - id: go
      confirm: "Proceed?"                 pauses for the operator; needs --yes without a terminal
    - id: custom
      shell: "systemctl status etcd"      only with --allow-shell
  onFailure: stop | cleanup              cleanup runs the steps under cleanup:, then stops

GATE FACTS
  health (ok|degraded|critical), hasLeader, quorumMargin, voters, healthyVoters, learners,
  maxLagEntries, alarms, criticalFindings (runs a check)

${EXIT_CODE_HELP}`;
  static override examples = [
    { description: 'A built-in runbook', command: '<%= config.bin %> runbook show rolling-defrag' },
    {
      description: 'Validate your own',
      command: '<%= config.bin %> runbook show ./my-runbook.yaml',
    },
  ];
  static override args = {
    runbook: Args.string({
      required: true,
      description: 'A built-in runbook name or a YAML file.',
    }),
  };
  static override flags = { ...outputFlags, ...globalFlags };
  protected readonly outputKind = 'Runbook' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RunbookShow);
    await this.emit(
      this.outputFormat(flags),
      await loadRunbookArgument(args.runbook),
      renderRunbook,
    );
  }
}
