import { Args, Flags } from '@oclif/core';
import { ExitCode, EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { findBackup, verifyBackup } from '../../../ops/backup.js';
import { backupSupportFor } from '../../../systems/backup-registry.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags } from '../../flags.js';
import {
  BACKUP_OUTPUT,
  destinationFlag,
  interruptSignal,
  openStorage,
  throwawayClusters,
} from '../../render/backup-command.js';
import { renderVerify } from '../../render/backup.js';

export default class BackupVerify extends QuorumctlCommand {
  static override summary =
    'Prove a backup: re-hash it, parse it and, with --restore-test, restore it and compare.';
  static override description = `Reads the data once: its SHA-256 and size must match the manifest, and its structure must parse (etcd: the bbolt file as "etcdctl snapshot status" checks it: meta pages, every page reachable once, the revision, and etcd's own SHA-256 trailer).

With --restore-test the backup is restored into a throwaway server on free loopback ports (etcd: etcdctl snapshot restore into a temporary data dir and a single etcd), the content is read back and compared with the fingerprint recorded at backup time (etcd: the key count and HashKV at the snapshot's revision), and the time from restore start to the server answering is recorded as restoreMs, the RTO evidence. The throwaway server and its files are always removed.

The outcome is written into the manifest, so "backup list" shows it and "backup prune" never deletes the newest verified backup. Exit 1 when the backup fails.

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'The newest backup, integrity only',
      command: '<%= config.bin %> backup verify --dest /var/backups/etcd',
    },
    {
      description: 'Restore a named backup into a throwaway etcd and compare',
      command:
        '<%= config.bin %> backup verify prod-20261129T053800Z -d /var/backups/etcd --restore-test',
    },
  ];

  static override args = {
    name: Args.string({ description: 'Backup name (default: the newest).', default: 'latest' }),
  };

  static override flags = {
    ...outputFlags,
    ...globalFlags,
    ...destinationFlag,
    'restore-test': Flags.boolean({
      description: 'Also restore into a throwaway server and compare content.',
      helpGroup: 'BACKUP',
    }),
    for: Flags.string({
      description: 'With "latest": the newest backup of this cluster.',
      helpGroup: 'BACKUP',
    }),
  };

  protected readonly outputKind = BACKUP_OUTPUT.verify;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BackupVerify);
    const storage = openStorage(flags.dest);
    const manifest = await findBackup(storage, args.name, flags.for);
    const interrupt = interruptSignal();
    try {
      const report = await verifyBackup({
        storage,
        support: await backupSupportFor(manifest.systemKind),
        name: manifest.name,
        restoreTest: flags['restore-test'],
        throwaway: throwawayClusters(),
        signal: interrupt.signal,
      });
      // Before emit: emit ends the process when the exit code is not 0.
      if (!report.ok && this.outputFormat(flags) === 'table')
        process.stderr.write(
          `Error (BACKUP_VERIFY_FAILED): ${report.verification.problem ?? 'verification failed'}\n`,
        );
      await this.emit(
        this.outputFormat(flags),
        report,
        renderVerify,
        report.ok ? ExitCode.ok : ExitCode.findings,
      );
    } finally {
      interrupt.release();
    }
  }
}
