import { Flags } from '@oclif/core';
import { requireCapability } from '../../../core/capabilities.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import {
  leaderTransferUnsupported,
  planLeaderEvacuate,
} from '../../../core/maintenance/leader-plan.js';
import { executeLeaderPlan } from '../../../ops/maintenance/leader.js';
import { MaintenanceCommand } from '../../maintenance-command.js';
import { leaderOf, membershipTargetFlags, withMembershipTarget } from '../../membership-target.js';
import { mutationFlags } from '../../mutation.js';

export default class LeaderEvacuate extends MaintenanceCommand {
  static override summary = 'Move leadership off a member before maintenance on it.';
  static override description = `If --from MEMBER leads, leadership moves to the most caught-up healthy voter (etcd move-leader; NATS: the meta leader steps down, repeated up to 3 times if it is elected again); quorumctl waits until status shows another leader. If it does not lead, nothing changes (exit 0).

ZooKeeper and KRaft have no leader transfer: when MEMBER leads, the command exits 2 and lists the restart-based procedure.

Use it before restarting, upgrading or defragmenting a member. Like every mutating command: --dry-run, --yes without a terminal, a safety backup unless --no-backup, an audit record.

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'Before maintenance on n1',
      command: '<%= config.bin %> leader evacuate --from n1 -c prod',
    },
    {
      description: 'In a script',
      command:
        '<%= config.bin %> leader evacuate --from n2 --sandbox demo --yes --no-backup -o json',
    },
  ];

  static override flags = {
    ...membershipTargetFlags,
    ...mutationFlags,
    from: Flags.string({
      description: 'The member leadership must leave (name or ID).',
      required: true,
      helpGroup: 'LEADER',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(LeaderEvacuate);
    await withMembershipTarget(flags, async (opened) => {
      const { adapter } = opened;
      const status = await adapter.status();
      const plan = planLeaderEvacuate(status, { from: flags.from, cluster: opened.target.name });
      if (plan.risks.some((risk) => risk.code === 'NO_LEADER_TRANSFER')) {
        throw leaderTransferUnsupported(plan, leaderOf(status));
      }
      requireCapability(adapter, 'transferLeader');
      await this.applyPlan({
        plan,
        flags,
        opened,
        execute: (progress, signal) => executeLeaderPlan({ adapter, plan, progress, signal }),
      });
    });
  }
}
