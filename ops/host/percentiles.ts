/** Latency summaries of probe samples: nearest-rank percentiles, median and maximum. */

export interface LatencySummary {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * The q-quantile (0..1) by nearest rank: the smallest sample with at least q of all samples
 * at or below it. No interpolation, so the answer is always a latency that was observed.
 */
export function percentile(samples: readonly number[], q: number): number | undefined {
  if (samples.length === 0 || !(q >= 0 && q <= 1)) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1];
}

/** The middle sample, or the mean of the two middle ones for an even count. */
export function median(samples: readonly number[]): number | undefined {
  if (samples.length === 0) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function summarizeLatencies(samplesMs: readonly number[]): LatencySummary | undefined {
  if (samplesMs.length === 0) return undefined;
  return {
    samples: samplesMs.length,
    p50Ms: percentile(samplesMs, 0.5) ?? 0,
    p99Ms: percentile(samplesMs, 0.99) ?? 0,
    maxMs: samplesMs.reduce((max, sample) => (sample > max ? sample : max), -Infinity),
  };
}
