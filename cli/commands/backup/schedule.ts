import { Flags, type Interfaces } from '@oclif/core';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { kubernetesCronJob } from '../../../core/backup/kubernetes.js';
import { parseRetentionSpec } from '../../../core/backup/retention-spec.js';
import { scheduleStateFileName } from '../../../core/backup/schedule-state.js';
import { UsageError } from '../../../core/errors.js';
import { parseDuration } from '../../../core/duration.js';
import type { OutputKind } from '../../../core/schema.js';
import type { RetentionPolicy } from '../../../core/backup/retention.js';
import { EXIT_CODE_HELP } from '../../../core/exit-codes.js';
import type { KubernetesObject } from '../../../core/kubernetes/objects.js';
import { createBackup, pruneBackups } from '../../../ops/backup.js';
import { nextCronRun, runSchedule } from '../../../ops/backup/schedule.js';
import { applyObjects, type KubernetesApplyReport } from '../../../ops/kubernetes/apply-objects.js';
import { resolveTarget } from '../../../ops/target.js';
import { defaultStateDir } from '../../../sandbox/index.js';
import { backupSupportFor } from '../../../systems/backup-registry.js';
import { openKubernetes } from '../../../systems/kubernetes/index.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags, targetFlags } from '../../flags.js';
import { renderApplyReport } from '../../render/kubernetes-apply.js';
import { kubeConnectOptions } from '../../kube-flags.js';
import { targetRequestFrom } from '../../target-request.js';
import {
  BACKUP_OUTPUT,
  destinationFlag,
  interruptSignal,
  openStorage,
  resolveBackupTarget,
  transportFlag,
} from '../../render/backup-command.js';

export default class BackupSchedule extends QuorumctlCommand {
  static override summary =
    'Run backups on a cron schedule (a small daemon), or print a Kubernetes CronJob for them.';
  static override description = `Without --emit, runs in the foreground until SIGINT/SIGTERM: every tick of --cron (five fields, UTC) takes a backup like "backup create", then prunes by --retain. A failed run is logged and recorded, and the next tick runs as usual. One daemon per lock file (default: next to the state file); a lock left by a dead process is taken over.

Every attempt is recorded in a state file (default <state dir>/${scheduleStateFileName('CLUSTER')}): lastSuccessAt, lastSuccessUnixSeconds, lastBackup, lastError, consecutiveFailures, nextRunAt. The agent reads it for quorum_backup_age_seconds (docs/backup.md describes the format).

With --emit kubernetes, prints a ServiceAccount and a CronJob (concurrencyPolicy Forbid, backups on a PersistentVolumeClaim, TLS from a Secret of ca.crt/tls.crt/tls.key, the password from a Secret key) and exits: in Kubernetes, Kubernetes' scheduler runs the backups.

With --emit kubernetes --apply, applies them instead of printing them: server-side apply (field manager "quorumctl", so running it again updates them in place) to --namespace, default the namespace of the inventory entry (discover --write) or of the kubeconfig context. --kube-context and --kubeconfig pick the API server (default: the entry's context, else the current one); --tls-secret defaults to the entry's. Prints each object with "created" or "configured" and the kubectl commands that check the CronJob and run it once. --dry-run shows the objects and the PATCH requests without sending any. Needs the "backup-apply" role of docs/kubernetes-rbac.md (get, create, patch on serviceaccounts and cronjobs.batch); a 403 exits 7 naming the missing permission.

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'Hourly, keeping 24 hourly and 7 daily backups',
      command:
        '<%= config.bin %> backup schedule --cron "0 * * * *" --retain last=24,daily=7 --dest /var/backups/etcd',
    },
    {
      description: 'A CronJob for a TLS cluster',
      command:
        '<%= config.bin %> backup schedule --emit kubernetes --cron "0 * * * *" -e etcd+https://etcd-0.etcd:2379 --pvc etcd-backups --tls-secret etcd-client-tls --retain last=24 --dest /backups > backup-cronjob.yaml',
    },
    {
      description: 'Apply the CronJob to namespace db of the current kubeconfig context',
      command:
        '<%= config.bin %> backup schedule --emit kubernetes --apply --cron "0 3 * * *" -e etcd+https://etcd-0.etcd-headless.db.svc:2379 -n db --pvc etcd-backups --tls-secret etcd-client-tls',
    },
    {
      description: 'A cluster discover --write found: namespace, context and TLS Secret from it',
      command:
        '<%= config.bin %> backup schedule --emit kubernetes --apply --dry-run --cron "0 * * * *" -c db/etcd',
    },
  ];

  static override flags = {
    ...targetFlags,
    ...globalFlags,
    ...outputFlags,
    dest: Flags.string({ ...destinationFlag.dest, required: false }),
    ...transportFlag,
    cron: Flags.string({
      required: true,
      description: 'When to run, e.g. "0 * * * *" (hourly; UTC).',
      helpGroup: 'SCHEDULE',
    }),
    retain: Flags.string({
      description: 'Prune after each backup: last=N,hourly=N,daily=N,weekly=N,monthly=N.',
      helpGroup: 'SCHEDULE',
    }),
    'state-file': Flags.string({
      description: 'Where to record attempts (read by the agent).',
      helpGroup: 'SCHEDULE',
    }),
    'lock-file': Flags.string({
      description: 'Single-instance lock (default: the state file + .lock).',
      helpGroup: 'SCHEDULE',
    }),
    'run-now': Flags.boolean({
      description: 'Also take a backup right away.',
      helpGroup: 'SCHEDULE',
    }),
    emit: Flags.option({
      options: ['kubernetes'] as const,
      description: 'Print manifests for this scheduler instead of running.',
      helpGroup: 'KUBERNETES',
    })(),
    image: Flags.string({
      description: 'Container image with quorumctl (default quorumctl:<version>).',
      helpGroup: 'KUBERNETES',
    }),
    apply: Flags.boolean({
      description:
        'Apply the objects to the cluster (server-side apply) instead of printing them; needs --emit kubernetes.',
      helpGroup: 'KUBERNETES',
      dependsOn: ['emit'],
    }),
    'dry-run': Flags.boolean({
      description: 'With --apply: show the objects and the API calls, send nothing.',
      helpGroup: 'KUBERNETES',
      dependsOn: ['apply'],
    }),
    namespace: Flags.string({
      char: 'n',
      description:
        "Namespace of the objects (with --apply, default: the inventory entry's, else the context's).",
      helpGroup: 'KUBERNETES',
    }),
    pvc: Flags.string({
      description: 'PersistentVolumeClaim for the backups (default <cluster>-backups).',
      helpGroup: 'KUBERNETES',
    }),
    'tls-secret': Flags.string({
      description: 'Secret with ca.crt, tls.crt and tls.key for the client.',
      helpGroup: 'KUBERNETES',
    }),
    'password-secret': Flags.string({
      description: 'SECRET:KEY holding the password (with --user).',
      helpGroup: 'KUBERNETES',
    }),
  };

  protected outputKind: OutputKind = BACKUP_OUTPUT.schedule;

  async run(): Promise<void> {
    const { flags } = await this.parse(BackupSchedule);
    nextCronRun(flags.cron);
    const policy = flags.retain === undefined ? undefined : parseRetentionSpec(flags.retain);
    if (flags.emit === 'kubernetes') {
      if (flags.apply) this.outputKind = 'KubernetesApplyReport';
      await this.emitKubernetes(flags, policy);
      return;
    }

    if (flags.dest === undefined) {
      throw new UsageError(
        'FLAG_MISSING',
        'backup schedule needs --dest (or QUORUMCTL_BACKUP_DEST)',
        {
          actions: ['e.g. --dest /var/backups/etcd'],
        },
      );
    }
    const storage = openStorage(flags.dest);
    const interrupt = interruptSignal();
    let releaseTarget: (() => Promise<void>) | undefined;
    try {
      const { target, options, release } = await resolveBackupTarget(flags);
      // A cluster in Kubernetes: its tunnels stay open while the daemon runs.
      releaseTarget = release;
      const support = await backupSupportFor(target.kind);
      const stateFile =
        flags['state-file'] ?? join(defaultStateDir(), scheduleStateFileName(target.name));
      await mkdir(dirname(stateFile), { recursive: true });
      await runSchedule({
        cron: flags.cron,
        target,
        destination: storage.location,
        stateFile,
        lockFile: flags['lock-file'] ?? `${stateFile}.lock`,
        runNow: flags['run-now'],
        signal: interrupt.signal,
        log: (line) => process.stderr.write(`${line}\n`),
        runBackup: async (signal) => {
          const created = await createBackup({
            target,
            options: { ...options, signal },
            support,
            storage,
            toolVersion: this.config.version,
            transport: flags.transport,
            trigger: 'schedule',
            signal,
          });
          if (policy !== undefined) {
            const pruned = await pruneBackups({
              storage,
              policy,
              dryRun: false,
              cluster: target.name,
            });
            if (pruned.remove.length > 0)
              process.stderr.write(
                `pruned ${pruned.remove.map((entry) => entry.name).join(', ')}\n`,
              );
          }
          return created;
        },
      });
      process.stderr.write(`stopped; state in ${stateFile}\n`);
    } finally {
      await releaseTarget?.();
      interrupt.release();
    }
  }

  /** --emit kubernetes: prints the ServiceAccount and CronJob, or applies them (--apply). */
  private async emitKubernetes(
    flags: Interfaces.InferredFlags<typeof BackupSchedule.flags>,
    policy: RetentionPolicy | undefined,
  ): Promise<void> {
    // The job reads the password from its Secret: nothing to read here.
    const { target, kubernetes } = await resolveTarget(
      targetRequestFrom({ ...flags, user: undefined }),
    );
    const [secretName, secretKey] = (flags['password-secret'] ?? '').split(':');
    if (
      flags['password-secret'] !== undefined &&
      (secretName === '' || secretKey === undefined || secretKey === '')
    ) {
      throw new UsageError('FLAG_INVALID', '--password-secret must be SECRET:KEY', {
        actions: ['e.g. --password-secret etcd-root:password'],
      });
    }
    const tlsSecret = flags['tls-secret'] ?? (flags.apply ? kubernetes?.tlsSecret : undefined);
    const objects = (namespace: string | undefined) =>
      kubernetesCronJob({
        cluster: target.name,
        kind: target.kind,
        endpoints: target.endpoints,
        cron: flags.cron,
        image: flags.image ?? `quorumctl:${this.config.version}`,
        backupClaim:
          flags.pvc ?? `${target.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}-backups`,
        ...(policy !== undefined && { retain: policy }),
        ...(namespace !== undefined && { namespace }),
        ...(tlsSecret !== undefined && { tlsSecret }),
        ...(flags.user !== undefined && { user: flags.user }),
        ...(secretName !== undefined &&
          secretKey !== undefined &&
          secretName !== '' && { passwordSecret: { name: secretName, key: secretKey } }),
      }) as KubernetesObject[];
    if (!flags.apply) {
      const { stringify } = await import('yaml');
      process.stdout.write(
        objects(flags.namespace)
          .map((object) => stringify(object, { aliasDuplicateObjects: false }))
          .join('---\n'),
      );
      return;
    }

    // --kube-context/--kubeconfig come with targetFlags (kubeReachFlags).
    const api = await openKubernetes(
      kubeConnectOptions(flags, parseDuration(flags.timeout, '--timeout'), {
        context: kubernetes?.context,
      }),
    );
    try {
      const namespace = flags.namespace ?? kubernetes?.namespace ?? api.defaultNamespace;
      const report = await applyObjects({
        api,
        objects: objects(namespace),
        namespace,
        // oclif leaves an absent boolean flag undefined, whatever its type says.
        dryRun: flags['dry-run'] ?? false,
        followUp: ({ namespace: where, context: used }) => {
          const name = objects(namespace).find((object) => object.kind === 'CronJob')?.metadata
            .name;
          const suffix = `-n ${where}${used === 'in-cluster' ? '' : ` --context ${used}`}`;
          return name === undefined
            ? []
            : [
                `kubectl get cronjob ${name} ${suffix}`,
                `kubectl create job --from=cronjob/${name} ${name}-now ${suffix}`,
              ];
        },
      });
      await this.emit<KubernetesApplyReport>(this.outputFormat(flags), report, renderApplyReport);
    } finally {
      await api.close();
    }
  }
}
