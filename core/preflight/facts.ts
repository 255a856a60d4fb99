/**
 * What `preflight` judges: the planned configuration of each member, as read from the
 * operator's files, and optionally facts of the host that will run a member.
 */
import type { SourceLocation } from '../findings.js';
import type { SystemKind } from '../model.js';

export const CONFIG_FORMATS = [
  /** etcd command-line flags: a shell line, a systemd ExecStart, or one flag per line. */
  'etcd-flags',
  /** etcd's --config-file YAML. */
  'etcd-yaml',
  /** A Kubernetes static pod, Pod or StatefulSet manifest running etcd. */
  'kubernetes',
  /** ZooKeeper zoo.cfg, with its dynamic config file when one is referenced or given. */
  'zoo.cfg',
  /** Kafka server.properties (KRaft). */
  'server.properties',
  /** nats-server configuration. */
  'nats-conf',
] as const;
export type ConfigFormat = (typeof CONFIG_FORMATS)[number];

/** One setting with where it was written, so a finding can point at the line. */
export interface ConfigSetting {
  /**
   * The system's own name for it, normalized per kind: etcd flag names without dashes
   * in front (`quota-backend-bytes`, also for YAML and manifests), zoo.cfg and Kafka keys
   * as written, NATS keys as dotted paths (`jetstream.sync_interval`).
   */
  key: string;
  value: string;
  location: SourceLocation;
}

export interface PlannedConfig {
  kind: SystemKind;
  format: ConfigFormat;
  file: string;
  /** The member this configuration is for, when known (etcd --name, zoo myid, node.id). */
  member?: string;
  /**
   * Where findings about a setting the configuration lacks point: a manifest's etcd
   * container, for instance. Absent: the top of the file.
   */
  origin?: SourceLocation;
  settings: ConfigSetting[];
}

/** Facts of the host a member will run on, gathered by `preflight --host`. */
export interface HostFacts {
  hostname: string;
  /** The data directory probed (it or its nearest existing parent). */
  dataDir: string;
  /** fdatasync latency p99 of sequential 2300-byte writes on the data directory's filesystem. */
  fsyncP99Ms?: number;
  /** Which probe measured it: `fio` when installed, otherwise quorumctl's own. */
  fsyncProbe?: 'fio' | 'builtin';
  /** The block device under the data directory spins (HDD). */
  rotational?: boolean;
  freeBytes?: number;
  totalBytes?: number;
  /** Octal permission bits of the data directory when it exists, e.g. 0o700. */
  dataDirMode?: number;
  swapTotalBytes?: number;
  memoryTotalBytes?: number;
  cpuCount?: number;
  /** TCP connect round trip to each peer named in the configuration. */
  peerRtts?: PeerRtt[];
  /** statfs type of the data directory's filesystem, e.g. `ext4`, `tmpfs`, `overlay`. */
  filesystemType?: string;
  /** The block device under the data directory, e.g. `vda`. */
  disk?: string;
  /** False when the data directory does not exist yet and its nearest parent was probed. */
  dataDirExists?: boolean;
  /** Why a fact is missing or how to read it (a tmpfs skips the fsync probe, ...). */
  notes?: string[];
}

export interface PeerRtt {
  peer: string;
  /** Median of a few connects; absent when the peer did not answer. */
  rttMs?: number;
  error?: string;
}

export interface PreflightFacts {
  configs: PlannedConfig[];
  host?: HostFacts;
}

/** The last setting named `key` wins, as in the systems' own parsers. */
export function settingOf(config: PlannedConfig, key: string): ConfigSetting | undefined {
  for (let index = config.settings.length - 1; index >= 0; index -= 1) {
    const setting = config.settings[index];
    if (setting?.key === key) return setting;
  }
  return undefined;
}
