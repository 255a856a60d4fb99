/**
 * Backup use cases for every kind: create (stream, hash, commit, manifest last), list,
 * verify (re-hash, structure, optional restore test with the RTO recorded), prune, and the
 * safety backup other mutating commands take first. The kind and the storage come in as
 * ports, so this module never knows etcd from ZooKeeper or a directory from a bucket.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import {
  backupName,
  isVerified,
  type BackupManifest,
  type BackupVerification,
} from '../core/backup/manifest.js';
import {
  fingerprintMismatches,
  type BackupKindSupport,
  type BackupStructureCheck,
  type ThrowawayClusters,
} from '../core/backup/producer.js';
import { planRetention, type RetentionPolicy, type KeepReason } from '../core/backup/retention.js';
import type { BackupStorage, BackupWriter } from '../core/backup/storage.js';
import {
  describeCause,
  InterruptedError,
  isQuorumctlError,
  UnsafeOperationError,
  UnsupportedOperationError,
  UsageError,
} from '../core/errors.js';
import type { Clock, ClusterTarget, ConnectOptions } from '../core/ports.js';

const SYSTEM_CLOCK: Clock = { now: () => new Date() };
/** A backup that picked a taken name (two in one second) tries `-2`, `-3`, ... */
const NAME_ATTEMPTS = 5;

export interface BackupProgress {
  bytesWritten: number;
  totalBytes?: number;
  elapsedMs: number;
}

export interface CreateBackupInput {
  target: ClusterTarget;
  options: ConnectOptions;
  support: BackupKindSupport;
  storage: BackupStorage;
  member?: string;
  include?: readonly string[];
  /** Kind-specific wire protocol (etcd: grpc, gateway, auto). */
  transport?: string;
  toolVersion: string;
  trigger?: string;
  clock?: Clock;
  signal?: AbortSignal;
  onProgress?: (progress: BackupProgress) => void;
}

export interface CreatedBackup {
  manifest: BackupManifest;
  notes: string[];
  durationMs: number;
  bytesPerSecond: number;
}

export async function createBackup(input: CreateBackupInput): Promise<CreatedBackup> {
  const clock = input.clock ?? SYSTEM_CLOCK;
  const startedAt = clock.now();
  const started = performance.now();
  const { name, writer } = await beginUnderFreshName(input, startedAt);
  const producer = input.support.openProducer(input.target, input.options);
  let bytesWritten = 0;
  let totalBytes: number | undefined;
  try {
    const produced = await producer.produce(
      {
        ...(input.member !== undefined && { member: input.member }),
        ...(input.include !== undefined && { include: input.include }),
        ...(input.transport !== undefined && { transport: input.transport }),
        ...(input.signal !== undefined && { signal: input.signal }),
      },
      {
        write: async (chunk) => {
          await writer.write(chunk);
          bytesWritten += chunk.byteLength;
          input.onProgress?.({
            bytesWritten,
            ...(totalBytes !== undefined && { totalBytes }),
            elapsedMs: performance.now() - started,
          });
        },
        expectTotalBytes: (bytes) => {
          totalBytes = bytes;
        },
      },
    );
    // An interrupt that arrives after the last byte still means "do not keep it".
    input.signal?.throwIfAborted();
    const { sizeBytes, sha256 } = await writer.commit();
    const manifest: BackupManifest = {
      apiVersion: 'quorumctl/v1',
      kind: 'BackupManifest',
      name,
      cluster: input.target.name,
      systemKind: input.support.kind,
      format: input.support.format,
      member: produced.member,
      position: produced.position,
      dataFile: `${name}${input.support.dataFileExtension}`,
      sizeBytes,
      sha256,
      startedAt: startedAt.toISOString(),
      finishedAt: clock.now().toISOString(),
      toolVersion: input.toolVersion,
      trigger: input.trigger ?? 'manual',
      ...(produced.serverVersion !== undefined && { serverVersion: produced.serverVersion }),
      ...(produced.fingerprint !== undefined && { fingerprint: produced.fingerprint }),
    };
    try {
      await input.storage.writeManifest(manifest);
    } catch (cause) {
      // Data without a manifest is not a backup; do not leave it looking like one either.
      await input.storage.remove(manifest).catch(() => undefined);
      throw cause;
    }
    const durationMs = performance.now() - started;
    return {
      manifest,
      notes: produced.notes ?? [],
      durationMs: Math.round(durationMs),
      bytesPerSecond: durationMs > 0 ? Math.round(sizeBytes / (durationMs / 1000)) : 0,
    };
  } catch (cause) {
    await writer.abort();
    if (input.signal?.aborted === true) {
      throw new InterruptedError(
        'BACKUP_INTERRUPTED',
        `backup ${name} interrupted after ${bytesWritten} bytes: nothing was kept`,
        { cause },
      );
    }
    throw cause;
  } finally {
    await producer.close();
  }
}

async function beginUnderFreshName(
  input: CreateBackupInput,
  startedAt: Date,
): Promise<{ name: string; writer: BackupWriter }> {
  const base = backupName(input.target.name, startedAt);
  for (let attempt = 1; ; attempt += 1) {
    const name = attempt === 1 ? base : `${base}-${attempt}`;
    try {
      return {
        name,
        writer: await input.storage.begin(name, `${name}${input.support.dataFileExtension}`),
      };
    } catch (cause) {
      const taken =
        isQuorumctlError(cause) &&
        (cause.code === 'BACKUP_EXISTS' || cause.code === 'BACKUP_IN_PROGRESS');
      if (!taken || attempt >= NAME_ATTEMPTS) throw cause;
    }
  }
}

export interface IncompleteEntry {
  entry: string;
  why: string;
}

export interface BackupListing {
  destination: string;
  backups: BackupManifest[];
  /** Leftovers of interrupted or failed backups: never backups. */
  incomplete: IncompleteEntry[];
}

export async function listBackups(
  storage: BackupStorage,
  filter: { cluster?: string } = {},
): Promise<BackupListing> {
  const { backups, incomplete } = await storage.list();
  return {
    destination: storage.location,
    backups:
      filter.cluster === undefined
        ? backups
        : backups.filter((manifest) => manifest.cluster === filter.cluster),
    incomplete: incomplete.map((entry) => ({ entry, why: whyIncomplete(entry) })),
  };
}

export function whyIncomplete(entry: string): string {
  if (entry.endsWith('.part'))
    return 'data never completed (interrupted, failed, or still running)';
  if (entry.endsWith('.tmp')) return 'manifest write interrupted';
  if (entry.endsWith('.manifest.json'))
    return 'manifest unreadable, or its data is missing or has the wrong size';
  return 'data without a manifest (stopped before the manifest was written)';
}

export interface VerifyBackupInput {
  storage: BackupStorage;
  support: BackupKindSupport;
  /** A backup name; `latest` (or undefined) picks the newest. */
  name?: string;
  cluster?: string;
  restoreTest: boolean;
  throwaway?: ThrowawayClusters;
  clock?: Clock;
  signal?: AbortSignal;
}

export interface VerifyReport {
  backup: string;
  cluster: string;
  systemKind: string;
  ok: boolean;
  verification: BackupVerification;
  /** SHA-256 and size as found now, against the manifest's. */
  sha256: { recorded: string; actual: string };
  sizeBytes: { recorded: number; actual: number };
  structure: BackupStructureCheck;
  fingerprint?: {
    recorded?: Record<string, string | number>;
    restored?: Record<string, string | number>;
    mismatches: {
      fact: string;
      recorded: string | number;
      restored: string | number | undefined;
    }[];
  };
  notes: string[];
}

/** Manifest lookup for verify and restore: by name, or the newest (of a cluster). */
export async function findBackup(
  storage: BackupStorage,
  name: string | undefined,
  cluster?: string,
): Promise<BackupManifest> {
  const { backups } = await listBackups(storage, cluster === undefined ? {} : { cluster });
  const found =
    name === undefined || name === 'latest'
      ? backups[0]
      : backups.find((manifest) => manifest.name === name);
  if (found !== undefined) return found;
  throw new UsageError(
    'BACKUP_NOT_FOUND',
    name === undefined || name === 'latest'
      ? `no complete backup in ${storage.location}${cluster === undefined ? '' : ` for cluster "${cluster}"`}`
      : `no complete backup named "${name}" in ${storage.location}`,
    {
      actions: [
        `quorumctl backup list --dest ${storage.location} shows what is there (incomplete leftovers are never backups)`,
      ],
    },
  );
}

/** Failures of a restore test that are the backup's fault, not the test machinery's. */
const RESTORE_FAILURE_CODES = new Set([
  'RESTORE_FAILED',
  'RESTORED_MEMBER_EXITED',
  'RESTORED_MEMBER_NOT_READY',
  'RESTORE_CONTENT_INVALID',
]);

export async function verifyBackup(input: VerifyBackupInput): Promise<VerifyReport> {
  const clock = input.clock ?? SYSTEM_CLOCK;
  const manifest = await findBackup(input.storage, input.name, input.cluster);
  if (manifest.systemKind !== input.support.kind) {
    throw new UsageError(
      'BACKUP_KIND_MISMATCH',
      `backup ${manifest.name} is ${manifest.systemKind}, not ${input.support.kind}`,
    );
  }
  const notes: string[] = [];
  // One read: the bytes are hashed on their way into the structure check.
  const hash = createHash('sha256');
  let actualSize = 0;
  const data = input.storage.readData(manifest);
  const hashed = async function* () {
    for await (const chunk of data) {
      input.signal?.throwIfAborted();
      hash.update(chunk);
      actualSize += chunk.byteLength;
      yield chunk;
    }
  };
  const structure = await input.support.checkStructure(hashed(), manifest);
  const actualSha = hash.digest('hex');
  const problems: string[] = [];
  if (actualSize !== manifest.sizeBytes)
    problems.push(
      `the data is ${actualSize} bytes, the manifest recorded ${manifest.sizeBytes}: it was truncated or appended to`,
    );
  if (actualSha !== manifest.sha256)
    problems.push(
      `SHA-256 mismatch: the data hashes to ${actualSha}, the manifest recorded ${manifest.sha256}; the file changed after it was written (disk error, truncation or tampering)`,
    );
  if (!structure.ok) problems.push(structure.problem ?? 'the data does not parse');
  const verification: BackupVerification = {
    verifiedAt: clock.now().toISOString(),
    integrity: problems.length === 0 ? 'ok' : 'failed',
  };
  let fingerprint: VerifyReport['fingerprint'];
  if (problems.length > 0) {
    verification.problem = problems[0] ?? 'integrity check failed';
  } else if (input.restoreTest) {
    const outcome = await restoreTest(input, manifest, notes);
    Object.assign(verification, outcome.verification);
    fingerprint = outcome.fingerprint;
  }
  await input.storage.writeManifest({ ...manifest, verification });
  const ok = verification.integrity === 'ok' && verification.restoreTest !== 'failed';
  return {
    backup: manifest.name,
    cluster: manifest.cluster,
    systemKind: manifest.systemKind,
    ok,
    verification,
    sha256: { recorded: manifest.sha256, actual: actualSha },
    sizeBytes: { recorded: manifest.sizeBytes, actual: actualSize },
    structure,
    ...(fingerprint !== undefined && { fingerprint }),
    notes,
  };
}

async function restoreTest(
  input: VerifyBackupInput,
  manifest: BackupManifest,
  notes: string[],
): Promise<{
  verification: Partial<BackupVerification>;
  fingerprint: NonNullable<VerifyReport['fingerprint']>;
}> {
  const { support } = input;
  if (support.restoreTest === undefined) {
    throw new UnsupportedOperationError(
      'RESTORE_TEST_NOT_SUPPORTED',
      `quorumctl cannot restore-test ${manifest.systemKind} backups yet`,
      { actions: ['run verify without --restore-test for the integrity check alone'] },
    );
  }
  const workDir = await mkdtemp(join(tmpdir(), 'quorumctl-restore-test-'));
  try {
    let dataPath = input.storage.localPath?.(manifest);
    if (dataPath === undefined) {
      dataPath = join(workDir, manifest.dataFile);
      await pipeline(
        Readable.from(input.storage.readData(manifest)),
        createWriteStream(dataPath, { mode: 0o600 }),
      );
    }
    const throwaway: ThrowawayClusters = input.throwaway ?? {
      start: () =>
        Promise.reject(
          new UnsupportedOperationError(
            'THROWAWAY_UNAVAILABLE',
            'no throwaway clusters in this context',
          ),
        ),
    };
    let result;
    try {
      result = await support.restoreTest({
        manifest,
        dataPath,
        workDir,
        throwaway,
        ...(input.signal !== undefined && { signal: input.signal }),
      });
    } catch (cause) {
      if (isQuorumctlError(cause) && RESTORE_FAILURE_CODES.has(cause.code)) {
        return {
          verification: { restoreTest: 'failed', problem: `restore failed: ${cause.message}` },
          fingerprint: { mismatches: [] },
        };
      }
      throw cause;
    }
    const recorded = manifest.fingerprint;
    if (recorded === undefined)
      notes.push('the manifest has no fingerprint: the restore ran, but nothing was compared');
    const mismatches =
      recorded === undefined ? [] : fingerprintMismatches(recorded, result.fingerprint);
    return {
      verification: {
        restoreTest: mismatches.length === 0 ? 'ok' : 'failed',
        restoreMs: result.restoreMs,
        ...(mismatches.length > 0 && {
          problem: `restored content differs: ${mismatches
            .map((m) => `${m.fact} ${String(m.restored)} (recorded ${String(m.recorded)})`)
            .join(', ')}`,
        }),
      },
      fingerprint: {
        ...(recorded !== undefined && { recorded }),
        restored: result.fingerprint,
        mismatches,
      },
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

export interface PruneInput {
  storage: BackupStorage;
  policy: RetentionPolicy;
  dryRun: boolean;
  cluster?: string;
  /** Leftovers of interrupted backups older than this are removed too (default 1 h). */
  leftoverAgeMs?: number;
  clock?: Clock;
}

export interface PruneReport {
  destination: string;
  dryRun: boolean;
  keep: { name: string; cluster: string; reasons: KeepReason[] }[];
  remove: { name: string; cluster: string; sizeBytes: number }[];
  /** Incomplete leftovers removed (or, with dryRun, that would be). */
  leftovers: string[];
  freedBytes: number;
}

/** Retention per cluster: one destination may hold backups of several clusters. */
export async function pruneBackups(input: PruneInput): Promise<PruneReport> {
  const clock = input.clock ?? SYSTEM_CLOCK;
  const listing = await listBackups(
    input.storage,
    input.cluster === undefined ? {} : { cluster: input.cluster },
  );
  const byCluster = new Map<string, BackupManifest[]>();
  for (const manifest of listing.backups)
    byCluster.set(manifest.cluster, [...(byCluster.get(manifest.cluster) ?? []), manifest]);
  const report: PruneReport = {
    destination: input.storage.location,
    dryRun: input.dryRun,
    keep: [],
    remove: [],
    leftovers: [],
    freedBytes: 0,
  };
  for (const [cluster, manifests] of [...byCluster.entries()].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const byName = new Map(manifests.map((manifest) => [manifest.name, manifest]));
    const plan = planRetention(
      manifests.map((manifest) => ({
        name: manifest.name,
        takenAt: new Date(manifest.startedAt),
        verified: isVerified(manifest),
      })),
      input.policy,
    );
    report.keep.push(...plan.keep.map((kept) => ({ ...kept, cluster })));
    for (const name of plan.remove) {
      const manifest = byName.get(name);
      if (manifest === undefined) continue;
      if (!input.dryRun) await input.storage.remove(manifest);
      report.remove.push({ name, cluster, sizeBytes: manifest.sizeBytes });
      report.freedBytes += manifest.sizeBytes;
    }
  }
  const olderThan = new Date(clock.now().getTime() - (input.leftoverAgeMs ?? 3_600_000));
  for (const { entry } of listing.incomplete) {
    if (input.dryRun || input.storage.removeIncomplete === undefined) {
      report.leftovers.push(entry);
      continue;
    }
    if (await input.storage.removeIncomplete(entry, olderThan).catch(() => false))
      report.leftovers.push(entry);
  }
  return report;
}

export interface SafetyBackupInput extends Omit<CreateBackupInput, 'trigger' | 'member'> {
  /** The command about to change the cluster, e.g. `defrag`, `member remove`. */
  before: string;
}

/**
 * The backup a mutating command takes first (unless --no-backup): a normal backup, marked
 * `safety:<command>`, whose data is re-read and checked before the command may go on. A
 * failure throws: the caller must not change the cluster without its safety net.
 */
export async function takeSafetyBackup(input: SafetyBackupInput): Promise<CreatedBackup> {
  const created = await createBackup({ ...input, trigger: `safety:${input.before}` });
  const report = await verifyBackup({
    storage: input.storage,
    support: input.support,
    name: created.manifest.name,
    restoreTest: false,
    ...(input.clock !== undefined && { clock: input.clock }),
    ...(input.signal !== undefined && { signal: input.signal }),
  });
  if (!report.ok) {
    throw new UnsafeOperationError(
      'SAFETY_BACKUP_FAILED',
      `the safety backup before ${input.before} did not verify: ${report.verification.problem ?? 'unknown problem'}`,
      {
        actions: [
          'fix the backup destination and run the command again',
          'or pass --no-backup to go ahead without a safety net (not recommended)',
        ],
      },
    );
  }
  return {
    ...created,
    manifest: { ...created.manifest, verification: report.verification },
  };
}

export function describeFailure(cause: unknown): { code: string; message: string } {
  return isQuorumctlError(cause)
    ? { code: cause.code, message: cause.message }
    : { code: 'UNKNOWN', message: describeCause(cause) };
}
