/**
 * Per-interval values the dashboard charts, from two consecutive polls (pure): latency p99
 * from histogram deltas, commit and proposal rates from counter deltas.
 */
import { histogramDelta, histogramQuantile } from '../histogram.js';
import type { CatalogMetricName } from '../metrics/catalog.js';
import type { MemberMetricSample, MetricSample } from '../metrics/sample.js';
import type { ClusterStatus } from '../model.js';

export type LatencyKind = 'commit' | 'fsync';

const HISTOGRAM_OF: Record<LatencyKind, CatalogMetricName> = {
  commit: 'quorum_backend_commit_duration_seconds',
  fsync: 'quorum_wal_fsync_duration_seconds',
};

/** Kinds that export a quantile gauge rather than a histogram (KRaft's commit latency). */
const QUANTILE_OF: Partial<Record<LatencyKind, CatalogMetricName>> = {
  commit: 'quorum_commit_latency_seconds',
};

/**
 * The p99 of what `memberId` observed between the two samples. Undefined when nothing was
 * observed in the interval (an idle cluster does not commit), the counters were reset, or
 * the kind exports no such metric: a gap in the chart, never a made-up zero.
 */
export function latencyP99Seconds(
  previous: MetricSample | undefined,
  current: MetricSample | undefined,
  memberId: string,
  kind: LatencyKind,
): number | undefined {
  const now = memberOf(current, memberId);
  if (now === undefined) return undefined;
  const quantileMetric = QUANTILE_OF[kind];
  const quantile =
    quantileMetric === undefined ? undefined : now.quantiles[quantileMetric]?.['0.99'];
  if (quantile !== undefined) return quantile;
  const later = now.histograms[HISTOGRAM_OF[kind]];
  const earlier = memberOf(previous, memberId)?.histograms[HISTOGRAM_OF[kind]];
  if (later === undefined || earlier === undefined) return undefined;
  const delta = histogramDelta(earlier, later);
  if (delta === undefined || delta.count <= 0) return undefined;
  return histogramQuantile(0.99, delta);
}

/** Entries committed per second: the growth of the highest commit index among the members. */
export function commitsPerSecond(
  previous: ClusterStatus | undefined,
  current: ClusterStatus,
  intervalSeconds: number | undefined,
): number | undefined {
  if (previous === undefined || intervalSeconds === undefined || !(intervalSeconds > 0))
    return undefined;
  const before = highestCommitIndex(previous);
  const after = highestCommitIndex(current);
  if (before === undefined || after === undefined || after < before) return undefined;
  return (after - before) / intervalSeconds;
}

/**
 * Proposals committed per second, from the members' counters: the largest growth of any
 * one member (the leader counts every proposal; a restarted member's counter starts over).
 */
export function proposalsPerSecond(
  previous: MetricSample | undefined,
  current: MetricSample | undefined,
  intervalSeconds: number | undefined,
): number | undefined {
  if (previous === undefined || current === undefined) return undefined;
  if (intervalSeconds === undefined || !(intervalSeconds > 0)) return undefined;
  let best: number | undefined;
  for (const member of current.members) {
    const after = member.values.quorum_proposals_committed_total;
    const before = memberOf(previous, member.memberId)?.values.quorum_proposals_committed_total;
    if (after === undefined || before === undefined || after < before) continue;
    best = Math.max(best ?? 0, after - before);
  }
  return best === undefined ? undefined : best / intervalSeconds;
}

function memberOf(
  sample: MetricSample | undefined,
  memberId: string,
): MemberMetricSample | undefined {
  return sample?.members.find((member) => member.memberId === memberId);
}

function highestCommitIndex(status: ClusterStatus): number | undefined {
  let highest: number | undefined;
  for (const member of status.members) {
    if (!member.reachable || member.commitIndex === undefined) continue;
    highest = Math.max(highest ?? 0, member.commitIndex);
  }
  return highest;
}
