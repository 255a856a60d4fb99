import { Flags } from '@oclif/core';
import { requireCapability } from '../../../core/capabilities.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { planAddMember } from '../../../core/maintenance/membership-plan.js';
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

export default class MembersAdd extends MaintenanceCommand {
  static override summary =
    'Add a member safely: etcd as a learner, caught up, then promoted; one change at a time.';
  static override description = `Plans the change first (steps with the quorum before and after each), asks for confirmation (--yes without a terminal), takes a safety backup (unless --no-backup), then executes step by step, re-checking the quorum guard on fresh status before every configuration change. A change that would leave fewer healthy voters than the majority of the new configuration is refused (exit 4) with the arithmetic. Every run leaves an audit record in the state directory.

etcd: the member is added as a LEARNER (non-voting) by default, its process is started (--sandbox: by quorumctl; otherwise quorumctl prints the exact etcd flags, --initial-cluster-state existing and --initial-cluster, and waits until the member answers), then quorumctl shows catch-up as a percentage of the leader's raft index with an ETA and promotes it once it is in sync (etcd refuses earlier promotions; quorumctl retries with backoff). If catch-up does not finish within --catch-up-timeout, --on-timeout remove takes the learner out again (the cluster is as before), --on-timeout leave keeps it for a later "members promote". --no-promote stops after catch-up. --role voter adds a voter directly (it counts before it has started: not recommended).

ZooKeeper (dynamic reconfig: --role voter or observer, --id) and KRaft (AddRaftVoter: --id, --directory-id) start the member first and add it afterwards; NATS servers join by starting and cannot be added through an API. See docs/maintenance-members.md.

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'Grow a sandbox by one etcd member (learner, caught up, promoted)',
      command: '<%= config.bin %> members add --sandbox demo --yes',
    },
    {
      description: 'The plan only',
      command:
        '<%= config.bin %> members add --name etcd-4 --peer-urls https://10.0.0.4:2380 --dry-run',
    },
    {
      description: 'A real etcd cluster: quorumctl prints the flags to start etcd-4 with and waits',
      command:
        '<%= config.bin %> members add -c prod --name etcd-4 --peer-urls https://10.0.0.4:2380 --client-urls https://10.0.0.4:2379 --catch-up-timeout 10m',
    },
    {
      description: 'A ZooKeeper observer',
      command:
        '<%= config.bin %> members add -e zookeeper://10.0.0.5:2181 --name zk4 --id 4 --role observer --peer-urls 10.0.0.8:2888:3888 --client-urls 10.0.0.8:2181',
    },
  ];

  static override flags = {
    ...membershipTargetFlags,
    ...mutationFlags,
    ...joiningFlags,
    role: Flags.option({
      options: ['voter', 'learner', 'observer'] as const,
      description:
        'How the member joins (default: etcd learner, ZooKeeper and KRaft voter). observer: ZooKeeper only.',
      helpGroup: 'MEMBER',
    })(),
    'no-promote': Flags.boolean({
      description: 'etcd: leave the member a learner once it has caught up.',
      helpGroup: 'MEMBER',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(MembersAdd);
    await withMembershipTarget(flags, async (opened) => {
      const { adapter } = opened;
      requireCapability(adapter, 'membership');
      const status = await adapter.status();
      const name = joiningName(flags.name, opened, status);
      requireJoiningAddresses(flags, opened);
      const plan = planAddMember(status, {
        name,
        ...(flags.role !== undefined && { role: flags.role }),
        promote: !flags['no-promote'],
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
