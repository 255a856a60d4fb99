import { Flags } from '@oclif/core';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { ALARM_TYPES, planAlarmDisarm } from '../../../core/maintenance/alarm-plan.js';
import { executeAlarmDisarm, readAlarms } from '../../../ops/maintenance/alarms.js';
import { MaintenanceCommand } from '../../maintenance-command.js';
import { globalFlags, outputFlags, targetFlags } from '../../flags.js';
import { withMembershipTarget } from '../../membership-target.js';
import { mutationFlags } from '../../mutation.js';

export default class AlarmsDisarm extends MaintenanceCommand {
  static override summary = 'Disarm raised alarms (NOSPACE by default), one step per alarm.';
  static override description = `Disarming NOSPACE lets writes through again, but while the database is still over its quota the next write raises it again: quorumctl recover nospace compacts and defragments first, then disarms and proves a write. Use alarms disarm on its own after you raised the quota (a restart of every member) or deleted keys and defragmented.

CORRUPT is disarmed only when asked for with --alarm CORRUPT, and the plan carries a critical risk: the alarm is the sign that a member holds different data; replace that member unless quorumctl check shows equal hashes.

The alarms are listed again right before each disarm (one already gone is skipped). --dry-run prints the plan; --yes is required without a terminal; a safety backup is taken first unless --no-backup; the run is recorded in the audit log.

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'See what would be disarmed',
      command: '<%= config.bin %> alarms disarm --dry-run',
    },
    {
      description: 'Disarm NOSPACE after the quota was raised',
      command: '<%= config.bin %> alarms disarm -c prod --yes',
    },
    {
      description: "Disarm one member's CORRUPT alarm after checking the hashes",
      command: '<%= config.bin %> alarms disarm --alarm CORRUPT --member etcd-3 --yes',
    },
  ];

  static override flags = {
    ...outputFlags,
    ...targetFlags,
    ...globalFlags,
    ...mutationFlags,
    alarm: Flags.option({
      options: ALARM_TYPES,
      multiple: true,
      default: ['NOSPACE' as const],
      description: 'The alarm types to disarm (repeat the flag for both).',
      helpGroup: 'ALARMS',
    })(),
    member: Flags.string({
      description: "Only this member's alarms (name, ID or client URL).",
      helpGroup: 'ALARMS',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(AlarmsDisarm);
    await withMembershipTarget(flags, async (opened) => {
      const { adapter } = opened;
      const { status, list } = await readAlarms(adapter);
      const { plan, alarms } = planAlarmDisarm(status, list.alarms, {
        alarms: flags.alarm,
        ...(flags.member !== undefined && { member: flags.member }),
      });
      await this.applyPlan({
        plan,
        flags,
        opened,
        execute: (progress, signal) =>
          executeAlarmDisarm(adapter, plan, alarms, { progress, signal }),
      });
    });
  }
}
