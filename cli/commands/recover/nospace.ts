import { requireCapability } from '../../../core/capabilities.js';
import { UnsupportedOperationError } from '../../../core/errors.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { planNospaceRecovery } from '../../../core/maintenance/nospace-plan.js';
import { executeNospaceRecovery } from '../../../ops/maintenance/recover-nospace.js';
import { etcdWriteProbe } from '../../../systems/etcd/maintenance.js';
import { MaintenanceCommand } from '../../maintenance-command.js';
import { defragSettingsFrom, healthGateFlags } from '../../defrag-support.js';
import { globalFlags, outputFlags, targetFlags } from '../../flags.js';
import { withMembershipTarget } from '../../membership-target.js';
import { mutationFlags } from '../../mutation.js';

export default class RecoverNospace extends MaintenanceCommand {
  static override summary =
    'Return an etcd cluster that hit its quota (NOSPACE) to accepting writes: compact, defrag, disarm, verify.';
  static override description = `When a member's database reaches its quota (--quota-backend-bytes) etcd raises NOSPACE and refuses every write that needs space ("mvcc: database space exceeded"). Raising the quota alone does not clear the alarm, and disarming alone does not help while the file is still full. The recovery, as one guarded command:

  1. compact the history up to the current revision (old revisions become free pages)
  2. defragment every member, rolling: followers first, leadership moved away, the former leader last, a health gate after each (see quorumctl defrag --help)
  3. disarm every NOSPACE alarm (listed again at that moment)
  4. verify: put a probe key under quorumctl/probe/ and delete it

If the live data alone fills the quota, compaction frees nothing: the verify step fails (exit 5) and says to raise the quota or delete keys. A raised CORRUPT alarm is refused (exit 4): replace the corrupt member first.

--dry-run prints the plan; --yes is required without a terminal; a safety backup is taken first unless --no-backup (the snapshot reads, so it works under NOSPACE, but needs as much local disk as the database); the run is recorded in the audit log.

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'See the recovery plan',
      command: '<%= config.bin %> recover nospace --dry-run',
    },
    {
      description: 'Recover, without a safety backup',
      command: '<%= config.bin %> recover nospace -e etcd://10.0.0.1:2379 --yes --no-backup',
    },
  ];

  static override flags = {
    ...outputFlags,
    ...targetFlags,
    ...globalFlags,
    ...mutationFlags,
    ...healthGateFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(RecoverNospace);
    const settings = defragSettingsFrom(flags);
    await withMembershipTarget(flags, async (opened) => {
      const { adapter, target, options } = opened;
      if (target.kind !== 'etcd') {
        throw new UnsupportedOperationError(
          'NOSPACE_ETCD_ONLY',
          `recover nospace is for etcd; "${target.name}" is ${target.kind}`,
          { actions: ['quorumctl status shows how full each member is'] },
        );
      }
      for (const capability of ['defragment', 'alarms'] as const) {
        requireCapability(adapter, capability);
      }
      const plan = planNospaceRecovery(await adapter.status(), {
        maxLagEntries: settings.gate.maxLagEntries,
      });
      const probe = etcdWriteProbe(target, options);
      await this.applyPlan({
        plan,
        flags,
        opened,
        execute: (progress, signal) =>
          executeNospaceRecovery(adapter, probe, plan, settings, { progress, signal }),
      });
    });
  }
}
