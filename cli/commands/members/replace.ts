import { Args } from '@oclif/core';
import { requireCapability } from '../../../core/capabilities.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { planReplaceMember } from '../../../core/maintenance/membership-plan.js';
import { MaintenanceCommand } from '../../maintenance-command.js';
import {
  canTransferLeader,
  membershipTargetFlags,
  withMembershipTarget,
} from '../../membership-target.js';
import {
  joiningExecution,
  joiningFlags,
  joiningName,
  requireJoiningAddresses,
} from '../../joining-member.js';
import { mutationFlags } from '../../mutation.js';

export default class MembersReplace extends MaintenanceCommand {
  static override summary =
    'Replace a member: add the new one (caught up, promoted), then remove the old one.';
  static override description = `One change at a time, the quorum guard on fresh status before each: etcd adds the new member as a learner, starts it, waits until it has caught up (percentage of the leader's index, ETA), promotes it, then removes the old member (moving leadership away first if the old member leads) and stops it. The cluster never has fewer healthy voters than when the replacement began: a 3-member cluster goes 3 -> 3 (+1 learner) -> 4 -> 3 voters.

ZooKeeper: the new server starts and is added through dynamic reconfig, then the old one is removed; every server must report the same configuration version after each change.

With --sandbox, quorumctl starts the new member on free ports and stops the old one. Otherwise pass --name and --peer-urls; quorumctl prints how to start the new member and waits until it answers. The catch-up policy is that of "members add" (--catch-up-timeout, --on-timeout).

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'Replace n2 of a sandbox by a new member (n4)',
      command: '<%= config.bin %> members replace n2 --sandbox demo --yes',
    },
    {
      description: 'Replace a failed etcd member on a new host',
      command:
        '<%= config.bin %> members replace etcd-2 -c prod --name etcd-5 --peer-urls https://10.0.0.5:2380 --client-urls https://10.0.0.5:2379',
    },
    {
      description: 'The plan with the quorum after every step, as JSON',
      command: '<%= config.bin %> members replace n2 --sandbox demo --dry-run -o json',
    },
  ];

  static override args = {
    member: Args.string({ description: 'The member to replace (name or ID).', required: true }),
  };

  static override flags = { ...membershipTargetFlags, ...mutationFlags, ...joiningFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MembersReplace);
    await withMembershipTarget(flags, async (opened) => {
      const { adapter } = opened;
      requireCapability(adapter, 'membership');
      const status = await adapter.status();
      const name = joiningName(flags.name, opened, status);
      requireJoiningAddresses(flags, opened);
      const plan = planReplaceMember(status, {
        old: args.member,
        name,
        cluster: opened.target.name,
        canTransferLeader: canTransferLeader(adapter),
      });
      await this.applyPlan({
        plan,
        flags,
        opened,
        execute: joiningExecution(opened, plan, name, flags),
      });
    });
  }
}
