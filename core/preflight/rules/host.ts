/** Host preflight rules: facts of the machine a member will run on (`preflight --host`). */
import { findingOf, type Finding, type RuleInfo } from '../../findings.js';
import { settingOf, type HostFacts, type PreflightFacts } from '../facts.js';
import { quotaBytes } from './etcd.js';
import {
  configsOf,
  formatBytes,
  numberOf,
  preflightRule,
  REFERENCE,
  type PreflightRule,
} from './common.js';
import { jetStreamEnabled } from './nats.js';

export const HOST_THRESHOLDS = {
  maxFsyncP99Ms: 10,
  /** Permission bits nobody but the owner may have on a data directory. */
  groupOtherBits: 0o077,
} as const;

const T = HOST_THRESHOLDS;
const allKinds = ['etcd', 'zookeeper', 'kraft', 'nats'] as const;

function hostFinding(
  info: RuleInfo,
  host: HostFacts,
  message: string,
  values: Pick<Finding, 'observed' | 'threshold'>,
): Finding {
  return findingOf(info, message, { subject: host.hostname, ...values });
}

/** The space a member may need: etcd's quota, or JetStream's max_file_store when set. */
export function plannedStorageBytes(facts: PreflightFacts): number | undefined {
  const etcd = configsOf(facts, 'etcd').map((config) => quotaBytes(config));
  const nats = configsOf(facts, 'nats')
    .filter((config) => jetStreamEnabled(config))
    .map((config) =>
      settingOf(config, 'jetstream.max_file_store') === undefined
        ? numberOf(config, 'jetstream.max_file', 0)
        : numberOf(config, 'jetstream.max_file_store', 0),
    )
    .filter((bytes) => bytes > 0);
  const all = [...etcd, ...nats];
  return all.length === 0 ? undefined : Math.max(...all);
}

const fsync1 = preflightRule(
  {
    id: 'HOST-FSYNC-1',
    kinds: allKinds,
    severity: 'critical',
    title: 'fsync p99 under 10 ms on the data directory',
    why: "Every commit waits for the log fsync: with a p99 of 10 ms or more, leaders miss heartbeats under load and the cluster re-elects. The threshold is etcd's; ZooKeeper, KRaft and JetStream sync their logs on the same path and suffer alike [derived].",
    threshold: `fdatasync p99 of sequential 2300-byte writes < ${T.maxFsyncP99Ms} ms (fio recipe, or the built-in probe)`,
    source: `etcd-io/website content/en/docs/v3.6/faq.md l.145; IBM "Using fio to tell whether your storage is fast enough for etcd" (${REFERENCE} §3.1 E-DISK-1)`,
    remedy:
      'Put the data directory (the WAL at least) on a local SSD or NVMe disk; avoid network and burstable volumes.',
  },
  (facts, info) => {
    const host = facts.host;
    if (host?.fsyncP99Ms === undefined || host.fsyncP99Ms < T.maxFsyncP99Ms) return [];
    return [
      hostFinding(
        info,
        host,
        `fsync p99 on ${host.dataDir} is ${host.fsyncP99Ms.toFixed(1)} ms (${host.fsyncProbe ?? 'probe'}), at or above ${T.maxFsyncP99Ms} ms`,
        { observed: host.fsyncP99Ms, threshold: T.maxFsyncP99Ms },
      ),
    ];
  },
  'host',
);

const disk1 = preflightRule(
  {
    id: 'HOST-DISK-1',
    kinds: allKinds,
    severity: 'warn',
    title: 'An SSD under the data directory',
    why: 'A spinning disk seeks for every fsync: tens of milliseconds per commit once another process touches the disk. The etcd hardware guide recommends SSDs.',
    threshold: "the data directory's block device is not rotational",
    source: `etcd-io/website op-guide/hardware.md l.30; tuning.md "Disk" (${REFERENCE} §3.1 E-DISK-4)`,
    remedy:
      'Move the data directory to an SSD; if that is impossible, give it a dedicated disk and ionice -c2 -n0.',
  },
  (facts, info) => {
    const host = facts.host;
    if (host?.rotational !== true) return [];
    return [
      hostFinding(info, host, `${host.dataDir} is on a rotational disk`, {
        observed: 'rotational',
        threshold: 'SSD',
      }),
    ];
  },
  'host',
);

const space1 = preflightRule(
  {
    id: 'HOST-SPACE-1',
    kinds: ['etcd', 'nats'],
    severity: 'critical',
    title: 'Free space for the whole quota',
    why: 'A member whose disk fills before its database reaches the quota fails its writes (etcd raises NOSPACE, JetStream stops accepting messages) long before any alert on the quota fires.',
    threshold:
      "free bytes on the data directory's filesystem >= the planned quota (etcd quota-backend-bytes, default 2 GiB; JetStream max_file_store when set)",
    source: `[derived] etcd-io/etcd server/storage/quota.go l.30-33 (${REFERENCE} §3.1 E-QUOTA-1)`,
    remedy:
      'Give the data directory a filesystem with room for the quota (plus snapshots and the WAL), or lower the quota.',
  },
  (facts, info) => {
    const host = facts.host;
    const quota = plannedStorageBytes(facts);
    if (host?.freeBytes === undefined || quota === undefined || host.freeBytes >= quota) return [];
    return [
      hostFinding(
        info,
        host,
        `${formatBytes(host.freeBytes)} free on ${host.dataDir}, less than the planned quota of ${formatBytes(quota)}`,
        { observed: host.freeBytes, threshold: quota },
      ),
    ];
  },
  'host',
);

const swap1 = preflightRule(
  {
    id: 'HOST-SWAP-1',
    kinds: allKinds,
    severity: 'warn',
    title: 'No swap',
    why: 'A member whose memory is swapped out stalls for disk reads in the middle of a heartbeat or a GC: the ZooKeeper admin guide says swapping must be avoided, and the same stall costs etcd and KRaft leaderships [derived for them].',
    threshold: 'swap total = 0',
    source: `apache/zookeeper zookeeperAdmin.md @ release-3.9.5 l.177-182, l.374-380 (${REFERENCE} §3.2 Z-MEM-1)`,
    remedy:
      'Turn swap off (swapoff -a and remove it from /etc/fstab) and size the memory for the data set.',
  },
  (facts, info) => {
    const host = facts.host;
    if (host?.swapTotalBytes === undefined || host.swapTotalBytes === 0) return [];
    return [
      hostFinding(info, host, `swap is on (${formatBytes(host.swapTotalBytes)})`, {
        observed: host.swapTotalBytes,
        threshold: 0,
      }),
    ];
  },
  'host',
);

const rtt1 = preflightRule(
  {
    id: 'HOST-RTT-1',
    kinds: allKinds,
    severity: 'warn',
    title: 'Every peer answers',
    why: 'A peer this host cannot reach now will not be reachable for replication either: a firewall or a wrong address in the configuration leaves the cluster one member short from the start.',
    threshold: 'a TCP connect to every peer named in the configuration succeeds',
    source: `etcd-io/website content/en/docs/v3.6/tuning.md l.14-18 (RTT measured to :2380) (${REFERENCE} §3.1 E-TIME-1)`,
    remedy:
      'Open the peer ports between members and check the peer addresses in the configuration.',
  },
  (facts, info) => {
    const host = facts.host;
    if (host === undefined) return [];
    return (host.peerRtts ?? [])
      .filter((peer) => peer.rttMs === undefined)
      .map((peer) =>
        findingOf(
          info,
          `peer ${peer.peer} did not answer${peer.error === undefined ? '' : `: ${peer.error}`}`,
          {
            subject: host.hostname,
            observed: peer.error ?? 'no answer',
            threshold: 'reachable',
          },
        ),
      );
  },
  'host',
);

const perm1 = preflightRule(
  {
    id: 'HOST-PERM-1',
    kinds: allKinds,
    severity: 'warn',
    title: 'Data directory readable by its owner only',
    why: "The data directory holds every key and value (secrets included) in the clear; CIS asks for 700 or stricter on etcd's, and the same holds for any consensus store [derived for the others].",
    threshold: 'permissions 700 or stricter (no group or other bits)',
    source: `aquasecurity/kube-bench cfg/cis-1.12/master.yaml l.148-162, check 1.1.11 (${REFERENCE} §3.1 E-FS-1)`,
    remedy: 'chmod 700 the data directory (and chown it to the service user).',
  },
  (facts, info) => {
    const host = facts.host;
    if (host?.dataDirMode === undefined || (host.dataDirMode & T.groupOtherBits) === 0) return [];
    const mode = (host.dataDirMode & 0o777).toString(8).padStart(3, '0');
    return [
      hostFinding(info, host, `${host.dataDir} has mode ${mode}: group or others may read it`, {
        observed: mode,
        threshold: '700',
      }),
    ];
  },
  'host',
);

const MEMORY_FILESYSTEMS = new Set(['tmpfs', 'ramfs']);

const fs1 = preflightRule(
  {
    id: 'HOST-FS-1',
    kinds: allKinds,
    severity: 'critical',
    title: 'A data directory that survives a reboot',
    why: '[derived] A data directory on tmpfs or ramfs lives in memory: fsync returns at once and everything is gone after a reboot, so a member that restarts comes back empty and a majority that loses power loses acknowledged writes. The fsync rules assume a disk under the log.',
    threshold: 'the data directory is not on tmpfs or ramfs',
    source: `[derived] from the durability assumption of etcd-io/website faq.md l.145 (${REFERENCE} §3.1 E-DISK-1)`,
    remedy: 'Put the data directory on a disk-backed filesystem (ext4 or xfs on an SSD).',
  },
  (facts, info) => {
    const host = facts.host;
    const type = host?.filesystemType;
    if (host === undefined || type === undefined || !MEMORY_FILESYSTEMS.has(type)) return [];
    return [
      hostFinding(
        info,
        host,
        `${host.dataDir} is on ${type}: its contents do not survive a reboot`,
        {
          observed: type,
          threshold: 'a disk-backed filesystem',
        },
      ),
    ];
  },
  'host',
);

export const HOST_RULES: readonly PreflightRule[] = [
  fsync1,
  fs1,
  disk1,
  space1,
  swap1,
  rtt1,
  perm1,
];
