import { Args } from '@oclif/core';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { locateInventory } from '../../../ops/inventory-location.js';
import { deleteCluster } from '../../../ops/inventory.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';

export default class ConfigRemoveCluster extends QuorumctlCommand {
  static override summary =
    'Remove a cluster from the inventory (the cluster itself is not touched).';
  static override description = EXIT_CODE_HELP;
  static override examples = ['<%= config.bin %> config remove-cluster old-staging'];
  static override args = { name: Args.string({ required: true, description: 'Cluster name.' }) };
  static override flags = { ...outputFlags, ...globalFlags };
  protected readonly outputKind = 'Inventory' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ConfigRemoveCluster);
    const view = await deleteCluster(locateInventory(flags.config), args.name);
    await this.emit(
      this.outputFormat(flags),
      view,
      () => `removed cluster "${args.name}" from ${view.path}\n`,
    );
  }
}
