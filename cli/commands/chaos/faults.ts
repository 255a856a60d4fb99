import { Flags } from '@oclif/core';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { listSelectedFaults } from '../../../chaos/kubernetes/heal.js';
import { renderFaultListing } from '../../../chaos/faults/render.js';
import { defaultStateDir } from '../../../sandbox/index.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { stateDirFlag } from '../../sandbox-flags.js';
import { healSelectionOf } from '../../chaos-kubernetes.js';

export default class ChaosFaults extends QuorumctlCommand {
  static override summary =
    'List the faults recorded in the fault journal (applied, not yet healed).';
  static override description = `Reads STATE-DIR/chaos/faults.json: each fault applied by a drill or "chaos inject" and not yet healed, with its id, scope (a sandbox, or kubernetes/CONTEXT/NAMESPACE/CLUSTER for a drill through Chaos Mesh), what it does, when it was applied and whether the process that applied it still runs. A fault whose owner is gone was left by a crash: "quorumctl chaos heal" undoes it.

The JSON (kind FaultList) carries each record in full, including the undo data (iptables rules and their namespaces, paused PIDs, proxy addresses; for Chaos Mesh the context, kubeconfig and the resources to delete).

${EXIT_CODE_HELP}`;

  static override examples = [
    '<%= config.bin %> chaos faults',
    {
      description: 'One sandbox, with the undo data',
      command: '<%= config.bin %> chaos faults --sandbox chaos -o json',
    },
    {
      description: 'Chaos Mesh faults of a cluster in Kubernetes',
      command: '<%= config.bin %> chaos faults --cluster prod-etcd',
    },
  ];

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    ...stateDirFlag,
    sandbox: Flags.string({
      char: 's',
      description: 'Only the faults of this sandbox.',
      exclusive: ['cluster'],
    }),
    cluster: Flags.string({
      char: 'c',
      description: 'Only the Chaos Mesh faults of this inventory cluster (in Kubernetes).',
    }),
  };

  protected readonly outputKind = 'FaultList' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(ChaosFaults);
    const listing = await listSelectedFaults(
      flags['state-dir'] ?? defaultStateDir(),
      healSelectionOf(flags),
    );
    await this.emit(this.outputFormat(flags), listing, renderFaultListing);
  }
}
