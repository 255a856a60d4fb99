/**
 * Derived signals no exporter offers, as pure functions over what the agent observed:
 * quota exhaustion ETA by a linear fit of db size, leader-change rate, election gaps,
 * fragmentation and learner catch-up. Times are epoch milliseconds passed in by the caller.
 */

/** One db size reading of one member. */
export interface SizeSample {
  atMs: number;
  bytes: number;
}

/** What one poll saw of leadership; `reached: false` polls say nothing about it. */
export interface LeaderObservation {
  atMs: number;
  reached: boolean;
  leaderId?: string;
  term?: number;
}

export interface LeaderSeen {
  id: string;
  term?: number;
}

/**
 * Least-squares growth of `samples` in bytes per second, undefined with fewer than two
 * distinct times. A fit over every sample rather than first-to-last keeps one compaction
 * dip or one outlier from swinging the estimate.
 */
export function growthBytesPerSecond(samples: readonly SizeSample[]): number | undefined {
  if (samples.length < 2) return undefined;
  // Centered on the first sample: epoch milliseconds squared would lose precision.
  const origin = samples[0]?.atMs ?? 0;
  let sumT = 0;
  let sumB = 0;
  for (const sample of samples) {
    sumT += (sample.atMs - origin) / 1000;
    sumB += sample.bytes;
  }
  const meanT = sumT / samples.length;
  const meanB = sumB / samples.length;
  let covariance = 0;
  let variance = 0;
  for (const sample of samples) {
    const t = (sample.atMs - origin) / 1000 - meanT;
    covariance += t * (sample.bytes - meanB);
    variance += t * t;
  }
  return variance === 0 ? undefined : covariance / variance;
}

/**
 * Seconds until the newest size reaches `quotaBytes` at the fitted growth rate: 0 when
 * already there, +Inf when not growing, undefined when there is too little history.
 */
export function quotaExhaustionEtaSeconds(
  samples: readonly SizeSample[],
  quotaBytes: number,
): number | undefined {
  const latest = samples.at(-1);
  if (latest === undefined || !(quotaBytes > 0)) return undefined;
  if (latest.bytes >= quotaBytes) return 0;
  const growth = growthBytesPerSecond(samples);
  if (growth === undefined) return undefined;
  if (growth <= 0) return Infinity;
  return (quotaBytes - latest.bytes) / growth;
}

/**
 * Keeps the samples of the last `windowMs`, thinned so that consecutive kept samples are at
 * least `minSpacingMs` apart (memory stays bounded at a 1 s poll interval). The newest
 * sample is always kept.
 */
export function appendSizeSample(
  samples: readonly SizeSample[],
  sample: SizeSample,
  windowMs: number,
  minSpacingMs = 0,
): SizeSample[] {
  const kept = samples.filter((existing) => existing.atMs > sample.atMs - windowMs);
  const last = kept.at(-1);
  // The previous newest is replaced when too close, so the series still ends at `sample`.
  if (
    last !== undefined &&
    kept.length > 1 &&
    sample.atMs - (kept.at(-2)?.atMs ?? 0) < minSpacingMs
  )
    kept.pop();
  kept.push(sample);
  return kept;
}

/** Whether `current` is a new leader compared to the last one seen: another ID, or a higher term. */
export function isLeaderChange(
  last: LeaderSeen | undefined,
  current: LeaderSeen | undefined,
): boolean {
  if (last === undefined || current === undefined) return false;
  if (current.id !== last.id) return true;
  return current.term !== undefined && last.term !== undefined && current.term > last.term;
}

/** The times at which a poll saw a new leader (see isLeaderChange), oldest first. */
export function leaderChangeTimes(history: readonly LeaderObservation[]): number[] {
  const times: number[] = [];
  let last: LeaderSeen | undefined;
  for (const observation of history) {
    const seen = leaderOf(observation);
    if (seen === undefined) continue;
    if (isLeaderChange(last, seen)) times.push(observation.atMs);
    last = seen;
  }
  return times;
}

/** Leader changes per second over the `windowMs` ending at `nowMs`. */
export function leaderChangeRate(
  history: readonly LeaderObservation[],
  nowMs: number,
  windowMs: number,
): number {
  const changes = leaderChangeTimes(history).filter(
    (atMs) => atMs > nowMs - windowMs && atMs <= nowMs,
  ).length;
  return changes / (windowMs / 1000);
}

/**
 * Seconds of the most recent completed leader change: from the last poll that saw the old
 * leader to the first that saw a leader again. Polls are discrete, so this is an upper
 * bound with one poll interval of resolution. Undefined before the first change.
 */
export function lastElectionGapSeconds(history: readonly LeaderObservation[]): number | undefined {
  let lastSeenAt: number | undefined;
  let last: LeaderSeen | undefined;
  let gap: number | undefined;
  for (const observation of history) {
    const seen = leaderOf(observation);
    if (seen === undefined) continue;
    if (isLeaderChange(last, seen) && lastSeenAt !== undefined)
      gap = (observation.atMs - lastSeenAt) / 1000;
    last = seen;
    lastSeenAt = observation.atMs;
  }
  return gap;
}

/**
 * Seconds without a leader up to `nowMs`, 0 while the newest reached poll saw one. Counted
 * from the last poll that saw a leader, or from the first leaderless poll when none ever
 * did. Undefined when no poll reached the cluster.
 */
export function leaderlessSeconds(
  history: readonly LeaderObservation[],
  nowMs: number,
): number | undefined {
  const reached = history.filter((observation) => observation.reached);
  const newest = reached.at(-1);
  if (newest === undefined) return undefined;
  if (newest.leaderId !== undefined) return 0;
  const lastWithLeader = reached.findLast((observation) => observation.leaderId !== undefined);
  const since = lastWithLeader?.atMs ?? reached[0]?.atMs ?? nowMs;
  return Math.max(0, (nowMs - since) / 1000);
}

/**
 * Drops observations older than `windowMs`, keeping the newest one that saw a leader before
 * the window: changes and gaps at the window's start are measured against it.
 */
export function pruneLeaderHistory(
  history: readonly LeaderObservation[],
  nowMs: number,
  windowMs: number,
): LeaderObservation[] {
  const cutoff = nowMs - windowMs;
  const inWindow = history.filter((observation) => observation.atMs > cutoff);
  const anchor = history.findLast(
    (observation) => observation.atMs <= cutoff && leaderOf(observation) !== undefined,
  );
  return anchor === undefined ? inWindow : [anchor, ...inWindow];
}

/** Share of the database file that is free pages, 0..1; undefined without both sizes. */
export function fragmentationRatio(
  sizeBytes: number | undefined,
  inUseBytes: number | undefined,
): number | undefined {
  if (sizeBytes === undefined || inUseBytes === undefined || !(sizeBytes > 0)) return undefined;
  return clamp01(1 - inUseBytes / sizeBytes);
}

/** A learner's index over the leader's commit index, 0..1 (1 = caught up). */
export function learnerCatchUpRatio(
  learnerIndex: number | undefined,
  leaderCommitIndex: number | undefined,
): number | undefined {
  if (learnerIndex === undefined || leaderCommitIndex === undefined) return undefined;
  if (leaderCommitIndex <= 0) return 1;
  return clamp01(learnerIndex / leaderCommitIndex);
}

/** Seconds since the newest verified backup, or undefined when none is known. */
export function backupAgeSeconds(
  completedAtMs: number | undefined,
  nowMs: number,
): number | undefined {
  return completedAtMs === undefined ? undefined : Math.max(0, (nowMs - completedAtMs) / 1000);
}

function leaderOf(observation: LeaderObservation): LeaderSeen | undefined {
  if (!observation.reached || observation.leaderId === undefined) return undefined;
  return observation.term === undefined
    ? { id: observation.leaderId }
    : { id: observation.leaderId, term: observation.term };
}

function clamp01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
