import { Flags } from '@oclif/core';
import { dirname, join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { parseRetentionSpec } from '../../../core/backup/retention-spec.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import { createBackup, pruneBackups } from '../../../ops/backup.js';
import { recordAttempt } from '../../../ops/backup/schedule.js';
import { defaultStateDir } from '../../../sandbox/index.js';
import { scheduleStateFileName } from '../../../core/backup/schedule-state.js';
import { backupSupportFor } from '../../../systems/backup-registry.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags, targetFlags } from '../../flags.js';
import {
  BACKUP_OUTPUT,
  destinationFlag,
  interruptSignal,
  openStorage,
  progressLine,
  resolveBackupTarget,
  transportFlag,
} from '../../render/backup-command.js';
import { renderCreated } from '../../render/backup.js';

export default class BackupCreate extends QuorumctlCommand {
  static override summary =
    'Take a backup now: stream it to the destination, hash it, then record it.';
  static override description = `etcd: a snapshot from one healthy member (a follower unless --member names one; the leader only when it is the only healthy member), streamed through the v3 JSON gateway and never held in memory. The data goes to <dest>/<name>.part while SHA-256 is computed, is fsynced and renamed to <name>.db, and only then is <name>.manifest.json written: an interrupted or failed backup leaves nothing that looks complete, and list never shows it as a backup.

The manifest records the cluster, member, revision, size, SHA-256, times, tool and server versions, and a fingerprint (etcd: HashKV and the key count at the snapshot's revision) that "backup verify --restore-test" must read back from a restored copy.

A progress line (bytes, rate, ETA) goes to stderr on a terminal. Ctrl-C or SIGTERM stops cleanly and keeps nothing (exit 130).

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'Back up the current context into /var/backups/etcd',
      command: '<%= config.bin %> backup create --dest /var/backups/etcd',
    },
    {
      description: 'From a chosen member, then keep 24 hourly and 7 daily backups',
      command:
        '<%= config.bin %> backup create -e etcd://10.0.0.1:2379 --member m2 --dest file:///backups --retain last=24,daily=7',
    },
  ];

  static override flags = {
    ...outputFlags,
    ...targetFlags,
    ...globalFlags,
    ...destinationFlag,
    ...transportFlag,
    member: Flags.string({
      description:
        'Read from this member (name, ID or client URL) instead of the one quorumctl picks.',
      helpGroup: 'BACKUP',
    }),
    include: Flags.string({
      description:
        'What to back up where the kind allows a choice (NATS: stream names, comma-separated).',
      helpGroup: 'BACKUP',
    }),
    retain: Flags.string({
      description:
        'After a successful backup, prune: e.g. last=24,hourly=48,daily=7,weekly=4,monthly=12.',
      helpGroup: 'BACKUP',
    }),
    'state-file': Flags.string({
      description: `Record the outcome where the agent reads the backup age (default with --record-state: <state dir>/${scheduleStateFileName('CLUSTER')}).`,
      helpGroup: 'BACKUP',
    }),
    'record-state': Flags.boolean({
      description: 'Write the state file at its default place (see --state-file).',
      helpGroup: 'BACKUP',
    }),
  };

  protected readonly outputKind = BACKUP_OUTPUT.manifest;

  async run(): Promise<void> {
    const { flags } = await this.parse(BackupCreate);
    const policy = flags.retain === undefined ? undefined : parseRetentionSpec(flags.retain);
    const interrupt = interruptSignal();
    const progress = progressLine();
    try {
      const { target, options } = await resolveBackupTarget(flags, interrupt.signal);
      const support = await backupSupportFor(target.kind);
      const storage = openStorage(flags.dest);
      const stateFile =
        flags['state-file'] ??
        (flags['record-state']
          ? join(defaultStateDir(), scheduleStateFileName(target.name))
          : undefined);
      const started = new Date();
      try {
        const created = await createBackup({
          target,
          options,
          support,
          storage,
          toolVersion: this.config.version,
          transport: flags.transport,
          signal: interrupt.signal,
          onProgress: progress.update,
          ...(flags.member !== undefined && { member: flags.member }),
          ...(flags.include !== undefined && {
            include: flags.include.split(',').map((entry) => entry.trim()),
          }),
        });
        progress.done();
        if (stateFile !== undefined) {
          await mkdir(dirname(stateFile), { recursive: true });
          await recordAttempt(stateFile, {
            target,
            destination: storage.location,
            startedAt: started,
            outcome: { created },
          });
        }
        if (policy !== undefined) {
          const pruned = await pruneBackups({
            storage,
            policy,
            dryRun: false,
            cluster: target.name,
          });
          if (pruned.remove.length > 0)
            process.stderr.write(
              `pruned ${pruned.remove.length} old backups: ${pruned.remove.map((entry) => entry.name).join(', ')}\n`,
            );
        }
        await this.emit(this.outputFormat(flags), created, renderCreated);
      } catch (cause) {
        progress.done();
        if (stateFile !== undefined) {
          await mkdir(dirname(stateFile), { recursive: true });
          await recordAttempt(stateFile, {
            target,
            destination: storage.location,
            startedAt: started,
            outcome: { failure: cause },
          }).catch(() => undefined);
        }
        throw cause;
      }
    } finally {
      interrupt.release();
    }
  }
}
