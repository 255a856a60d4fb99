import { Flags } from '@oclif/core';
import { requireCapability } from '../../core/capabilities.js';
import { UsageError } from '../../core/errors.js';
import { EXIT_CODE_HELP } from '../../core/exit-codes.js';
import { planDefrag } from '../../core/maintenance/defrag-plan.js';
import { executeDefragPlan } from '../../ops/maintenance/defrag.js';
import { MaintenanceCommand } from '../maintenance-command.js';
import { defragSettingsFrom, healthGateFlags, parseFragmentedRatio } from '../defrag-support.js';
import { globalFlags, outputFlags, targetFlags } from '../flags.js';
import { withMembershipTarget } from '../membership-target.js';
import { mutationFlags } from '../mutation.js';

export default class Defrag extends MaintenanceCommand {
  static override summary =
    'Defragment etcd members one at a time: followers first, the leader last after leadership moves away.';
  static override description = `A defragment rewrites a member's backend file without its free pages (what compaction and deletes leave behind) and returns the space to the disk. The member serves nothing while it runs: defragmenting the leader stalls every write, including Kubernetes lease renewals, which is why etcdctl defrag --cluster causes outages.

--rolling defragments every member: the followers (and learners) by name, then leadership moves to the most caught-up healthy follower (etcd move-leader), then the former leader. --member defragments one member; if it leads, leadership moves away first.

Before each member quorumctl reads the status again and refuses (exit 4, with the arithmetic) when taking the member out would leave fewer healthy voters than a majority: a 3-member cluster with one member down is refused. A 1-member cluster is allowed with a warning: it serves nothing while it defragments. After each member a health gate must pass: the member answers, the cluster has its healthy voters back, the same leader holds for 3 polls in a row, and no member lags more than --max-lag entries. A gate that does not pass within --gate-timeout stops the run (exit 5) naming the member. --wait pauses between members.

--if-fragmented R skips members whose free share, (dbSize - dbSizeInUse) / dbSize, is below R; the skips stay in the plan and report with their ratio.

The report lists every member with its database size before and after, the time the defragment took and who led when it started. --dry-run prints the plan with the quorum before and after each step and changes nothing. Without a terminal --yes is required. A safety backup is taken first unless --no-backup, and the run is recorded in the audit log (<state dir>/audit.jsonl). Ctrl-C lets the member in hand finish, starts nothing new and reports "interrupted" (exit 130).

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description:
        'See the rolling plan (quorum before and after each step) without changing anything',
      command: '<%= config.bin %> defrag --rolling --dry-run',
    },
    {
      description: 'Rolling defrag of members more than half free, 30 s apart',
      command: '<%= config.bin %> defrag -c prod --rolling --if-fragmented 0.5 --wait 30s --yes',
    },
    {
      description: 'One member, by name',
      command: '<%= config.bin %> defrag -e etcd://10.0.0.1:2379 --member etcd-2 --yes',
    },
    {
      description: 'As JSON for a script (kind MaintenanceReport)',
      command: '<%= config.bin %> defrag -c prod --rolling --yes --no-backup -o json',
    },
  ];

  static override flags = {
    ...outputFlags,
    ...targetFlags,
    ...globalFlags,
    ...mutationFlags,
    member: Flags.string({
      description: 'Defragment this member only (name, ID or client URL).',
      helpGroup: 'DEFRAG',
    }),
    rolling: Flags.boolean({
      description: 'Defragment every member: followers first, the leader last after a move.',
      helpGroup: 'DEFRAG',
    }),
    'if-fragmented': Flags.string({
      description: 'Skip members whose free share of the file is below this ratio (0.5 or 50%).',
      helpGroup: 'DEFRAG',
    }),
    ...healthGateFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Defrag);
    if ((flags.member === undefined) === !flags.rolling) {
      throw new UsageError(
        'DEFRAG_SCOPE',
        'name one member with --member, or every member with --rolling',
        {
          actions: [
            'quorumctl defrag --rolling --dry-run shows the rolling plan',
            'quorumctl defrag --member NAME',
          ],
        },
      );
    }
    const ratio = parseFragmentedRatio(flags['if-fragmented']);
    const settings = defragSettingsFrom(flags);
    await withMembershipTarget(flags, async (opened) => {
      const { adapter } = opened;
      requireCapability(adapter, 'defragment');
      const plan = planDefrag(await adapter.status(), {
        maxLagEntries: settings.gate.maxLagEntries,
        ...(flags.member !== undefined && { member: flags.member }),
        ...(ratio !== undefined && { ifFragmentedRatio: ratio }),
      });
      await this.applyPlan({
        plan,
        flags,
        opened,
        execute: (progress, signal) =>
          executeDefragPlan(adapter, plan, settings, { progress, signal }),
      });
    });
  }
}
