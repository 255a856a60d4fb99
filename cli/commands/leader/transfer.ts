import { Flags } from '@oclif/core';
import { requireCapability } from '../../../core/capabilities.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import {
  leaderTransferMethod,
  leaderTransferUnsupported,
  planLeaderTransfer,
} from '../../../core/maintenance/leader-plan.js';
import { executeLeaderPlan } from '../../../ops/maintenance/leader.js';
import { MaintenanceCommand } from '../../maintenance-command.js';
import { leaderOf, membershipTargetFlags, withMembershipTarget } from '../../membership-target.js';
import { mutationFlags } from '../../mutation.js';

export default class LeaderTransfer extends MaintenanceCommand {
  static override summary = 'Move leadership to another member (etcd move-leader, NATS step-down).';
  static override description = `etcd: the leader hands over to --to MEMBER (a healthy voter), or without --to to the most caught-up healthy follower; quorumctl then polls status until the new leader is seen.

NATS: the JetStream meta leader steps down (or, with --group STREAM, the stream's leader); --to is passed as the preferred successor where the server supports placement, and the report says who leads afterwards.

ZooKeeper and KRaft have no leader transfer: the command exits 2 (LEADER_TRANSFER_UNSUPPORTED) and lists the restart-based procedure (restart the leader; the others elect a successor you cannot choose) with the quorum check to run first.

Like every mutating command: --dry-run shows the plan, --yes is required without a terminal, a safety backup is taken unless --no-backup, and the run is recorded in the audit log.

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'Make n3 the leader of a sandbox',
      command: '<%= config.bin %> leader transfer --to n3 --sandbox demo --yes --no-backup',
    },
    {
      description: 'Let quorumctl pick the most caught-up follower',
      command: '<%= config.bin %> leader transfer -c prod',
    },
    {
      description: 'Step down the leader of the ORDERS stream (NATS)',
      command: '<%= config.bin %> leader transfer -e nats://10.0.0.9:8222 --group ORDERS --yes',
    },
  ];

  static override flags = {
    ...membershipTargetFlags,
    ...mutationFlags,
    to: Flags.string({ description: 'The member to lead next (name or ID).', helpGroup: 'LEADER' }),
    group: Flags.string({
      description: 'NATS: the stream whose leader steps down (default: the meta group).',
      helpGroup: 'LEADER',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(LeaderTransfer);
    await withMembershipTarget(flags, async (opened) => {
      const { adapter } = opened;
      const status = await adapter.status();
      const plan = planLeaderTransfer(status, {
        cluster: opened.target.name,
        ...(flags.to !== undefined && { to: flags.to }),
        ...(flags.group !== undefined && { group: flags.group }),
      });
      if (leaderTransferMethod(status.kind) === 'none') {
        throw leaderTransferUnsupported(plan, leaderOf(status));
      }
      requireCapability(adapter, 'transferLeader');
      await this.applyPlan({
        plan,
        flags,
        opened,
        execute: (progress, signal) =>
          executeLeaderPlan({
            adapter,
            plan,
            request: {
              ...(flags.to !== undefined && { to: flags.to }),
              ...(flags.group !== undefined && { group: flags.group }),
            },
            progress,
            signal,
          }),
      });
    });
  }
}
