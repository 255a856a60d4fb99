import { Args } from '@oclif/core';
import { requireCapability } from '../../../core/capabilities.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { planRemoveMember } from '../../../core/maintenance/membership-plan.js';
import { executeMembershipPlan } from '../../../ops/maintenance/members.js';
import { MaintenanceCommand } from '../../maintenance-command.js';
import {
  canTransferLeader,
  membershipTargetFlags,
  withMembershipTarget,
} from '../../membership-target.js';
import { provisionerFor } from '../../joining-member.js';
import { mutationFlags } from '../../mutation.js';

export default class MembersRemove extends MaintenanceCommand {
  static override summary = 'Remove a member, refused when it would cost quorum.';
  static override description = `Refused (exit 4) when the removal would leave fewer healthy voters than the majority of the new configuration, with the arithmetic: "removing n2 leaves 1 of 2 healthy voters; majority of 2 is 2". Removing the member that is down is usually what you want; removing a healthy one while another is down is what loses quorum.

The guard is checked when planning and again on fresh status right before the change. When the member leads and the system can move leadership (etcd), leadership moves to the most caught-up healthy voter first. With --sandbox, the removed member's process is stopped and dropped from the sandbox; otherwise quorumctl says which process to stop (etcd members exit by themselves once removed).

Also removes a learner that never caught up, or an etcd member that was added but never started (by its ID). NATS: removes an offline server from the JetStream meta group (peer remove).

Without a terminal, --yes is required (exit 2 CONFIRMATION_REQUIRED otherwise, nothing changed). A safety backup is taken first unless --no-backup; the run is recorded in the audit log.

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'Remove the member that died',
      command: '<%= config.bin %> members remove n3 -c prod',
    },
    {
      description: 'What would happen (quorum before and after)',
      command: '<%= config.bin %> members remove n2 --sandbox demo --dry-run',
    },
    {
      description: 'An etcd member added but never started, by its ID',
      command: '<%= config.bin %> members remove 8e9e05c52164694d -e etcd://10.0.0.1:2379 --yes',
    },
  ];

  static override args = {
    member: Args.string({ description: 'The member to remove (name or ID).', required: true }),
  };

  static override flags = { ...membershipTargetFlags, ...mutationFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MembersRemove);
    await withMembershipTarget(flags, async (opened) => {
      const { adapter } = opened;
      requireCapability(adapter, 'membership');
      const plan = planRemoveMember(await adapter.status(), {
        name: args.member,
        cluster: opened.target.name,
        canTransferLeader: canTransferLeader(adapter),
      });
      await this.applyPlan({
        plan,
        flags,
        opened,
        execute: (progress, signal) =>
          executeMembershipPlan({
            adapter,
            plan,
            provisioner: provisionerFor(opened),
            progress,
            signal,
            catchUp: { timeoutMs: 0, onTimeout: 'leave' },
          }),
      });
    });
  }
}
