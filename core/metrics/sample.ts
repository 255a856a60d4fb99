/**
 * A metric sample: what a system exports beyond its status (etcd's disk histograms and
 * proposal counters, KRaft's commit latency), already keyed by catalog metric names.
 */
import type { Histogram } from '../histogram.js';
import type { MemberError } from '../model.js';
import type { CatalogMetricName } from './catalog.js';

export interface MemberMetricSample {
  /** `MemberStatus.id` of the member the numbers came from. */
  memberId: string;
  /** Gauges and counters without a quantile label, as the member reports them. */
  values: Partial<Record<CatalogMetricName, number>>;
  /** Quantile gauges: quantile label value ("0.5", "1", "avg") -> value in base units. */
  quantiles: Partial<Record<CatalogMetricName, Record<string, number>>>;
  /** Cumulative histograms with the source's own buckets, in base units. */
  histograms: Partial<Record<CatalogMetricName, Histogram>>;
}

export interface MetricSample {
  members: MemberMetricSample[];
  /** Members whose metrics could not be read; their status still counts. */
  errors: (MemberError & { memberId: string })[];
}

export function emptyMemberSample(memberId: string): MemberMetricSample {
  return { memberId, values: {}, quantiles: {}, histograms: {} };
}
