import { Args } from '@oclif/core';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { parseParamFlags, resolveParameters } from '../../../core/runbook/params.js';
import { QuorumctlCommand } from '../../base-command.js';
import { membershipTargetFlags } from '../../membership-target.js';
import { renderRunRecord } from '../../render/runbook.js';
import {
  executeRunbook,
  executionFlags,
  loadRunbookArgument,
  paramFlag,
} from '../../runbook-support.js';

export default class RunbookRun extends QuorumctlCommand {
  static override summary =
    'Run a runbook against a cluster, journaling every step so it can be resumed.';
  static override description = `Each step's gates (require:) are checked against the cluster right before it runs; then the step runs and the journal is written. A failed gate, a failed step, Ctrl-C or a crash stops the run and leaves the journal: quorumctl runbook resume continues at the first step that is not done, re-checking its gate first. Operations detect work already done (a member already added, an alarm already disarmed), so a step that was running when the process died is safe to run again.

Progress is shown live on a terminal and as plain lines otherwise; -o json prints the run record. Without a terminal, confirm: steps need --yes; shell: steps always need --allow-shell.

EXIT CODES (by outcome)
  0    every step done
  2    bad runbook, parameter or flag; a confirmation was missing
  4    a gate was not met (nothing unsafe was attempted)
  5    a step failed
  130  interrupted
  (a step that fails with its own typed error ends with that error's code, e.g. 3 unreachable)

${EXIT_CODE_HELP}`;
  static override examples = [
    {
      description: 'Rolling defrag of the current context, from cron',
      command:
        '<%= config.bin %> runbook run rolling-defrag --yes --junit /var/log/qctl/defrag.xml',
    },
    {
      description: 'Replace a member of a sandbox',
      command:
        '<%= config.bin %> runbook run replace-member --cluster sandbox-demo -p member=n2 --yes',
    },
  ];
  static override args = {
    runbook: Args.string({
      required: true,
      description: 'A built-in runbook name or a YAML file.',
    }),
  };
  static override flags = {
    ...membershipTargetFlags,
    ...paramFlag,
    ...executionFlags,
  };
  protected readonly outputKind = 'RunbookRun' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RunbookRun);
    const runbook = await loadRunbookArgument(args.runbook);
    const params = resolveParameters(runbook, parseParamFlags(flags.param));
    const format = this.outputFormat(flags);
    const result = await executeRunbook({
      runbook,
      params,
      flags,
      format,
      toolVersion: this.config.version,
    });
    await this.emit(
      format,
      result,
      ({ record, stop }) => renderRunRecord(record, stop?.message),
      result.stop?.exitCode ?? 0,
    );
  }
}
