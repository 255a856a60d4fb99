/**
 * Restoring a backup into a sandbox, shared by `backup restore --execute` and the runbook
 * operation `backup.restore`: etcd by replacing every member's data dir through the restore
 * plan, ZooKeeper and NATS logically into the running (empty) cluster.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { compactTimestamp, type BackupManifest } from '../core/backup/manifest.js';
import {
  fingerprintMismatches,
  type BackupKindSupport,
  type RestoreMember,
  type RestorePlan,
} from '../core/backup/producer.js';
import { guardRestore } from '../core/backup/restore-guard.js';
import { UnreachableError, UsageError } from '../core/errors.js';
import type { ClusterTarget, ConnectOptions } from '../core/ports.js';
import { executeRestorePlan } from '../ops/backup/restore.js';
import {
  restartMembers,
  sandboxTarget,
  stopMember,
  type SandboxListing,
} from '../sandbox/index.js';
import { restoreDataDir } from '../systems/etcd/restore.js';
import { REVISION_BUMP } from '../systems/etcd/restore-plan.js';
import { countKeys, readFingerprint } from '../systems/etcd/snapshot-fingerprint.js';
import { connectAdapter } from '../systems/registry.js';
import type { RestoreReport } from './render/backup.js';

/** Each sandbox member restored into a new data dir beside its own (moved in at start). */
export function sandboxRestoreMembers(sandbox: SandboxListing, stamp: string): RestoreMember[] {
  return sandbox.members.map((member) => ({
    name: member.name,
    clientUrl: member.clientUrl,
    peerUrl: `http://${member.host ?? '127.0.0.1'}:${member.ports.peer ?? 0}`,
    dataDir: `${member.dataDir}.restored-${stamp}`,
  }));
}

export async function sandboxFacts(sandbox: SandboxListing) {
  if (sandbox.state === 'stopped') return { cluster: sandbox.name, hasLeader: false };
  const target: ClusterTarget = { name: sandbox.name, kind: 'etcd', ...sandboxTarget(sandbox) };
  const adapter = await connectAdapter(target, { timeoutMs: 2000 });
  try {
    const status = await adapter.status().catch(() => undefined);
    const leader = status?.members.find((member) => member.id === status.leaderId);
    const dataItems =
      leader === undefined
        ? undefined
        : await countKeys(leader.endpoint, 0, { timeoutMs: 5000 }).catch(() => undefined);
    return {
      cluster: sandbox.name,
      hasLeader: status?.leaderId !== undefined,
      ...(dataItems !== undefined && { dataItems }),
    };
  } finally {
    await adapter.close();
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function executeOnSandbox(input: {
  plan: RestorePlan;
  manifest: BackupManifest;
  support: BackupKindSupport;
  sandbox: SandboxListing;
  stateDir: string;
  members: RestoreMember[];
  dataPath: string;
  token: string;
  signal: AbortSignal;
}): Promise<RestoreReport> {
  const { plan, manifest, sandbox, members } = input;
  const byName = new Map(members.map((member) => [member.name, member]));
  const initialCluster = members
    .map((member) => `${member.name}=${member.peerUrl ?? ''}`)
    .join(',');
  const bumped = plan.steps.some((step) => step.command?.includes('--bump-revision') === true);
  const target: ClusterTarget = { name: sandbox.name, kind: 'etcd', ...sandboxTarget(sandbox) };
  let fingerprint: RestoreReport['fingerprint'];
  const { executed, restoreMs } = await executeRestorePlan(
    plan,
    {
      checkBackup: async () => {
        const actual = await sha256Of(input.dataPath);
        if (actual !== manifest.sha256)
          throw new UsageError(
            'BACKUP_CORRUPT',
            `${input.dataPath} hashes to ${actual}, not ${manifest.sha256}`,
            {
              actions: ['quorumctl backup verify shows what is wrong; restore another backup'],
            },
          );
      },
      stopMember: async (member) => {
        await stopMember(input.stateDir, sandbox.name, member, 'SIGTERM');
      },
      restoreMember: async (name) => {
        const member = byName.get(name);
        if (member?.dataDir === undefined || member.peerUrl === undefined) return;
        await restoreDataDir({
          snapshotPath: input.dataPath,
          name,
          dataDir: member.dataDir,
          initialCluster,
          peerUrl: member.peerUrl,
          clusterToken: input.token,
          ...(bumped && { bumpRevision: REVISION_BUMP }),
          signal: input.signal,
        });
      },
      startMembers: async (names) => {
        // The sandbox starts members from its recorded data dirs: move the restored ones there.
        const stamp = compactTimestamp(new Date());
        for (const name of names) {
          const recorded = sandbox.members.find((member) => member.name === name);
          const restored = byName.get(name)?.dataDir;
          if (recorded === undefined || restored === undefined) continue;
          await rename(recorded.dataDir, `${recorded.dataDir}.pre-restore-${stamp}`);
          await rename(restored, recorded.dataDir);
        }
        await restartMembers(input.stateDir, sandbox.name);
      },
      checkHealth: async () => {
        const adapter = await connectAdapter(target, { timeoutMs: 2000 });
        try {
          const status = await adapter.status();
          const down = status.members.filter((member) => !member.reachable);
          if (status.leaderId === undefined || down.length > 0)
            throw new UnreachableError(
              'RESTORED_CLUSTER_UNHEALTHY',
              `the restored sandbox ${status.leaderId === undefined ? 'has no leader' : `has unreachable members: ${down.map((m) => m.name).join(', ')}`}`,
              { actions: [`quorumctl sandbox logs ${sandbox.name}`] },
            );
        } finally {
          await adapter.close();
        }
      },
      checkContent: async () => {
        const recorded = manifest.fingerprint;
        const endpoint = target.endpoints[0];
        if (recorded === undefined || endpoint === undefined || bumped) return;
        const restored = await readFingerprint(endpoint, Number(manifest.position.revision), {
          timeoutMs: 60_000,
        });
        fingerprint = {
          recorded,
          restored,
          matches: fingerprintMismatches(recorded, restored).length === 0,
        };
      },
    },
    input.signal,
  );
  return { plan, executed, restoreMs, ...(fingerprint !== undefined && { fingerprint }) };
}

/** A sandbox as a restore target: where quorumctl's adapters reach it. */
export function sandboxRestoreTarget(sandbox: SandboxListing): {
  target: ClusterTarget;
  options: ConnectOptions;
} {
  return {
    target: { name: sandbox.name, kind: sandbox.kind, ...sandboxTarget(sandbox) },
    options: { timeoutMs: 5000 },
  };
}

export interface SandboxRestoreOutcome {
  /** From the first member stopped to a healthy cluster (etcd). */
  restoreMs?: number;
  /** What was restored, e.g. `12 znodes` (logical restores). */
  restored: string;
  /** The content read back matches the fingerprint recorded at backup time. */
  matches: boolean;
}

/**
 * Restores `manifest` into a sandbox that holds no data yet (disaster recovery into a new
 * cluster): refused (exit 4) when it has a leader and data, so nothing is ever overwritten.
 */
export async function restoreBackupIntoSandbox(input: {
  manifest: BackupManifest;
  dataPath: string;
  support: BackupKindSupport;
  sandbox: SandboxListing;
  stateDir: string;
  signal: AbortSignal;
}): Promise<SandboxRestoreOutcome> {
  const { manifest, support, sandbox } = input;
  if (sandbox.kind !== manifest.systemKind) {
    throw new UsageError(
      'RESTORE_KIND_MISMATCH',
      `backup ${manifest.name} is a ${manifest.systemKind} backup; sandbox "${sandbox.name}" runs ${sandbox.kind}`,
      { actions: ['restore into a sandbox of the same kind'] },
    );
  }
  const restoreInto = support.restoreInto?.bind(support);
  if (restoreInto !== undefined) {
    const { target, options } = sandboxRestoreTarget(sandbox);
    const result = await restoreInto({ manifest, dataPath: input.dataPath, target, options });
    return {
      restored: Object.entries(result.restored)
        .map(([what, count]) => `${count} ${what}`)
        .join(', '),
      matches:
        result.fingerprint === undefined ||
        manifest.fingerprint === undefined ||
        fingerprintMismatches(manifest.fingerprint, result.fingerprint).length === 0,
    };
  }
  if (support.planRestore === undefined) {
    throw new UsageError(
      'RESTORE_NOT_SUPPORTED',
      `quorumctl cannot restore ${manifest.systemKind}`,
    );
  }
  // A new cluster: nothing in it may be replaced without the operator forcing it by name.
  guardRestore(await sandboxFacts(sandbox), { force: false, yes: false, interactive: false });
  const members = sandboxRestoreMembers(sandbox, compactTimestamp(new Date()));
  const token = `quorumctl-restore-${randomBytes(6).toString('hex')}`;
  const plan = support.planRestore({
    manifest,
    dataPath: input.dataPath,
    targetCluster: sandbox.name,
    members,
    clusterToken: token,
    serverVersion: sandbox.version,
  });
  const report = await executeOnSandbox({
    plan,
    manifest,
    support,
    sandbox,
    stateDir: input.stateDir,
    members,
    dataPath: input.dataPath,
    token,
    signal: input.signal,
  });
  return {
    restoreMs: report.restoreMs,
    restored: `${members.length} members from revision ${String(manifest.position.revision)}`,
    matches: report.fingerprint?.matches !== false,
  };
}
