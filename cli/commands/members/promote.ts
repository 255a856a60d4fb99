import { Args } from '@oclif/core';
import { requireCapability } from '../../../core/capabilities.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { planPromoteMember } from '../../../core/maintenance/membership-plan.js';
import { executeMembershipPlan } from '../../../ops/maintenance/members.js';
import { MaintenanceCommand } from '../../maintenance-command.js';
import { joiningFlags, joiningLimits, provisionerFor } from '../../joining-member.js';
import { membershipTargetFlags, withMembershipTarget } from '../../membership-target.js';
import { mutationFlags } from '../../mutation.js';

export default class MembersPromote extends MaintenanceCommand {
  static override summary = 'Promote a learner to voter once it has caught up (etcd).';
  static override description = `Waits until the learner has caught up with the leader's log (progress as a percentage of the leader's raft index, with an ETA), then promotes it, retrying with backoff while etcd answers "can only promote a learner member which is in sync with leader". The quorum guard is checked on fresh status right before the promotion. If it does not catch up within --catch-up-timeout, --on-timeout remove takes the learner out (the cluster is as before) and --on-timeout leave keeps it.

Use it after "members add --no-promote", or for a learner whose earlier promotion timed out.

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'Promote learner n4 of a sandbox',
      command: '<%= config.bin %> members promote n4 --sandbox demo --yes',
    },
    {
      description: 'Give it 10 minutes and keep it a learner if it is still behind',
      command:
        '<%= config.bin %> members promote etcd-4 -c prod --catch-up-timeout 10m --on-timeout leave',
    },
  ];

  static override args = {
    member: Args.string({ description: 'The learner (name or ID).', required: true }),
  };

  static override flags = {
    ...membershipTargetFlags,
    ...mutationFlags,
    'catch-up-timeout': joiningFlags['catch-up-timeout'],
    'on-timeout': joiningFlags['on-timeout'],
    'start-timeout': joiningFlags['start-timeout'],
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MembersPromote);
    await withMembershipTarget(flags, async (opened) => {
      const { adapter } = opened;
      requireCapability(adapter, 'membership');
      const plan = planPromoteMember(await adapter.status(), {
        name: args.member,
        cluster: opened.target.name,
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
            ...joiningLimits(flags),
          }),
      });
    });
  }
}
