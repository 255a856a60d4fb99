/**
 * What a system kind provides to take, check, restore-test and restore its backups. Each kind
 * implements `BackupKindSupport` in `systems/<kind>/` and is listed in
 * `systems/backup-registry.ts`; `ops/backup*` drives it and owns the storage rules (temporary
 * name, SHA-256, fsync, atomic rename, manifest last), so a kind never touches storage.
 */
import type { SystemKind } from '../model.js';
import type { ClusterTarget, ConnectOptions } from '../ports.js';
import type { BackupManifest } from './manifest.js';

/**
 * What a restore must reproduce, as flat facts compared one by one: etcd `keyCount` and
 * `hashKv` at `revision`; ZooKeeper a tree digest; NATS message counts and last sequences.
 */
export type BackupFingerprint = Record<string, string | number>;

/** Where a producer sends the data. ops/ hashes, counts and stores what it receives. */
export interface BackupSink {
  /** Resolves once the chunk is taken: awaiting each write is the backpressure. */
  write(chunk: Uint8Array): Promise<void>;
  /** The expected total size once known (etcd's remainingBytes), for progress and ETA. */
  expectTotalBytes(totalBytes: number): void;
}

export interface ProduceBackupRequest {
  /** The operator's choice of member (name, ID or client URL); otherwise the kind picks. */
  member?: string;
  /** Kind-specific selection (NATS: stream names; ZooKeeper: a root path); empty = all. */
  include?: readonly string[];
  /** Kind-specific wire protocol (etcd: `grpc`, `gateway`, or `auto` = gRPC, else the gateway). */
  transport?: string;
  signal?: AbortSignal;
}

export interface ProducedBackup {
  /** The member the data was read from, by name (as status shows it). */
  member: string;
  /** etcd `{revision}`, ZooKeeper `{zxidStart, zxidEnd}`, NATS `{lastSeq...}`. */
  position: Record<string, string | number>;
  /** Recorded in the manifest; a restore test must read the same facts back. */
  fingerprint?: BackupFingerprint;
  /** The server's version on that member: restores depend on it (etcd 3.5 can bump revisions). */
  serverVersion?: string;
  /** One-line notes for the operator (e.g. why a member was chosen). */
  notes?: string[];
}

/** Reads one backup from a live cluster; `close` releases connections. */
export interface BackupProducer {
  produce(request: ProduceBackupRequest, sink: BackupSink): Promise<ProducedBackup>;
  close(): Promise<void>;
}

/** The outcome of parsing a backup's data offline (after its SHA-256 matched). */
export interface BackupStructureCheck {
  ok: boolean;
  /** What was found, e.g. etcd `{revision, totalKeys, pageSizeBytes}`. */
  facts: Record<string, string | number>;
  /** Why it is not usable, one line, when `ok` is false. */
  problem?: string;
}

/** A throwaway cluster of a kind, for restore tests (the CLI backs it with sandbox/). */
export interface ThrowawayCluster {
  target: ClusterTarget;
  /** Stops every process and removes every file; safe to call twice. */
  destroy(): Promise<void>;
}

export interface ThrowawayClusters {
  start(kind: SystemKind, members: number, signal?: AbortSignal): Promise<ThrowawayCluster>;
}

export interface RestoreTestInput {
  manifest: BackupManifest;
  /** The data on local disk (ops/ copies it there first when storage is remote). */
  dataPath: string;
  /** An empty directory for this test, removed by ops/ afterwards. */
  workDir: string;
  /** For kinds that restore logically into a fresh cluster (ZooKeeper, NATS). */
  throwaway: ThrowawayClusters;
  signal?: AbortSignal;
}

export interface RestoreTestResult {
  /** Time from starting the restore to the restored cluster answering reads (the RTO). */
  restoreMs: number;
  /** Read back from the restored cluster, compared with the manifest's fingerprint. */
  fingerprint: BackupFingerprint;
}

/** One step of a restore plan: what happens, on which member, and the command if any. */
export interface RestoreStep {
  /** Stable within a plan, e.g. `stop-members`, `restore-data:m1`. */
  id: string;
  title: string;
  member?: string;
  /** A shell command an operator can run by hand (the plan is useful without --execute). */
  command?: string;
  /** Why the step is there, or what to check after it. */
  detail?: string;
}

export interface RestorePlan {
  apiVersion: 'quorumctl/v1';
  kind: 'RestorePlan';
  backup: string;
  systemKind: SystemKind;
  /** The cluster to be restored, as named by the operator. */
  targetCluster: string;
  steps: RestoreStep[];
  /** What the operator must know (e.g. no revision bump on etcd 3.4 and what watchers see). */
  warnings: string[];
}

export interface RestoreMember {
  name: string;
  /** Where clients reach it after the restore. */
  clientUrl: string;
  /** etcd: the peer URL the restored cluster uses. */
  peerUrl?: string;
  /** etcd: the new data directory (must not exist yet). */
  dataDir?: string;
}

export interface RestoreRequest {
  manifest: BackupManifest;
  /** Where the data will be read from by the steps, e.g. a local path. */
  dataPath: string;
  targetCluster: string;
  members: RestoreMember[];
  /** A fresh cluster token (etcd): the restored cluster must not join the old one. */
  clusterToken?: string;
  /** The server version, when known: decides e.g. whether etcd can bump revisions. */
  serverVersion?: string;
  /** etcd: raise revisions on restore (3.5+ tools). Default: whenever the version allows. */
  bumpRevision?: boolean;
}

/** Everything a kind offers for backups; optional parts are reported as not supported. */
export interface BackupKindSupport {
  readonly kind: SystemKind;
  /** `BACKUP_FORMATS[kind]`. */
  readonly format: string;
  /** The data file's extension including the dot, e.g. `.db`, `.json`, `.tar`. */
  readonly dataFileExtension: string;
  openProducer(target: ClusterTarget, options: ConnectOptions): BackupProducer;
  /** Must read `data` to the end: ops/ hashes the same bytes on their way in. */
  checkStructure(
    data: AsyncIterable<Uint8Array>,
    manifest: BackupManifest,
  ): Promise<BackupStructureCheck>;
  restoreTest?(input: RestoreTestInput): Promise<RestoreTestResult>;
  /** Pure: the steps, in order. */
  planRestore?(request: RestoreRequest): RestorePlan;
  /** The members a restore plan covers, read from the live cluster (names, client and peer URLs). */
  restoreMembers?(target: ClusterTarget, options: ConnectOptions): Promise<RestoreMember[]>;
  /**
   * Logical restore into a running, empty cluster (ZooKeeper's tree, NATS streams); etcd
   * restores data directories instead, which ops/ drives from the plan.
   */
  restoreInto?(input: RestoreIntoInput): Promise<RestoreIntoResult>;
}

export interface RestoreIntoInput {
  manifest: BackupManifest;
  dataPath: string;
  target: ClusterTarget;
  options: ConnectOptions;
}

export interface RestoreIntoResult {
  /** What was written, e.g. `{znodes: 2000}` or `{streams: 1, messages: 10000}`. */
  restored: Record<string, number>;
  /** Read back after the restore, compared with the manifest's fingerprint. */
  fingerprint?: BackupFingerprint;
}

/** Fingerprint facts that differ: each recorded fact must be read back with the same value. */
export function fingerprintMismatches(
  recorded: BackupFingerprint,
  restored: BackupFingerprint,
): { fact: string; recorded: string | number; restored: string | number | undefined }[] {
  return Object.entries(recorded)
    .filter(([fact, value]) => String(restored[fact]) !== String(value))
    .map(([fact, value]) => ({ fact, recorded: value, restored: restored[fact] }));
}
