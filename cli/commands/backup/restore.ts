import { Args, Flags } from '@oclif/core';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import { compactTimestamp, type BackupManifest } from '../../../core/backup/manifest.js';
import {
  fingerprintMismatches,
  type BackupKindSupport,
  type RestoreMember,
} from '../../../core/backup/producer.js';
import { guardRestore } from '../../../core/backup/restore-guard.js';
import { UnreachableError, UnsupportedOperationError, UsageError } from '../../../core/errors.js';
import { EXIT_CODE_HELP, ExitCode } from '../../../core/exit-codes.js';
import type { ClusterTarget, ConnectOptions } from '../../../core/ports.js';
import { findBackup } from '../../../ops/backup.js';
import { defaultStateDir, type SandboxListing } from '../../../sandbox/index.js';
import { backupSupportFor } from '../../../systems/backup-registry.js';
import { QuorumctlCommand } from '../../base-command.js';
import { globalFlags, outputFlags, targetFlags, type OutputFormat } from '../../flags.js';
import { stateDirFlag } from '../../sandbox-flags.js';
import {
  BACKUP_OUTPUT,
  destinationFlag,
  interruptSignal,
  openStorage,
  resolveBackupTarget,
} from '../../render/backup-command.js';
import { renderRestorePlan, renderRestoreReport } from '../../render/backup.js';
import { findSandbox } from '../../membership-target.js';
import {
  executeOnSandbox,
  sandboxFacts,
  sandboxRestoreMembers,
  sandboxRestoreTarget,
} from '../../sandbox-restore.js';

export default class BackupRestore extends QuorumctlCommand {
  static override summary = 'Plan a restore step by step; with --execute, perform it on a sandbox.';
  static override description = `Prints the plan by default (a table, or -o json): for etcd, every member is restored from the same snapshot into a new data dir under a new cluster token, started, and checked (leader, every member, HashKV at the snapshot's revision). With etcd 3.5+ tools the revisions are bumped (etcdutl --bump-revision --mark-compacted) so watchers never see them go backwards; etcd 3.4 cannot, and the plan says what that means for watchers. Members come from --sandbox, from the live cluster's member list, or from --members.

--execute performs the plan on a sandbox (--sandbox NAME): it stops the members, restores each into a new data dir, swaps the new dirs in (the old ones are kept as <dir>.pre-restore-<time>), starts the members and checks health and content. For clusters on other hosts, run the plan's steps there.

ZooKeeper and NATS backups are restored logically: --execute re-creates the znode tree (or the streams) in a running cluster, a sandbox (--sandbox NAME) or the one --cluster/--endpoints names, and reads the content back to compare it with the backup. A cluster that already holds data (user znodes, a stream of the same name) is refused: nothing is ever overwritten.

A target that has a leader and data is refused (exit 4) unless --force and a typed confirmation: type the cluster's name at the prompt, or pass --confirm NAME (without a terminal, --yes also confirms).

${EXIT_CODE_HELP}`;

  static override examples = [
    {
      description: 'The plan for restoring the newest backup into the current context',
      command: '<%= config.bin %> backup restore --dest /var/backups/etcd',
    },
    {
      description: 'Restore a backup into a sandbox that has data',
      command:
        '<%= config.bin %> backup restore prod-20261129T053800Z -d /var/backups/etcd --sandbox demo --execute --force --confirm demo',
    },
    {
      description: 'The plan for a dead cluster, naming its members',
      command:
        '<%= config.bin %> backup restore -d /var/backups/etcd --members m1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380,m3=https://10.0.0.3:2380',
    },
  ];

  static override args = {
    name: Args.string({ description: 'Backup name (default: the newest).', default: 'latest' }),
  };

  static override flags = {
    ...outputFlags,
    ...targetFlags,
    ...globalFlags,
    ...destinationFlag,
    ...stateDirFlag,
    for: Flags.string({
      description: 'With "latest": the newest backup of this cluster.',
      helpGroup: 'BACKUP',
    }),
    sandbox: Flags.string({
      description: 'Restore into this sandbox (members, data dirs and processes known).',
      helpGroup: 'RESTORE',
    }),
    members: Flags.string({
      description:
        'The members to restore, NAME=PEER_URL,... (client URLs default to the peer host on port 2379).',
      helpGroup: 'RESTORE',
    }),
    'data-dir': Flags.string({
      default: '/var/lib/etcd/{name}.restored',
      description: 'New data dir per member ({name} is replaced); must not exist yet.',
      helpGroup: 'RESTORE',
    }),
    'bump-revision': Flags.boolean({
      allowNo: true,
      description:
        'etcd: raise revisions on restore (needs etcd 3.5+ tools). Default: whenever possible.',
      helpGroup: 'RESTORE',
    }),
    execute: Flags.boolean({
      description:
        'Perform it: etcd on a sandbox; ZooKeeper and NATS into a running, empty cluster.',
      helpGroup: 'RESTORE',
    }),
    force: Flags.boolean({
      description: 'Allow replacing a cluster that has a leader and data.',
      helpGroup: 'RESTORE',
    }),
    confirm: Flags.string({
      description: "The target cluster's name, typed to confirm --force.",
      helpGroup: 'RESTORE',
    }),
    yes: Flags.boolean({
      description: 'Confirm --force when no terminal is attached.',
      helpGroup: 'RESTORE',
    }),
  };

  protected readonly outputKind = BACKUP_OUTPUT.restorePlan;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(BackupRestore);
    const storage = openStorage(flags.dest);
    const manifest = await findBackup(storage, args.name, flags.for);
    const support = await backupSupportFor(manifest.systemKind);
    if (support.planRestore === undefined) {
      throw new UnsupportedOperationError(
        'RESTORE_NOT_SUPPORTED',
        `quorumctl cannot plan ${manifest.systemKind} restores yet`,
      );
    }
    const dataPath = storage.localPath(manifest);
    if (flags.execute && support.restoreInto !== undefined) {
      await this.restoreLogically(support, manifest, dataPath, flags);
      return;
    }
    const stamp = compactTimestamp(new Date());
    const token = `quorumctl-restore-${randomBytes(6).toString('hex')}`;
    const sandbox =
      flags.sandbox === undefined
        ? undefined
        : await findSandbox(flags['state-dir'] ?? defaultStateDir(), flags.sandbox);
    const destination = sandbox === undefined ? await this.liveTarget(flags, support) : undefined;
    const members: RestoreMember[] =
      sandbox !== undefined
        ? sandboxRestoreMembers(sandbox, stamp)
        : (destination?.members ?? []).map((member) => ({
            ...member,
            dataDir: flags['data-dir'].replaceAll('{name}', member.name),
          }));
    const targetCluster = sandbox?.name ?? destination?.target.name ?? 'restored';
    const plan = support.planRestore({
      manifest,
      dataPath,
      targetCluster,
      members,
      clusterToken: token,
      ...(sandbox !== undefined && { serverVersion: sandbox.version }),
      ...(flags['bump-revision'] !== undefined && { bumpRevision: flags['bump-revision'] }),
    });
    const format = this.outputFormat(flags);
    if (!flags.execute) {
      await this.emit(format, plan, renderRestorePlan);
      return;
    }
    if (sandbox === undefined || manifest.systemKind !== 'etcd' || sandbox.kind !== 'etcd') {
      throw new UnsupportedOperationError(
        'RESTORE_EXECUTE_NOT_SUPPORTED',
        'restore --execute runs only on an etcd sandbox (--sandbox NAME): quorumctl does not stop or start members on other hosts',
        { actions: ['run the plan (without --execute) and follow its steps on each member host'] },
      );
    }
    await this.confirm(sandbox, flags);
    const interrupt = interruptSignal();
    try {
      const report = await executeOnSandbox({
        plan,
        manifest,
        support,
        sandbox,
        stateDir: flags['state-dir'] ?? defaultStateDir(),
        members,
        dataPath,
        token,
        signal: interrupt.signal,
      });
      process.stdout.write(
        format === 'table'
          ? renderRestoreReport(report)
          : `${JSON.stringify({ apiVersion: 'quorumctl/v1', kind: BACKUP_OUTPUT.restore, status: report.fingerprint?.matches === false ? 1 : 0, result: report, warnings: [] }, null, 2)}\n`,
      );
      if (report.fingerprint?.matches === false) this.exit(1);
    } finally {
      interrupt.release();
    }
  }

  /**
   * ZooKeeper and NATS restore logically into a running cluster (a sandbox or the target the
   * flags name). The kind's restore refuses a cluster that already holds data, so nothing is
   * overwritten; the content read back is compared with the backup's fingerprint.
   */
  private async restoreLogically(
    support: BackupKindSupport,
    manifest: BackupManifest,
    dataPath: string,
    flags: Parameters<typeof resolveBackupTarget>[0] & {
      sandbox?: string | undefined;
      'state-dir'?: string | undefined;
      output?: OutputFormat;
      json?: boolean;
    },
  ): Promise<void> {
    const restoreInto = support.restoreInto?.bind(support);
    if (restoreInto === undefined) return;
    const { target, options, release } =
      flags.sandbox === undefined
        ? await resolveBackupTarget(flags)
        : {
            ...sandboxRestoreTarget(
              await findSandbox(flags['state-dir'] ?? defaultStateDir(), flags.sandbox),
            ),
            release: () => Promise.resolve(),
          };
    let result: Awaited<ReturnType<typeof restoreInto>>;
    try {
      if (target.kind !== manifest.systemKind) {
        throw new UsageError(
          'RESTORE_KIND_MISMATCH',
          `backup ${manifest.name} is a ${manifest.systemKind} backup; "${target.name}" is a ${target.kind} cluster`,
          { actions: ['restore into a cluster of the same kind'] },
        );
      }
      result = await restoreInto({ manifest, dataPath, target, options });
    } finally {
      // Before emit: emit ends the process when the exit code is not 0.
      await release();
    }
    const mismatches =
      result.fingerprint === undefined || manifest.fingerprint === undefined
        ? []
        : fingerprintMismatches(manifest.fingerprint, result.fingerprint);
    const report = { backup: manifest.name, target: target.name, ...result, mismatches };
    await this.emit(
      this.outputFormat(flags),
      report,
      () =>
        `restored ${manifest.name} into "${target.name}": ${Object.entries(result.restored)
          .map(([what, count]) => `${count} ${what}`)
          .join(', ')}; ${
          mismatches.length === 0
            ? 'the content read back matches the backup'
            : `MISMATCH: ${mismatches.map((m) => `${m.fact} ${String(m.restored)} != ${String(m.recorded)}`).join('; ')}`
        }\n`,
      mismatches.length === 0 ? ExitCode.ok : ExitCode.findings,
    );
  }

  /** The cluster named by --cluster/--endpoints (or the current context), and its members. */
  private async liveTarget(
    flags: Parameters<typeof resolveBackupTarget>[0] & { members?: string | undefined },
    support: BackupKindSupport,
  ): Promise<{ target: ClusterTarget; options: ConnectOptions; members: RestoreMember[] }> {
    if (flags.members !== undefined) {
      const members = parseMembers(flags.members);
      return {
        target: {
          name: flags.cluster ?? 'restored',
          kind: support.kind,
          endpoints: members.map((m) => m.clientUrl),
        },
        options: { timeoutMs: 3000 },
        members,
      };
    }
    const { target, options, release } = await resolveBackupTarget(flags);
    try {
      return await this.liveMembers(target, options, support);
    } finally {
      // The plan needs only the member list: the tunnels close once it is read.
      await release();
    }
  }

  private async liveMembers(
    target: ClusterTarget,
    options: ConnectOptions,
    support: BackupKindSupport,
  ): Promise<{ target: ClusterTarget; options: ConnectOptions; members: RestoreMember[] }> {
    if (support.restoreMembers === undefined) {
      throw new UsageError(
        'MEMBERS_REQUIRED',
        'name the members to restore with --members NAME=PEER_URL,...',
      );
    }
    try {
      return { target, options, members: await support.restoreMembers(target, options) };
    } catch (cause) {
      throw new UnreachableError(
        'MEMBERS_UNKNOWN',
        `cannot read the members of "${target.name}" (a restore is often needed because it is down)`,
        {
          actions: ['name them: --members m1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380'],
          cause,
        },
      );
    }
  }

  private async confirm(
    sandbox: SandboxListing,
    flags: { force: boolean; confirm?: string | undefined; yes: boolean },
  ): Promise<void> {
    const facts = await sandboxFacts(sandbox);
    const interactive = process.stdin.isTTY && process.stderr.isTTY;
    const consent = {
      force: flags.force,
      yes: flags.yes,
      interactive,
      ...(flags.confirm !== undefined && { typedName: flags.confirm }),
    };
    const outcome = guardRestore(facts, consent);
    if (outcome.allowed) return;
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const typed = await prompt.question(
        `sandbox "${sandbox.name}" has a leader and ${facts.dataItems ?? 'some'} keys: everything in it will be replaced.\nType its name to go on: `,
      );
      guardRestore(facts, { ...consent, typedName: typed.trim() });
    } finally {
      prompt.close();
    }
  }
}

function parseMembers(text: string): RestoreMember[] {
  return text.split(',').map((entry) => {
    const match = /^([^=]+)=(https?:\/\/[^,]+)$/.exec(entry.trim());
    if (match?.[1] === undefined || match[2] === undefined)
      throw new UsageError('MEMBERS_INVALID', `--members: "${entry}" is not NAME=PEER_URL`, {
        actions: ['e.g. --members m1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380'],
      });
    const peer = new URL(match[2]);
    return {
      name: match[1],
      peerUrl: match[2],
      clientUrl: `${peer.protocol}//${peer.hostname}:2379`,
    };
  });
}
