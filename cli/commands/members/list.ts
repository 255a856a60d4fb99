import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { QuorumctlCommand } from '../../base-command.js';
import { memberListOf, renderMemberList } from '../../render/members.js';
import { membershipTargetFlags, withMembershipTarget } from '../../membership-target.js';

export default class MembersList extends QuorumctlCommand {
  static override summary = 'List the members with their role, vote, health and catch-up.';
  static override description = `One row per member: name, ID (etcd's uint64 IDs as decimal strings), role (leader, follower, learner, observer), whether it votes, whether it answers, its endpoint, its raft index and lag behind the leader, and for learners how far they have caught up as a percentage of the leader's index. The header line gives the leader and the quorum: healthy voters, majority and fault tolerance.

Works for every kind quorumctl reads status from; members added but never started (etcd) show as "(unstarted)" with their ID.

${EXIT_CODE_HELP}`;

  static override examples = [
    { description: 'Members of the current context', command: '<%= config.bin %> members list' },
    {
      description: 'A sandbox, as JSON',
      command: '<%= config.bin %> members list --sandbox demo -o json',
    },
    {
      description: 'An ad-hoc etcd cluster',
      command: '<%= config.bin %> members list -e etcd://10.0.0.1:2379',
    },
  ];

  static override flags = { ...membershipTargetFlags };

  protected readonly outputKind = 'MemberList' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(MembersList);
    const list = await withMembershipTarget(flags, async ({ adapter }) =>
      memberListOf(await adapter.status()),
    );
    await this.emit(this.outputFormat(flags), list, renderMemberList);
  }
}
