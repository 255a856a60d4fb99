import { Args } from '@oclif/core';
import { UsageError } from '../../../core/errors.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { QuorumctlCommand } from '../../base-command.js';
import { membershipTargetFlags } from '../../membership-target.js';
import { renderRunRecord } from '../../render/runbook.js';
import { isBuiltIn } from '../../../runbooks/engine/library.js';
import {
  executeRunbook,
  executionFlags,
  journalStore,
  loadRunbookArgument,
} from '../../runbook-support.js';

export default class RunbookResume extends QuorumctlCommand {
  static override summary = 'Continue a runbook run that stopped, at the first step not done.';
  static override description = `Reloads the runbook the run was started from (refusing if its steps changed), the parameters it was started with and the outputs of the steps already done, then continues at the first step that is not done or skipped, re-checking that step's gates first. Without RUN_ID, the newest unfinished run. The target is the run's cluster (an inventory name) unless target flags are given.

${EXIT_CODE_HELP}`;
  static override examples = [
    {
      description: 'Continue the newest unfinished run',
      command: '<%= config.bin %> runbook resume --yes',
    },
    {
      description: 'Continue a given run',
      command:
        '<%= config.bin %> runbook resume replace-member-20261129T091500Z-1a2b --cluster sandbox-demo --yes',
    },
  ];
  static override args = {
    run: Args.string({
      description: 'The run id (quorumctl runbook history); default the newest unfinished.',
    }),
  };
  static override flags = { ...membershipTargetFlags, ...executionFlags };
  protected readonly outputKind = 'RunbookRun' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(RunbookResume);
    const store = journalStore();
    const record =
      args.run === undefined ? await store.latestUnfinished() : await store.load(args.run);
    if (record === undefined) {
      throw new UsageError('NOTHING_TO_RESUME', 'no unfinished runbook run', {
        actions: ['quorumctl runbook history lists past runs'],
      });
    }
    if (record.status === 'succeeded') {
      throw new UsageError(
        'RUN_FINISHED',
        `run ${record.runId} already succeeded; nothing to resume`,
      );
    }
    const explicitTarget = flags.cluster !== undefined || flags.endpoints !== undefined;
    const format = this.outputFormat(flags);
    const result = await executeRunbook({
      runbook: await loadRunbookArgument(isBuiltIn(record.file) ? record.runbook : record.file),
      params: record.params,
      flags: explicitTarget ? flags : { ...flags, cluster: record.cluster },
      format,
      toolVersion: this.config.version,
      resume: record,
    });
    await this.emit(
      format,
      result,
      ({ record: resumed, stop }) => renderRunRecord(resumed, stop?.message),
      result.stop?.exitCode ?? 0,
    );
  }
}
