import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { locateInventory } from '../../../ops/inventory-location.js';
import { viewInventory } from '../../../ops/inventory.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { renderInventory } from '../../render/inventory.js';

export default class ConfigView extends QuorumctlCommand {
  static override summary = 'Show the inventory: its clusters and the current context.';
  static override description = `The inventory is found via --config, then $QUORUMCTL_CONFIG, then ~/.config/quorumctl/config.yaml. TLS files and password variables are shown by reference only: secrets never live in the file.

${EXIT_CODE_HELP}`;

  static override examples = [
    '<%= config.bin %> config view',
    '<%= config.bin %> config view -o yaml --config ./quorumctl.yaml',
  ];

  static override flags = { ...outputFlags, ...globalFlags };
  protected readonly outputKind = 'Inventory' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(ConfigView);
    const view = await viewInventory(locateInventory(flags.config));
    await this.emit(this.outputFormat(flags), view, renderInventory);
  }
}
