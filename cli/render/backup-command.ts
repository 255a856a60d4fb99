/**
 * What the backup commands share (oclif loads every file under cli/commands as a command, so
 * it lives here): the destination flag, target resolution, the kind's backup support, the
 * interrupt signal and the progress line on a TTY.
 */
import { Flags } from '@oclif/core';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ThrowawayClusters } from '../../core/backup/producer.js';
import { UnsupportedOperationError } from '../../core/errors.js';
import type { OutputKind } from '../../core/schema.js';
import type { ClusterTarget, ConnectOptions } from '../../core/ports.js';
import { takeSafetyBackup, type BackupProgress, type CreatedBackup } from '../../ops/backup.js';
import { openTarget } from '../kubernetes-reach.js';
import type { TargetFlagValues } from '../target-request.js';
import {
  defaultStateDir,
  SANDBOX_KINDS,
  sandboxDown,
  sandboxTarget,
  sandboxUp,
  type SandboxKind,
} from '../../sandbox/index.js';
import { backupKinds, backupSupportFor } from '../../systems/backup-registry.js';
import { openLocalDirectory } from '../../systems/storage/local-directory.js';
import type { ProgressSink } from '../../core/progress.js';
import { snapshotDetail } from './backup-progress.js';
import { formatBytes } from './table.js';

/** The envelope kinds of backup output. */
export const BACKUP_OUTPUT = {
  manifest: 'BackupManifest' as const,
  list: 'BackupList' as const,
  verify: 'BackupVerifyReport' as const,
  prune: 'BackupPruneReport' as const,
  restorePlan: 'RestorePlan' as const,
  restore: 'RestoreReport' as const,
  schedule: 'BackupSchedule' as const,
} satisfies Record<string, OutputKind>;

export const destinationFlag = {
  dest: Flags.string({
    char: 'd',
    env: 'QUORUMCTL_BACKUP_DEST',
    required: true,
    description: 'Where backups live: a directory path or file:// URL (env QUORUMCTL_BACKUP_DEST).',
    helpGroup: 'BACKUP',
  }),
};

export const transportFlag = {
  transport: Flags.option({
    options: ['auto', 'grpc', 'gateway'] as const,
    default: 'auto' as const,
    description:
      'etcd: read the snapshot over gRPC (fast), the v3 JSON gateway, or auto (gRPC, else the gateway).',
    helpGroup: 'BACKUP',
  })(),
};

export function openStorage(location: string) {
  return openLocalDirectory(location);
}

/**
 * The same resolution as every command's --cluster/--endpoints, without connecting; a cluster
 * in Kubernetes is reached through port-forward tunnels that `release` closes.
 */
export async function resolveBackupTarget(
  flags: TargetFlagValues,
  signal?: AbortSignal,
): Promise<{ target: ClusterTarget; options: ConnectOptions; release: () => Promise<void> }> {
  return openTarget(flags, signal);
}

/**
 * SIGINT and SIGTERM abort the work in hand (the ops layer then removes what was half
 * written); a second signal is left to Node's default, which ends the process.
 */
export function interruptSignal(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    release();
    controller.abort(new Error(`interrupted by ${name}`));
  };
  const release = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { signal: controller.signal, release };
}

/** A progress line on stderr when it is a terminal: bytes, rate, ETA; at most 10 updates a second. */
export function progressLine(stream: NodeJS.WriteStream = process.stderr): {
  update: (progress: BackupProgress) => void;
  done: () => void;
} {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  return {
    update: (progress) => {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      stream.write(`\r\u001b[2K${formatProgress(progress)}`);
    },
    done: () => {
      if (shown) stream.write('\r\u001b[2K');
    },
  };
}

export function formatProgress(progress: BackupProgress): string {
  return `backup ${snapshotDetail(progress)}`;
}

/**
 * Throwaway clusters for restore tests of kinds that restore logically (ZooKeeper, NATS):
 * a sandbox in its own temporary state directory, removed with everything in it.
 */
export function throwawayClusters(): ThrowawayClusters {
  return {
    async start(kind, members) {
      if (!(SANDBOX_KINDS as readonly string[]).includes(kind)) {
        throw new UnsupportedOperationError(
          'THROWAWAY_UNAVAILABLE',
          `quorumctl cannot start a throwaway ${kind} cluster`,
        );
      }
      const stateDir = await mkdtemp(join(tmpdir(), 'quorumctl-throwaway-'));
      const name = `restore-${randomBytes(3).toString('hex')}`;
      const destroy = async () => {
        await sandboxDown(stateDir, name, { graceMs: 1000 }).catch(() => undefined);
        await rm(stateDir, { recursive: true, force: true });
      };
      try {
        const record = await sandboxUp({ stateDir, name, kind: kind as SandboxKind, members });
        return { target: { name, kind, ...sandboxTarget(record) }, destroy };
      } catch (cause) {
        await destroy();
        throw cause;
      }
    },
  };
}

/** Flags of every command that changes a cluster and takes a safety backup first (issue 6). */
export const safetyBackupFlags = {
  'no-backup': Flags.boolean({
    description: 'Do not take a safety backup before changing the cluster (not recommended).',
    helpGroup: 'SAFETY',
  }),
  'backup-dest': Flags.string({
    env: 'QUORUMCTL_BACKUP_DEST',
    description:
      'Where the safety backup goes (default: <state dir>/backups/<cluster>; env QUORUMCTL_BACKUP_DEST).',
    helpGroup: 'SAFETY',
  }),
};

/**
 * For mutating commands (defrag, membership, restore): the safety backup, unless --no-backup
 * or the kind has no backups. Throws (exit 4) when it fails: do not change the cluster then.
 * Returns undefined when skipped, with the reason written to stderr.
 */
export async function safetyBackupBefore(
  command: string,
  target: ClusterTarget,
  options: ConnectOptions,
  flags: { 'no-backup'?: boolean | undefined; 'backup-dest'?: string | undefined },
  toolVersion: string,
  signal?: AbortSignal,
  /** The command's step view: the backup shows as its first step instead of a \r line. */
  progress?: ProgressSink,
): Promise<CreatedBackup | undefined> {
  if (flags['no-backup'] === true) {
    process.stderr.write(`no safety backup before ${command} (--no-backup)\n`);
    return undefined;
  }
  if (!backupKinds().includes(target.kind)) {
    process.stderr.write(
      `no safety backup before ${command}: ${target.kind} backups are not supported\n`,
    );
    return undefined;
  }
  const safeName = target.name.replace(/[^A-Za-z0-9._-]+/g, '_');
  const storage = openStorage(flags['backup-dest'] ?? join(defaultStateDir(), 'backups', safeName));
  const label = `safety backup before ${command}`;
  const line = progress === undefined ? progressLine() : undefined;
  const report = (state: 'running' | 'done' | 'failed', detail?: string) =>
    progress?.report({
      step: 'safety-backup',
      label,
      state,
      ...(detail !== undefined && { detail }),
    });
  report('running');
  try {
    const created = await takeSafetyBackup({
      before: command,
      target,
      options,
      support: await backupSupportFor(target.kind),
      storage,
      toolVersion,
      onProgress: (update) => {
        line?.update(update);
        report('running', snapshotDetail(update));
      },
      ...(signal !== undefined && { signal }),
    });
    const where = `${created.manifest.name} (${formatBytes(created.manifest.sizeBytes)}) in ${storage.location}`;
    report('done', where);
    if (progress === undefined) process.stderr.write(`safety backup ${where}\n`);
    return created;
  } catch (error) {
    report('failed');
    throw error;
  } finally {
    line?.done();
  }
}
