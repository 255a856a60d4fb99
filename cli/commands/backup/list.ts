import { Flags } from '@oclif/core';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { listBackups } from '../../../ops/backup.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import { BACKUP_OUTPUT, destinationFlag, openStorage } from '../../render/backup-command.js';
import { renderListing } from '../../render/backup.js';

export default class BackupList extends QuorumctlCommand {
  static override summary =
    'List the backups in a destination, newest first, from their manifests.';
  static override description = `A backup is listed only when its manifest exists and its data file has the size the manifest records. Leftovers of interrupted or failed backups (a .part file, data without a manifest, a manifest without its data) are shown apart as INCOMPLETE and never as backups.

The VERIFIED column shows the last "backup verify": integrity ok, restored (with the measured restore time, the RTO), or FAILED.

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'Every backup in a directory',
      command: '<%= config.bin %> backup list --dest /var/backups/etcd',
    },
    {
      description: 'As JSON, one cluster',
      command: '<%= config.bin %> backup list -d /var/backups/etcd --for prod -o json',
    },
  ];

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    ...destinationFlag,
    for: Flags.string({
      description: 'Only backups of this cluster (as recorded in the manifests).',
      helpGroup: 'BACKUP',
    }),
  };

  protected readonly outputKind = BACKUP_OUTPUT.list;

  async run(): Promise<void> {
    const { flags } = await this.parse(BackupList);
    const listing = await listBackups(
      openStorage(flags.dest),
      flags.for === undefined ? {} : { cluster: flags.for },
    );
    await this.emit(this.outputFormat(flags), listing, renderListing);
  }
}
