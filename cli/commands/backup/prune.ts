import { Flags } from '@oclif/core';
import { parseRetentionSpec } from '../../../core/backup/retention-spec.js';
import { parseDuration } from '../../../core/duration.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { pruneBackups } from '../../../ops/backup.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { BACKUP_OUTPUT, destinationFlag, openStorage } from '../../render/backup-command.js';
import { renderPrune } from '../../render/backup.js';

export default class BackupPrune extends QuorumctlCommand {
  static override summary =
    'Delete old backups by a retention policy; the newest verified backup always stays.';
  static override description = `Keeps the newest N backups (last=N) plus the newest backup of each of the last H hours, D days, W weeks and M months (hourly, daily, weekly, monthly; UTC calendar buckets), per cluster, and always the newest verified backup, so the one restore known to work is never deleted. Each removal deletes the manifest first, then the data.

Leftovers of interrupted backups (.part files and the like) older than --leftover-age are removed too; younger ones may belong to a backup still running.

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'What would go',
      command:
        '<%= config.bin %> backup prune -d /var/backups/etcd --retain last=24,daily=7,weekly=4 --dry-run',
    },
    {
      description: 'Keep a year of monthly backups',
      command: '<%= config.bin %> backup prune -d /var/backups/etcd --retain last=3,monthly=12',
    },
  ];

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    ...destinationFlag,
    retain: Flags.string({
      required: true,
      description: 'last=N,hourly=N,daily=N,weekly=N,monthly=N (any subset).',
      helpGroup: 'BACKUP',
    }),
    'dry-run': Flags.boolean({
      description: 'Show what would be removed; remove nothing.',
      helpGroup: 'BACKUP',
    }),
    for: Flags.string({ description: 'Only backups of this cluster.', helpGroup: 'BACKUP' }),
    'leftover-age': Flags.string({
      default: '1h',
      description: 'Remove leftovers of interrupted backups older than this.',
      helpGroup: 'BACKUP',
    }),
  };

  protected readonly outputKind = BACKUP_OUTPUT.prune;

  async run(): Promise<void> {
    const { flags } = await this.parse(BackupPrune);
    const report = await pruneBackups({
      storage: openStorage(flags.dest),
      policy: parseRetentionSpec(flags.retain),
      dryRun: flags['dry-run'],
      leftoverAgeMs: parseDuration(flags['leftover-age'], '--leftover-age'),
      ...(flags.for !== undefined && { cluster: flags.for }),
    });
    await this.emit(this.outputFormat(flags), report, renderPrune);
  }
}
