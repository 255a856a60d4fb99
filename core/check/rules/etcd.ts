/**
 * etcd rules on what only etcd exposes: disk latency histograms and failed proposals from
 * /metrics over the window, database fragmentation, and HashKV agreement between members.
 * The quota-exhaustion estimate is shared with NATS (any kind with a quota).
 */
import type { Finding, RuleInfo } from '../../findings.js';
import type { CheckFacts, LatencyMeasurement, MemberMeasurements } from '../facts.js';
import type { MemberHash } from '../observations.js';
import {
  checkRule,
  findingOf,
  formatDuration,
  formatMs,
  REFERENCE,
  type CheckRule,
} from './common.js';

const MIXIN = 'etcd-io/etcd contrib/mixin/alerts/alerts.libsonnet';
const etcd = ['etcd'] as const;

/** "23.4 ms over the last 5.0 s (312 fsyncs)" or "... over the member's lifetime (...)". */
function latencyWords(measurement: LatencyMeasurement, facts: CheckFacts, what: string): string {
  return measurement.basis === 'window'
    ? `${formatMs(measurement.p99Seconds)} over the last ${facts.windowSeconds.toFixed(1)} s (${measurement.observations} ${what})`
    : `${formatMs(measurement.p99Seconds)} over the member's lifetime (${measurement.observations} ${what}: the window saw fewer than ${facts.thresholds.minWindowObservations})`;
}

function latencyRule(
  info: Omit<RuleInfo, 'scope' | 'docs'>,
  pick: (measured: MemberMeasurements) => LatencyMeasurement | undefined,
  limits: (facts: CheckFacts) => { warn: number; critical?: number },
  noun: { metric: string; observations: string },
): CheckRule {
  return checkRule(
    info,
    (facts, ruleInfo) =>
      facts.measurements.flatMap((measured): Finding[] => {
        const measurement = pick(measured);
        // A p99 of a handful of observations is their maximum (start-up fsyncs): not judged.
        if (measurement === undefined) return [];
        if (measurement.observations < facts.thresholds.minWindowObservations) return [];
        const { warn, critical } = limits(facts);
        if (measurement.p99Seconds <= warn) return [];
        const isCritical = critical !== undefined && measurement.p99Seconds > critical;
        const limit = isCritical ? critical : warn;
        return [
          findingOf(
            ruleInfo,
            `${measured.name}: ${noun.metric} p99 ${latencyWords(measurement, facts, noun.observations)}, above ${formatMs(limit)}`,
            {
              severity: isCritical ? 'critical' : 'warn',
              subject: measured.name,
              observed: `${formatMs(measurement.p99Seconds)} (${measurement.basis})`,
              threshold: formatMs(limit),
            },
          ),
        ];
      }),
    'metrics',
  );
}

const fsyncP99 = latencyRule(
  {
    id: 'ETCD-FSYNC-P99',
    kinds: etcd,
    severity: 'warn',
    title: 'WAL fsync p99 under 10 ms',
    why: "Every Raft entry is fsynced to the WAL before it is acknowledged: slow fsyncs delay every write, and past the heartbeat interval they cost leader elections. Escalates to critical above 1 s (the etcd mixin's critical level).",
    threshold:
      "p99 of etcd_disk_wal_fsync_duration_seconds over --window < 10 ms (critical > 1 s); the member's lifetime histogram when the window saw fewer than 20 fsyncs",
    source: `etcd-io/website content/en/docs/v3.6/faq.md l.145 (healthy disk: p99 < 10 ms); ${MIXIN} l.149/l.164 etcdHighFsyncDurations 0.5 s / 1 s (${REFERENCE} §2.1, §3.1 E-DISK-1)`,
    remedy:
      'Give etcd a dedicated SSD (fio: quorumctl preflight --host), keep other I/O off that disk, and check for a noisy neighbour or a throttled cloud volume.',
  },
  (measured) => measured.walFsyncP99,
  (facts) => ({
    warn: facts.thresholds.etcd.walFsyncP99WarnSeconds,
    critical: facts.thresholds.etcd.walFsyncP99CriticalSeconds,
  }),
  { metric: 'WAL fsync', observations: 'fsyncs' },
);

const commitP99 = latencyRule(
  {
    id: 'ETCD-COMMIT-P99',
    kinds: etcd,
    severity: 'warn',
    title: 'Backend commit p99 under 25 ms',
    why: 'etcd commits its bbolt backend in batches; slow commits back up applies, so reads of fresh data and watch events lag behind writes.',
    threshold:
      "p99 of etcd_disk_backend_commit_duration_seconds over --window < 25 ms; the member's lifetime histogram when the window saw fewer than 20 commits",
    source: `issue 5 (25 ms, the usual companion of the 10 ms fsync rule) [derived]; ${MIXIN} l.179 etcdHighCommitDurations warns at 250 ms (${REFERENCE} §2.1)`,
    remedy:
      'Same disk remedies as for fsync; also defragment a large, fragmented database and keep compaction on (large frees slow commits down).',
  },
  (measured) => measured.backendCommitP99,
  (facts) => ({ warn: facts.thresholds.etcd.backendCommitP99WarnSeconds }),
  { metric: 'backend commit', observations: 'commits' },
);

const failedProposals = checkRule(
  {
    id: 'ETCD-FAILED-PROPOSALS',
    kinds: etcd,
    severity: 'warn',
    title: 'Proposals do not fail',
    why: 'A failed proposal is a write that did not commit, typically during an election or when the member lost the leader: clients see errors and retry.',
    threshold: 'increase of etcd_server_proposals_failed_total within --window <= 5',
    source: `${MIXIN} l.135 etcdHighNumberOfFailedProposals, corrected to its stated intent increase(...) > 5 (${REFERENCE} §2.1, inconsistencies) [derived]`,
    remedy:
      'Look for elections (CLUSTER-LEADER-CHANGES) and an unreachable or slow leader; check the member\'s log for "failed to propose".',
  },
  (facts, info) =>
    facts.measurements.flatMap((measured) => {
      const failed = measured.failedProposalsInWindow;
      const limit = facts.thresholds.etcd.failedProposalsWarn;
      if (failed === undefined || failed <= limit) return [];
      return [
        findingOf(
          info,
          `${measured.name}: ${failed} proposals failed in the last ${facts.windowSeconds.toFixed(1)} s (more than ${limit})`,
          { subject: measured.name, observed: failed, threshold: limit },
        ),
      ];
    }),
  ['window', 'metrics'],
);

const quotaEta = checkRule(
  {
    id: 'CLUSTER-QUOTA-ETA',
    kinds: ['etcd', 'nats'],
    severity: 'warn',
    title: 'The quota is not reached within 4 hours at the current growth',
    why: 'A database that grows fast hits its quota (etcd NOSPACE: read-only; JetStream: messages refused) before the percentage rules warn. The rate comes from the two readings of this check, seconds apart: a short-window estimate that overstates bursts.',
    threshold: 'time to quota at the growth rate within --window > 4 h',
    source: `${MIXIN} l.208 etcdExcessiveDatabaseGrowth: predict_linear(db size [4h], 4h) > quota (${REFERENCE} §2.1); short window [derived]`,
    remedy:
      'Find the writer (etcd: revision rate, large values, leases; NATS: stream limits), compact and defragment, or raise the quota; re-check with a longer --window to confirm the trend.',
  },
  (facts, info) =>
    facts.measurements.flatMap((measured) => {
      const eta = measured.quotaExhaustionSeconds;
      const limit = facts.thresholds.etcd.quotaEtaWarnSeconds;
      if (eta === undefined || eta >= limit) return [];
      const rate = measured.dbGrowthBytesPerSecond ?? 0;
      return [
        findingOf(
          info,
          `${measured.name}: at the growth of the last ${facts.windowSeconds.toFixed(1)} s (${Math.round(rate)} B/s) the database reaches its quota in about ${formatDuration(eta)} (a short-window estimate)`,
          {
            subject: measured.name,
            observed: formatDuration(eta),
            threshold: formatDuration(limit),
          },
        ),
      ];
    }),
  'window',
);

const fragmentation = checkRule(
  {
    id: 'ETCD-FRAGMENTATION',
    kinds: etcd,
    severity: 'warn',
    title: 'Database less than half free space when over 100 MiB',
    why: 'Compaction frees pages inside the bbolt file but never shrinks it: a database mostly made of free pages counts fully against the quota and slows snapshots and member catch-up.',
    threshold: 'size in use / total size >= 0.5 when the database is larger than 100 MiB',
    source: `${MIXIN} l.222 etcdDatabaseHighFragmentationRatio; op-guide/maintenance.md#defragmentation (${REFERENCE} §2.1, §3.1 E-DEFRAG-1)`,
    remedy:
      'Defragment one member at a time, followers first and the leader last (etcdctl defrag --endpoints ONE_MEMBER); the member blocks while it defragments.',
  },
  (facts, info) =>
    facts.status.members.flatMap((member) => {
      const { dbSizeBytes, dbSizeInUseBytes } = member;
      const { fragmentationMinDbBytes, fragmentationMaxInUseRatio } = facts.thresholds.etcd;
      if (dbSizeBytes === undefined || dbSizeInUseBytes === undefined) return [];
      if (dbSizeBytes <= fragmentationMinDbBytes) return [];
      const inUse = dbSizeInUseBytes / dbSizeBytes;
      if (inUse >= fragmentationMaxInUseRatio) return [];
      const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
      return [
        findingOf(
          info,
          `${member.name}: ${mib(dbSizeInUseBytes)} of ${mib(dbSizeBytes)} in use (${(inUse * 100).toFixed(0)}%): the rest is free pages only a defragmentation returns`,
          {
            subject: member.name,
            observed: Math.round(inUse * 100) / 100,
            threshold: fragmentationMaxInUseRatio,
          },
        ),
      ];
    }),
);

type HashedMember = Extract<MemberHash, { hash: number }>;

/** The most common value and how often it occurs (the first one wins a tie). */
function mostCommon<T>(values: readonly T[]): { value: T; count: number } | undefined {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: { value: T; count: number } | undefined;
  for (const [value, count] of counts)
    if (best === undefined || count > best.count) best = { value, count };
  return best;
}

const hashMismatch = checkRule(
  {
    id: 'ETCD-HASH-MISMATCH',
    kinds: etcd,
    severity: 'critical',
    title: 'Members hold the same data',
    why: 'Every member applies the same log, so at one revision their key spaces must hash alike. A member that differs has diverged (a bug, a disk that lost writes, a bad restore) and serves wrong data to whoever reads from it.',
    threshold: 'HashKV at one common revision equal on every member with the same compaction point',
    source: `etcd-io/website op-guide/data_corruption.md l.12-35 (corruption checks compare HashKV), ${REFERENCE} §3.1 E-CORRUPT-1, §2.6 divergence row`,
    remedy:
      'Stop writing through the differing member, take a backup from a majority member, then remove the member and add it back with an empty data directory; enable --experimental-corrupt-check-time to catch this early.',
  },
  (facts, info) => {
    const hashes = facts.hashes;
    if (hashes === undefined) return [];
    const hashed = hashes.members.filter((member): member is HashedMember => 'hash' in member);
    // Hashes at one revision compare only between members compacted to the same point.
    const compaction = mostCommon(hashed.map((member) => member.compactRevision));
    const comparable = hashed.filter((member) => member.compactRevision === compaction?.value);
    if (comparable.length < 2) return [];
    const majority = mostCommon(comparable.map((member) => member.hash));
    if (majority === undefined || majority.count === comparable.length) return [];
    const tie =
      comparable.filter((member) => member.hash === majority.value).length * 2 <= comparable.length;
    const differing = tie
      ? comparable
      : comparable.filter((member) => member.hash !== majority.value);
    const summary = comparable.map((member) => `${member.name}=${member.hash}`).join(', ');
    return differing.map((member) =>
      findingOf(
        info,
        tie
          ? `members disagree at revision ${hashes.revision} and no majority agrees: ${summary}`
          : `${member.name}'s hash at revision ${hashes.revision} is ${member.hash}, ${majority.count} of ${comparable.length} members have ${majority.value}`,
        { subject: member.name, observed: member.hash, threshold: majority.value },
      ),
    );
  },
  'hashes',
);

export const ETCD_RULES: readonly CheckRule[] = [
  fsyncP99,
  commitP99,
  failedProposals,
  quotaEta,
  fragmentation,
  hashMismatch,
];
