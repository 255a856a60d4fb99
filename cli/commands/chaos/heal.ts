import { Flags } from '@oclif/core';
import { UsageError } from '../../../core/errors.js';
import { EXIT_CODE_HELP, ExitCode } from '../../../core/exit-codes.js';
import { healSelected } from '../../../chaos/kubernetes/heal.js';
import { renderHealReport } from '../../../chaos/faults/render.js';
import { defaultStateDir } from '../../../sandbox/index.js';
import { QuorumctlCommand } from '../../base-command.js';
import { healSelectionOf, kubeApiOpener } from '../../chaos-kubernetes.js';
import { kubeFlags } from '../../kube-flags.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { stateDirFlag } from '../../sandbox-flags.js';

export default class ChaosHeal extends QuorumctlCommand {
  static override summary = 'Undo every recorded fault: partitions, paused and killed members.';
  static override description = `Every fault quorumctl injects is written to the fault journal (STATE-DIR/chaos/faults.json) before it is applied. "chaos heal" undoes each recorded fault, newest first, and removes its record: iptables rules tagged qctl:<fault id> are deleted from the member namespaces, paused members get SIGCONT, killed members are started again and the sandbox waits for a leader.

Faults of clusters in Kubernetes (drills through Chaos Mesh) are healed by deleting their NetworkChaos and PodChaos resources, and any other resource labelled with the fault's id, through the kubeconfig context (and file) that created them; --kube-context and --kubeconfig override that. --cluster NAME heals one such cluster only.

It also heals faults left by a runner that was killed with SIGKILL (a crashed drill or "chaos inject"), and faults of a runner that still runs (it finds them healed). A fault whose undo fails stays recorded and is listed; run the command again once the cause is fixed.

Drills heal on their own at exit, on SIGINT/SIGTERM, and at the start of the next drill.

${EXIT_CODE_HELP}
  In particular: 0 when nothing is left recorded, 5 when a fault could not be healed.`;

  static override examples = [
    {
      description: 'Heal everything recorded for the sandbox "local"',
      command: '<%= config.bin %> chaos heal --sandbox local',
    },
    {
      description: 'Delete the Chaos Mesh resources a killed drill left on a cluster in Kubernetes',
      command: '<%= config.bin %> chaos heal --cluster prod-etcd',
    },
    {
      description: 'Heal every sandbox of the state dir, as JSON',
      command: '<%= config.bin %> chaos heal --all -o json',
    },
  ];

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    ...stateDirFlag,
    sandbox: Flags.string({
      char: 's',
      description: 'Heal the faults of this sandbox only.',
      exclusive: ['all', 'cluster'],
    }),
    cluster: Flags.string({
      char: 'c',
      description: 'Heal the Chaos Mesh faults of this inventory cluster (in Kubernetes) only.',
      exclusive: ['all'],
    }),
    all: Flags.boolean({
      description: 'Heal the faults of every sandbox and cluster (the default).',
    }),
    ...kubeFlags,
  };

  protected readonly outputKind = 'HealReport' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(ChaosHeal);
    if (flags.sandbox !== undefined && flags.sandbox.trim() === '')
      throw new UsageError('USAGE', '--sandbox needs a name', { actions: ['or pass --all'] });
    if (flags.cluster !== undefined && flags.cluster.trim() === '')
      throw new UsageError('USAGE', '--cluster needs a name', { actions: ['or pass --all'] });
    const report = await healSelected(
      flags['state-dir'] ?? defaultStateDir(),
      healSelectionOf(flags),
      kubeApiOpener(flags),
    );
    await this.emit(
      this.outputFormat(flags),
      report,
      renderHealReport,
      report.failed.length === 0 ? ExitCode.ok : ExitCode.partial,
    );
  }
}
