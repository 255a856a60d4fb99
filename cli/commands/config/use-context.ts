import { Args } from '@oclif/core';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { locateInventory } from '../../../ops/inventory-location.js';
import { switchContext } from '../../../ops/inventory.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';

export default class ConfigUseContext extends QuorumctlCommand {
  static override summary =
    'Make a cluster the current context (the default target of every command).';
  static override description = EXIT_CODE_HELP;
  static override examples = ['<%= config.bin %> config use-context prod-etcd'];
  static override args = {
    name: Args.string({ required: true, description: 'Cluster name from the inventory.' }),
  };
  static override flags = { ...outputFlags, ...globalFlags };
  protected readonly outputKind = 'Inventory' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(ConfigUseContext);
    const view = await switchContext(locateInventory(flags.config), args.name);
    await this.emit(
      this.outputFormat(flags),
      view,
      () => `current context is now "${args.name}"\n`,
    );
  }
}
