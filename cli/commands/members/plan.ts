import { Args } from '@oclif/core';
import { UsageError } from '../../../core/errors.js';
import { EXIT_CODE_HELP, ExitCode } from '../../../core/exit-codes.js';
import {
  parseSimulatedChange,
  simulateChanges,
} from '../../../core/maintenance/membership-plan.js';
import { QuorumctlCommand } from '../../base-command.js';
import { membershipTargetFlags, withMembershipTarget } from '../../membership-target.js';
import { renderPlan } from '../../render/plan.js';

export default class MembersPlan extends QuorumctlCommand {
  static override summary =
    'What if: quorum and fault tolerance before and after each membership change.';
  static override description = `Applies the changes to the cluster as it is now, in order, and shows for every step the voters, healthy voters, majority and fault tolerance before and after. Nothing is changed. Steps that would leave fewer healthy voters than a majority are reported as critical QUORUM_LOST risks (exit 4); even voter counts and more than 7 voters are warnings.

CHANGES
  add:NAME           join with the kind's default role (etcd: learner; others: voter)
  add-voter:NAME     etcd: a voter counts from the moment it is added, before it runs (use up:NAME once it runs)
  add-learner:NAME   a non-voting member (etcd learner)
  add-observer:NAME  a non-voting member (ZooKeeper observer)
  promote:NAME       a learner starts voting
  remove:NAME        leaves the configuration
  down:NAME          stops answering (crash, restart, maintenance)
  up:NAME            answers again

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'Is it safe to take n3 down for maintenance while n2 is being replaced?',
      command: '<%= config.bin %> members plan add:n4 promote:n4 remove:n2 down:n3',
    },
    {
      description: 'The 2-member trap: removing a healthy member while another is down',
      command: '<%= config.bin %> members plan down:n3 remove:n2 -c prod',
    },
    {
      description: 'As JSON (a MaintenancePlan with risks)',
      command: '<%= config.bin %> members plan add-voter:n4 add-voter:n5 -o json',
    },
  ];

  static override strict = false;

  static override args = {
    changes: Args.string({
      description: 'Changes in order, e.g. add:n4 promote:n4 remove:n2 down:n3.',
      required: true,
    }),
  };

  static override flags = { ...membershipTargetFlags };

  protected readonly outputKind = 'MaintenancePlan' as const;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(MembersPlan);
    const changes = (argv as string[]).map(parseSimulatedChange);
    if (changes.length === 0) throw new UsageError('CHANGES_REQUIRED', 'name at least one change');
    const plan = await withMembershipTarget(flags, async ({ adapter, target }) =>
      simulateChanges(await adapter.status(), changes, { cluster: target.name }),
    );
    const lost = plan.risks.some((risk) => risk.code === 'QUORUM_LOST');
    await this.emit(
      this.outputFormat(flags),
      plan,
      (simulated) =>
        `${renderPlan(simulated)}\n${lost ? 'Quorum would be lost: see the critical risks.' : 'Quorum holds at every step.'}\n`,
      lost ? ExitCode.unsafe : ExitCode.ok,
    );
  }
}
