import { Flags } from '@oclif/core';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { loadLibrary } from '../../../runbooks/engine/library.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { renderOperationCatalog, renderRunbookList } from '../../render/runbook.js';
import { operationCatalog, runbookOperationNames } from '../../runbook-operations.js';

export default class RunbookList extends QuorumctlCommand {
  static override summary = 'List the built-in runbooks.';
  static override description = `The library of scripted procedures shipped with quorumctl (runbooks/library/*.yaml): each composes quorumctl operations with gates, confirmations and a failure policy, and every run is journaled so it can be resumed. Your own runbooks are YAML files in the same format: pass their path wherever a runbook name is accepted.

${EXIT_CODE_HELP}`;
  static override examples = [
    { description: 'The library', command: '<%= config.bin %> runbook list' },
    { description: 'As JSON', command: '<%= config.bin %> runbook list -o json' },
    {
      description: 'The operations a step may run',
      command: '<%= config.bin %> runbook list --operations',
    },
  ];
  static override flags = {
    ...outputFlags,
    ...globalFlags,
    operations: Flags.boolean({
      description: 'List the operations steps can call (`run:`), with their arguments.',
    }),
  };
  protected readonly outputKind = 'RunbookList' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(RunbookList);
    if (flags.operations) {
      await this.emit(this.outputFormat(flags), operationCatalog(), renderOperationCatalog);
      return;
    }
    const runbooks = await loadLibrary(runbookOperationNames());
    await this.emit(this.outputFormat(flags), runbooks, renderRunbookList);
  }
}
