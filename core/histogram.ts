/**
 * Prometheus-style cumulative histograms: the change between two scrapes and quantiles by
 * linear interpolation inside a bucket, as PromQL's histogram_quantile does. Counters reset
 * when a process restarts, so a delta with a falling count is reported as a reset.
 */

export interface HistogramBucket {
  /** Upper bound, inclusive; the last bucket is +Inf. */
  le: number;
  /** Cumulative count of observations <= le. */
  count: number;
}

export interface Histogram {
  buckets: HistogramBucket[];
  sum: number;
  count: number;
}

/** Observations made between two scrapes; undefined when the counters were reset in between. */
export function histogramDelta(earlier: Histogram, later: Histogram): Histogram | undefined {
  if (later.count < earlier.count) return undefined;
  const earlierByBound = new Map(earlier.buckets.map((bucket) => [bucket.le, bucket.count]));
  const buckets: HistogramBucket[] = [];
  for (const bucket of later.buckets) {
    const before = earlierByBound.get(bucket.le) ?? 0;
    if (bucket.count < before) return undefined;
    buckets.push({ le: bucket.le, count: bucket.count - before });
  }
  return { buckets, sum: later.sum - earlier.sum, count: later.count - earlier.count };
}

/**
 * The q-quantile (0..1) of a histogram, undefined without observations. Like PromQL, a
 * quantile that lands in the +Inf bucket returns the highest finite bound, and the lowest
 * bucket interpolates from 0.
 */
export function histogramQuantile(q: number, histogram: Histogram): number | undefined {
  const buckets = [...histogram.buckets].sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0 || !(q >= 0 && q <= 1)) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (bucket.le === Infinity) return lowerBound;
      const inBucket = bucket.count - lowerCount;
      if (inBucket <= 0) return bucket.le;
      return lowerBound + (bucket.le - lowerBound) * ((rank - lowerCount) / inBucket);
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerBound;
}
