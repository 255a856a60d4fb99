/**
 * The facts `check` judges: the status at the start and the end of a window, the metric
 * samples taken with them, hashes and certificates, and what follows from them (the health
 * verdict, p99s over the window, growth rates, leader elections). Pure.
 */
import { assessHealth, type HealthReport } from '../health.js';
import { histogramDelta, histogramQuantile, type Histogram } from '../histogram.js';
import type { CatalogMetricName } from '../metrics/catalog.js';
import type { MemberMetricSample, MetricSample } from '../metrics/sample.js';
import type { ClusterStatus, MemberStatus } from '../model.js';
import type { EndpointCertificate, HashCheck } from './observations.js';
import { CHECK_THRESHOLDS, healthThresholdsFor, type CheckThresholds } from './thresholds.js';

export interface CheckInput {
  /** The status at the start of the window; the same reading as `status` without a window. */
  statusBefore: ClusterStatus;
  /** The status judged: the one read at the end of the window. */
  status: ClusterStatus;
  /** Metric samples taken with the two statuses (kinds with the `metrics` capability). */
  samples?: { before?: MetricSample; after: MetricSample };
  hashes?: HashCheck;
  /** One per TLS endpoint of the status; empty when no member speaks TLS. */
  certificates: readonly EndpointCertificate[];
  now: Date;
  /** What could not be read and why, shown under the findings. */
  notes?: readonly string[];
}

export type LatencyBasis = 'window' | 'lifetime';

export interface LatencyMeasurement {
  p99Seconds: number;
  observations: number;
  /** `lifetime` when the window saw too few observations to say anything. */
  basis: LatencyBasis;
}

/** What was measured of one member; absent fields were not measurable. */
export interface MemberMeasurements {
  memberId: string;
  name: string;
  walFsyncP99?: LatencyMeasurement;
  backendCommitP99?: LatencyMeasurement;
  failedProposalsInWindow?: number;
  /** Database growth between the two statuses. */
  dbGrowthBytesPerSecond?: number;
  /** When the database would reach its quota at that growth rate. */
  quotaExhaustionSeconds?: number;
}

export interface LeaderElections {
  leaderBefore?: string;
  leaderAfter?: string;
  termBefore?: number;
  termAfter?: number;
  /** Elections in the window: the term's increase, or 1 when only the leader's ID changed. */
  count: number;
}

export interface CheckFacts extends CheckInput {
  /** Seconds between the two statuses (0 without a window). */
  windowSeconds: number;
  health: HealthReport;
  measurements: MemberMeasurements[];
  elections: LeaderElections;
  thresholds: CheckThresholds;
  notes: readonly string[];
}

export function buildCheckFacts(
  input: CheckInput,
  thresholds: CheckThresholds = CHECK_THRESHOLDS,
): CheckFacts {
  const windowSeconds = Math.max(
    0,
    (Date.parse(input.status.observedAt) - Date.parse(input.statusBefore.observedAt)) / 1000,
  );
  return {
    ...input,
    windowSeconds,
    health: assessHealth(input.status, healthThresholdsFor(input.status.kind)),
    measurements: input.status.members.map((member) =>
      measureMember(member, input, windowSeconds, thresholds),
    ),
    elections: leaderElections(input.statusBefore, input.status),
    thresholds,
    notes: input.notes ?? [],
  };
}

function measureMember(
  member: MemberStatus,
  input: CheckInput,
  windowSeconds: number,
  thresholds: CheckThresholds,
): MemberMeasurements {
  const measured: MemberMeasurements = { memberId: member.id, name: member.name };
  const after = memberSample(input.samples?.after, member.id);
  const before = memberSample(input.samples?.before, member.id);
  if (after !== undefined) {
    const wal = latencyP99(
      before?.histograms.quorum_wal_fsync_duration_seconds,
      after.histograms.quorum_wal_fsync_duration_seconds,
      thresholds.minWindowObservations,
    );
    if (wal !== undefined) measured.walFsyncP99 = wal;
    const commit = latencyP99(
      before?.histograms.quorum_backend_commit_duration_seconds,
      after.histograms.quorum_backend_commit_duration_seconds,
      thresholds.minWindowObservations,
    );
    if (commit !== undefined) measured.backendCommitP99 = commit;
    const failed = counterDelta(before, after, 'quorum_proposals_failed_total');
    if (failed !== undefined) measured.failedProposalsInWindow = failed;
  }
  const earlier = input.statusBefore.members.find((candidate) => candidate.id === member.id);
  if (windowSeconds > 0 && member.dbSizeBytes !== undefined && earlier?.dbSizeBytes !== undefined) {
    const rate = (member.dbSizeBytes - earlier.dbSizeBytes) / windowSeconds;
    measured.dbGrowthBytesPerSecond = rate;
    if (rate > 0 && member.quotaBytes !== undefined && member.quotaBytes > 0) {
      measured.quotaExhaustionSeconds = Math.max(
        0,
        (member.quotaBytes - member.dbSizeBytes) / rate,
      );
    }
  }
  return measured;
}

function memberSample(
  sample: MetricSample | undefined,
  memberId: string,
): MemberMetricSample | undefined {
  return sample?.members.find((member) => member.memberId === memberId);
}

/**
 * The p99 of what the window observed; with too few observations (an idle cluster fsyncs a
 * few times a second) or a counter reset, the member's lifetime histogram instead.
 */
export function latencyP99(
  before: Histogram | undefined,
  after: Histogram | undefined,
  minObservations: number,
): LatencyMeasurement | undefined {
  if (after === undefined) return undefined;
  const delta = before === undefined ? undefined : histogramDelta(before, after);
  if (delta !== undefined && delta.count >= minObservations) {
    const p99 = histogramQuantile(0.99, delta);
    if (p99 !== undefined) return { p99Seconds: p99, observations: delta.count, basis: 'window' };
  }
  const lifetime = histogramQuantile(0.99, after);
  return lifetime === undefined
    ? undefined
    : { p99Seconds: lifetime, observations: after.count, basis: 'lifetime' };
}

function counterDelta(
  before: MemberMetricSample | undefined,
  after: MemberMetricSample,
  name: CatalogMetricName,
): number | undefined {
  const start = before?.values[name];
  const end = after.values[name];
  // A restart resets the counter: the window then says nothing.
  if (start === undefined || end === undefined || end < start) return undefined;
  return end - start;
}

export function leaderElections(before: ClusterStatus, after: ClusterStatus): LeaderElections {
  const elections: LeaderElections = { count: 0 };
  if (before.leaderId !== undefined) elections.leaderBefore = before.leaderId;
  if (after.leaderId !== undefined) elections.leaderAfter = after.leaderId;
  if (before.term !== undefined) elections.termBefore = before.term;
  if (after.term !== undefined) elections.termAfter = after.term;
  const termIncrease =
    before.term !== undefined && after.term !== undefined
      ? Math.max(0, after.term - before.term)
      : 0;
  const leaderChanged =
    before.leaderId !== undefined &&
    after.leaderId !== undefined &&
    before.leaderId !== after.leaderId;
  elections.count = Math.max(termIncrease, leaderChanged ? 1 : 0);
  return elections;
}
