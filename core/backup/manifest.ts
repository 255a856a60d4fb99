/**
 * What a backup is: the manifest written next to its data once the data is complete, and
 * the one place that says which backups count as good.
 */
import type { SystemKind } from '../model.js';

export const BACKUP_FORMATS = {
  etcd: 'etcd-snapshot',
  zookeeper: 'zookeeper-tree-dump',
  nats: 'jetstream-stream-snapshot',
} as const satisfies Partial<Record<SystemKind, string>>;

export interface BackupVerification {
  /** ISO 8601. */
  verifiedAt: string;
  /** The data re-hashed to the manifest's sha256 and its structure parsed. */
  integrity: 'ok' | 'failed';
  /** A restore into a throwaway sandbox matched the source (key count and hash, tree digest). */
  restoreTest?: 'ok' | 'failed';
  /** Measured restore time (the RTO evidence), milliseconds. */
  restoreMs?: number;
  /** Why it failed, one line. */
  problem?: string;
}

export interface BackupManifest {
  apiVersion: 'quorumctl/v1';
  kind: 'BackupManifest';
  /** Unique within a destination: `<cluster>-<UTC timestamp>`, filesystem-safe. */
  name: string;
  cluster: string;
  systemKind: SystemKind;
  format: string;
  /** The member the data was read from. */
  member: string;
  /** etcd: the snapshot's revision; ZooKeeper: the zxid range read in; NATS: last sequence. */
  position: Record<string, string | number>;
  /** File name of the data, relative to the manifest. */
  dataFile: string;
  sizeBytes: number;
  sha256: string;
  startedAt: string;
  finishedAt: string;
  toolVersion: string;
  /** Why it was taken: `manual`, `schedule`, or `safety:<command>` before a risky change. */
  trigger?: string;
  /** The server version of the member read from, when known (restore options depend on it). */
  serverVersion?: string;
  /**
   * What a restore must reproduce (etcd: keyCount and hashKv at the revision), read from the
   * source when the backup was taken; see core/backup/producer.ts.
   */
  fingerprint?: Record<string, string | number>;
  verification?: BackupVerification;
}

/** A manifest with a data file of the recorded size is complete; verified ones are proven. */
export function isVerified(manifest: BackupManifest): boolean {
  return (
    manifest.verification?.integrity === 'ok' && manifest.verification.restoreTest !== 'failed'
  );
}

/** `20261129T053800Z`: UTC, sorts by time, safe in file names and object keys. */
export function compactTimestamp(time: Date): string {
  return time
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** `prod-20261129T053800Z`: sorts by time, safe in file names and object keys. */
export function backupName(cluster: string, startedAt: Date): string {
  const stamp = compactTimestamp(startedAt);
  const safeCluster = cluster.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '');
  return `${safeCluster === '' ? 'cluster' : safeCluster}-${stamp}`;
}
