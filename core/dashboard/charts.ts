/**
 * Panel data for the charts (pure): latency p99 per member, commit and proposal rates, the
 * leader timeline and the term churn sparkline, all from a cluster's ring buffers.
 */
import { isLeaderChange, type LeaderSeen } from '../metrics/derived.js';
import { clockTime, shortDuration } from './format.js';
import type { ClusterTrack, LeaderMark, SeriesPoint } from './store.js';

export interface ChartLine {
  title: string;
  /** Labels of the x axis, one per point (seconds before the newest point: `-30s`). */
  x: string[];
  /** Gaps (nothing measured) are 0: the chart widget cannot draw gaps; `note` says so. */
  y: number[];
}

export interface ChartData {
  title: string;
  lines: ChartLine[];
  /** Why the chart is flat or empty, e.g. "no commits in the last 60 s". */
  note?: string;
}

export interface ChartOptions {
  /** Points shown, newest last (the chart's width decides; default 60). */
  points?: number;
  /** Only this member's line (a member focused with enter). */
  memberId?: string;
}

/** Commit (backend commit) or WAL fsync p99 per member, in milliseconds. */
export function latencyChart(
  track: ClusterTrack | undefined,
  which: 'commit' | 'fsync',
  options: ChartOptions = {},
): ChartData {
  const title = which === 'commit' ? 'commit p99 ms' : 'fsync p99 ms';
  if (track === undefined) return { title, lines: [], note: 'no cluster selected' };
  // Members of the last status only: a member removed (or renamed while down) drops out.
  const current = new Set(track.lastStatus?.members.map((member) => member.id));
  const members = [...track.members.values()].filter(
    (member) =>
      (current.size === 0 || current.has(member.id)) &&
      (options.memberId === undefined || member.id === options.memberId),
  );
  const lines = members.map((member) => {
    const buffer = which === 'commit' ? member.commitP99Seconds : member.fsyncP99Seconds;
    return toLine(member.name, buffer.values(), options.points ?? 60, 1000);
  });
  const measured = members.some((member) =>
    (which === 'commit' ? member.commitP99Seconds : member.fsyncP99Seconds)
      .values()
      .some((point) => point.value !== undefined),
  );
  if (measured) return { title, lines };
  const note =
    track.lastSample === undefined && track.previousSample === undefined ? 'not exported' : 'idle';
  return { title, lines, note };
}

/** Entries committed per second (any kind) and proposals per second (from metrics). */
export function rateChart(track: ClusterTrack | undefined, options: ChartOptions = {}): ChartData {
  const title = 'per second:';
  if (track === undefined) return { title, lines: [], note: 'no cluster selected' };
  const points = options.points ?? 60;
  const lines = [toLine('commits', track.commitsPerSecond.values(), points, 1)];
  if (track.proposalsPerSecond.values().some((point) => point.value !== undefined))
    lines.push(toLine('proposals', track.proposalsPerSecond.values(), points, 1));
  return { title, lines };
}

function toLine(title: string, points: readonly SeriesPoint[], count: number, scale: number) {
  const shown = points.slice(-count);
  const newest = shown.at(-1)?.atMs ?? 0;
  return {
    title,
    x: shown.map((point) => `-${Math.round((newest - point.atMs) / 1000)}s`),
    y: shown.map((point) =>
      point.value === undefined ? 0 : Math.round(point.value * scale * 100) / 100,
    ),
  };
}

/** A stretch of time with one leader (or none, or no answer at all). */
export interface LeaderSegment {
  fromMs: number;
  /** The last poll that saw this state. */
  toMs: number;
  state: 'leader' | 'no-leader' | 'unreachable';
  leaderName?: string;
  term?: number;
  /** A new leader (another member, or the same at a higher term) compared with the last one. */
  change: boolean;
}

/** The leader timeline, oldest first: consecutive polls with the same leader merge. */
export function leaderSegments(marks: readonly LeaderMark[]): LeaderSegment[] {
  const segments: LeaderSegment[] = [];
  let lastLeader: LeaderSeen | undefined;
  for (const mark of marks) {
    const state: LeaderSegment['state'] = !mark.reached
      ? 'unreachable'
      : mark.leaderId === undefined
        ? 'no-leader'
        : 'leader';
    const current = segments.at(-1);
    const seen = mark.leaderId === undefined ? undefined : { id: mark.leaderId, term: mark.term };
    const newLeader = isLeaderChange(lastLeader, seen);
    const sameState =
      current !== undefined &&
      current.state === state &&
      (state !== 'leader' || (lastLeader?.id === mark.leaderId && !newLeader));
    if (sameState) {
      current.toMs = mark.atMs;
      continue;
    }
    const change = state === 'leader' && newLeader;
    segments.push({
      fromMs: mark.atMs,
      toMs: mark.atMs,
      state,
      ...(mark.leaderName !== undefined && { leaderName: mark.leaderName }),
      ...(mark.term !== undefined && { term: mark.term }),
      change,
    });
    if (state === 'leader' && mark.leaderId !== undefined)
      lastLeader = { id: mark.leaderId, ...(mark.term !== undefined && { term: mark.term }) };
  }
  return segments;
}

export interface TimelineLine {
  text: string;
  tone: 'ok' | 'change' | 'bad';
}

/** The timeline as lines, newest first: `12:01:03 n2 (term 3) 45s <- new, was n1`. */
export function leaderTimelineLines(
  track: ClusterTrack | undefined,
  maxLines: number,
): TimelineLine[] {
  if (track === undefined) return [];
  const segments = leaderSegments(track.leaders.values());
  let previousLeader: string | undefined;
  const lines = segments.map((segment) => {
    const at = clockTime(segment.fromMs);
    const lasted = shortDuration(segment.toMs - segment.fromMs);
    let line: TimelineLine;
    if (segment.state === 'leader') {
      const term = segment.term === undefined ? '' : ` (term ${segment.term})`;
      const was =
        previousLeader !== undefined && previousLeader !== segment.leaderName
          ? `, was ${previousLeader}`
          : '';
      line = {
        text: `${at} ${segment.leaderName ?? '?'}${term} ${lasted}${segment.change ? ` <- new${was}` : ''}`,
        tone: segment.change ? 'change' : 'ok',
      };
      previousLeader = segment.leaderName;
    } else {
      line = {
        text: `${at} ${segment.state === 'no-leader' ? 'NO LEADER' : 'UNREACHABLE'} for ${lasted}`,
        tone: 'bad',
      };
    }
    return line;
  });
  return lines.reverse().slice(0, Math.max(0, maxLines));
}

export interface TermChurn {
  /** Terms passed per bucket, oldest first. */
  values: number[];
  total: number;
  /** `▁▁▁▅▁▁`: one character per bucket, scaled to the largest (an empty bucket is `▁`). */
  bars: string;
  /** `2 elections in 5m00s (10s per bar)`. */
  caption: string;
}

const BAR_LEVELS = ['\u2581', '\u2582', '\u2583', '\u2584', '\u2585', '\u2586', '\u2587', '\u2588'];

/** A one-line sparkline of `values`, scaled to the largest; all zero reads as a flat floor. */
export function sparkBars(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((value) => {
      if (max <= 0 || value <= 0) return BAR_LEVELS[0];
      const level = Math.ceil((value / max) * (BAR_LEVELS.length - 1));
      return BAR_LEVELS[Math.min(BAR_LEVELS.length - 1, Math.max(1, level))];
    })
    .join('');
}

/**
 * Term churn: how many terms passed in each `bucketMs` of the last `buckets` buckets. A
 * healthy cluster reads flat; a row of bars is a leader that keeps losing its lease.
 */
export function termChurn(
  track: ClusterTrack | undefined,
  nowMs: number,
  buckets = 30,
  bucketMs = 10_000,
): TermChurn {
  const values = new Array<number>(buckets).fill(0);
  const start = nowMs - buckets * bucketMs;
  let previousTerm: number | undefined;
  for (const mark of track?.leaders.values() ?? []) {
    if (!mark.reached || mark.term === undefined) continue;
    if (previousTerm !== undefined && mark.term > previousTerm && mark.atMs > start) {
      const bucket = Math.min(buckets - 1, Math.floor((mark.atMs - start) / bucketMs));
      values[bucket] = (values[bucket] ?? 0) + (mark.term - previousTerm);
    }
    previousTerm = mark.term;
  }
  const total = values.reduce((sum, value) => sum + value, 0);
  const noTerms =
    track !== undefined && track.leaders.values().every((mark) => mark.term === undefined);
  return {
    values,
    total,
    bars: sparkBars(values),
    caption: noTerms
      ? `${track.kind} reports no term`
      : `${total} election${total === 1 ? '' : 's'} in ${shortDuration(buckets * bucketMs)} (${shortDuration(bucketMs)} per bar)`,
  };
}
