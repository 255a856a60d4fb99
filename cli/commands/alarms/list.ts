import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { readAlarms } from '../../../ops/maintenance/alarms.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags, targetFlags } from '../../flags.js';
import { renderAlarmList } from '../../render/alarms.js';

export default class AlarmsList extends QuorumctlCommand {
  static override summary =
    'List the raised alarms (etcd NOSPACE, CORRUPT) with the member that raised each.';
  static override description = `etcd raises NOSPACE when a member's database reaches its quota (--quota-backend-bytes, 2 GiB by default): from then on the cluster refuses every write that needs space until the alarm is disarmed. CORRUPT means a member's data differs from the others.

An alarm stays raised after its cause is gone: raising the quota or deleting keys does not clear NOSPACE. quorumctl recover nospace runs the whole recovery (compact, rolling defrag, disarm, verify writes); quorumctl alarms disarm only disarms.

Exit 0 whether or not alarms are raised: the list is the answer (quorumctl health exits 1 on an alarm).

${EXIT_CODE_HELP}`;

  static override examples = [
    { description: 'Alarms of the current context', command: '<%= config.bin %> alarms list' },
    {
      description: 'As JSON (kind AlarmList)',
      command: '<%= config.bin %> alarms list -e etcd://10.0.0.1:2379 -o json',
    },
  ];

  static override flags = { ...outputFlags, ...targetFlags, ...globalFlags };

  protected readonly outputKind = 'AlarmList' as const;

  async run(): Promise<void> {
    const { flags } = await this.parse(AlarmsList);
    const { list } = await this.withAdapter(flags, readAlarms);
    await this.emit(this.outputFormat(flags), list, renderAlarmList);
  }
}
