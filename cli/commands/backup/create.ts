import { Flags } from '@oclif/core';
import { dirname, join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { parseRetentionSpec } from '../../../core/backup/retention-spec.js';
import { EXIT_CODE_HELP, ExitCode } from '../../../core/exit-codes.js';
import {
  createBackup,
  pruneBackups,
  verifyBackup,
  type CreatedBackup,
} from '../../../ops/backup.js';
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
  resolveBackupTarget,
  transportFlag,
} from '../../render/backup-command.js';
import { renderCreated } from '../../render/backup.js';
import { backupStepReporter } from '../../render/backup-progress.js';
import { createProgressSink, type ClosableProgressSink } from '../../render/progress.js';
import { formatBytes } from '../../render/table.js';

export default class BackupCreate extends QuorumctlCommand {
  static override summary =
    'Take a backup now: stream it to the destination, hash it, then record it.';
  static override description = `etcd: a snapshot from one healthy member (a follower unless --member names one; the leader only when it is the only healthy member), streamed through the v3 JSON gateway and never held in memory. The data goes to <dest>/<name>.part while SHA-256 is computed, is fsynced and renamed to <name>.db, and only then is <name>.manifest.json written: an interrupted or failed backup leaves nothing that looks complete, and list never shows it as a backup.

The manifest records the cluster, member, revision, size, SHA-256, times, tool and server versions, and a fingerprint (etcd: HashKV and the key count at the snapshot's revision) that "backup verify --restore-test" must read back from a restored copy.

With --verify the stored data is then read back and checked (size, SHA-256, structure), and the result recorded in the manifest, as "backup verify" does: a backup that does not verify is kept, marked failed, and the command exits 1. (A verified backup counts as "newest verified" for prune.)

Progress goes to stderr: on a terminal a live step view (snapshot with bytes, rate and ETA; commit; verify with --verify; prune with --retain), otherwise one line per step as it starts and ends ("[done] snapshot of prod (96 MiB at 210 MiB/s) 0.5 s"), and nothing with --output json|yaml. QUORUMCTL_PROGRESS=lines forces the lines. Ctrl-C or SIGTERM stops cleanly and keeps nothing (exit 130).

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
    {
      description: 'Read the stored copy back and check it before reporting success',
      command: '<%= config.bin %> backup create --dest /var/backups/etcd --verify',
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
    verify: Flags.boolean({
      description:
        'Then read the stored backup back and check its size, SHA-256 and structure, as "backup verify" does (recorded in the manifest; exit 1 if it fails).',
      helpGroup: 'BACKUP',
    }),
  };

  protected readonly outputKind = BACKUP_OUTPUT.manifest;

  async run(): Promise<void> {
    const { flags } = await this.parse(BackupCreate);
    const format = this.outputFormat(flags);
    const policy = flags.retain === undefined ? undefined : parseRetentionSpec(flags.retain);
    const interrupt = interruptSignal();
    let progress: ClosableProgressSink | undefined;
    let release = (): Promise<void> => Promise.resolve();
    try {
      const opened = await resolveBackupTarget(flags, interrupt.signal);
      const { target, options } = opened;
      release = () => opened.release();
      const support = await backupSupportFor(target.kind);
      const storage = openStorage(flags.dest);
      const stateFile =
        flags['state-file'] ??
        (flags['record-state']
          ? join(defaultStateDir(), scheduleStateFileName(target.name))
          : undefined);
      progress = createProgressSink({ format });
      const steps = backupStepReporter(progress, {
        cluster: target.name,
        destination: storage.location,
        verify: flags.verify,
        ...(flags.retain !== undefined && { prune: flags.retain }),
      });
      const started = new Date();
      let created: CreatedBackup;
      let verifyProblem: string | undefined;
      try {
        created = await createBackup({
          target,
          options,
          support,
          storage: steps.observe(storage),
          toolVersion: this.config.version,
          transport: flags.transport,
          signal: interrupt.signal,
          onProgress: steps.onProgress,
          ...(flags.member !== undefined && { member: flags.member }),
          ...(flags.include !== undefined && {
            include: flags.include.split(',').map((entry) => entry.trim()),
          }),
        });
        if (flags.verify) {
          steps.step('verify', 'running');
          const report = await verifyBackup({
            storage,
            support,
            name: created.manifest.name,
            restoreTest: false,
            signal: interrupt.signal,
          });
          created = {
            ...created,
            manifest: { ...created.manifest, verification: report.verification },
          };
          if (report.ok)
            steps.step(
              'verify',
              'done',
              `${formatBytes(report.sizeBytes.actual)} re-read: size, SHA-256, structure ok`,
            );
          else {
            verifyProblem = report.verification.problem ?? 'verification failed';
            steps.step('verify', 'failed', verifyProblem);
          }
        }
        if (stateFile !== undefined) {
          await mkdir(dirname(stateFile), { recursive: true });
          await recordAttempt(stateFile, {
            target,
            destination: storage.location,
            startedAt: started,
            outcome:
              verifyProblem === undefined
                ? { created }
                : {
                    failure: new Error(
                      `backup ${created.manifest.name} did not verify: ${verifyProblem}`,
                    ),
                  },
          });
        }
        if (policy !== undefined) {
          steps.step('prune', 'running');
          const pruned = await pruneBackups({
            storage,
            policy,
            dryRun: false,
            cluster: target.name,
          });
          const removed = pruned.remove.map((entry) => entry.name);
          steps.step(
            'prune',
            'done',
            removed.length === 0 ? 'nothing to remove' : `removed ${removed.join(', ')}`,
          );
          // The step view is not shown for json/yaml: say it on stderr as before.
          if (removed.length > 0 && format !== 'table')
            process.stderr.write(`pruned ${removed.length} old backups: ${removed.join(', ')}\n`);
        }
      } catch (cause) {
        steps.fail(cause);
        await progress.close();
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
      await progress.close();
      // Before emit: emit ends the process when the exit code is not 0.
      await release();
      if (verifyProblem !== undefined && format === 'table')
        process.stderr.write(`Error (BACKUP_VERIFY_FAILED): ${verifyProblem}\n`);
      await this.emit(
        format,
        created,
        renderCreated,
        verifyProblem === undefined ? ExitCode.ok : ExitCode.findings,
      );
    } finally {
      await progress?.close();
      await release();
      interrupt.release();
    }
  }
}
