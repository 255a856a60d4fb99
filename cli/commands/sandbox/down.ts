import { Args, Flags } from '@oclif/core';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { locateInventory } from '../../../ops/inventory-location.js';
import { forgetCluster } from '../../../ops/inventory.js';
import { defaultStateDir, sandboxDown } from '../../../sandbox/index.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { sandboxContextName, stateDirFlag } from '../../sandbox-flags.js';

export default class SandboxDown extends QuorumctlCommand {
  static override summary = 'Stop a sandbox, delete its data and remove its inventory context.';
  static override description = `Sends SIGTERM, then SIGKILL after the grace period. etcd is stopped followers first, then the leader (stopped together, an etcd leader waits seconds for peers that are already going).

${EXIT_CODE_HELP}`;

  static override examples = [
    '<%= config.bin %> sandbox down',
    '<%= config.bin %> sandbox down demo --keep-data',
  ];
  static override args = { name: Args.string({ default: 'local', description: 'Sandbox name.' }) };
  static override flags = {
    ...outputFlags,
    ...globalFlags,
    ...stateDirFlag,
    'keep-data': Flags.boolean({ description: 'Keep data and logs under the state directory.' }),
    grace: Flags.integer({
      description: 'Milliseconds to wait after SIGTERM before SIGKILL.',
      default: 3000,
    }),
  };

  protected readonly outputKind = 'Sandbox' as const;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SandboxDown);
    const record = await sandboxDown(flags['state-dir'] ?? defaultStateDir(), args.name, {
      graceMs: flags.grace,
      keepData: flags['keep-data'],
    });
    const context = sandboxContextName(record.name);
    if (await forgetCluster(locateInventory(flags.config), context))
      process.stderr.write(`removed context "${context}"\n`);
    await this.emit(
      this.outputFormat(flags),
      record,
      () => `sandbox "${record.name}" stopped (${record.members.length} members)\n`,
    );
  }
}
