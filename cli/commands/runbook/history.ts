import { Flags } from '@oclif/core';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { renderHistory } from '../../render/runbook.js';
import { journalStore } from '../../runbook-support.js';

export default class RunbookHistory extends QuorumctlCommand {
  static override summary = 'Past runbook runs, newest first: the audit trail.';
  static override description = `Every run leaves a journal in the state directory (<state dir>/runbooks/runs/<run id>.json): who ran what against which cluster, each step's inputs, outputs, timing and outcome. An unfinished run (failed, interrupted or crashed) is continued with quorumctl runbook resume RUN_ID.

${EXIT_CODE_HELP}`;
  static override examples = [
    { description: 'Recent runs', command: '<%= config.bin %> runbook history' },
    {
      description: 'One run in full, as JSON',
      command:
        '<%= config.bin %> runbook history --run rolling-defrag-20261129T091500Z-1a2b -o json',
    },
  ];
  static override flags = {
    ...outputFlags,
    ...globalFlags,
    run: Flags.string({ description: 'Only this run (its full journal with -o json).' }),
    limit: Flags.integer({ default: 20, min: 1, description: 'At most this many runs.' }),
  };
  protected readonly outputKind = 'RunbookHistory' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(RunbookHistory);
    const store = journalStore();
    const records =
      flags.run === undefined
        ? (await store.list()).slice(0, flags.limit)
        : [await store.load(flags.run)];
    await this.emit(this.outputFormat(flags), records, renderHistory);
  }
}
