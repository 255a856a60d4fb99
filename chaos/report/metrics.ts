/** What a drill's raw observations add up to: leader changes, availability, operation counts. */
import type { RecordedOperation } from '../checker/history.js';
import type {
  FaultTimelineEntry,
  LeaderObservation,
  OperationCounts,
  OperationSummary,
  UnavailabilityWindow,
} from './drill-report.js';

/** Keeps the first observation and every change of leader (or of its term). */
export function leaderChanges(observations: readonly LeaderObservation[]): LeaderObservation[] {
  const changes: LeaderObservation[] = [];
  for (const observation of observations) {
    const last = changes[changes.length - 1];
    if (
      last === undefined ||
      last.leader !== observation.leader ||
      (observation.term !== undefined && last.term !== undefined && observation.term !== last.term)
    )
      changes.push(observation);
  }
  return changes;
}

/** The leader seen last at or before `atMs`; null when none was agreed then. */
export function leaderAt(timeline: readonly LeaderObservation[], atMs: number): string | null {
  let leader: string | null = null;
  for (const observation of timeline) {
    if (observation.atMs > atMs) break;
    leader = observation.leader;
  }
  return leader;
}

/** The first leader seen after `fromMs` that is neither `previous` nor none. */
export function firstDifferentLeader(
  timeline: readonly LeaderObservation[],
  previous: string | null,
  fromMs: number,
): LeaderObservation | undefined {
  return timeline.find(
    (observation) =>
      observation.atMs >= fromMs && observation.leader !== null && observation.leader !== previous,
  );
}

/**
 * Fault in place -> first different leader, for the first fault that acted on the leader of
 * its moment; undefined when no fault hit the leader or no new leader was seen. Counted from
 * when the fault was fully applied: a partition of five members is two dozen iptables rules,
 * which take a second or two to go in on a busy machine.
 */
export function timeToNewLeader(
  timeline: readonly LeaderObservation[],
  faults: readonly FaultTimelineEntry[],
): { ms: number; fault: FaultTimelineEntry; from: string; to: string } | undefined {
  for (const fault of faults) {
    const leader = leaderAt(timeline, fault.requestedAtMs);
    if (leader === null || !fault.members.includes(leader)) continue;
    const next = firstDifferentLeader(timeline, leader, fault.requestedAtMs);
    if (next === undefined || next.leader === null) return undefined;
    // A fault half in place may already start an election: that counts as no wait at all.
    return {
      ms: Math.max(0, next.atMs - fault.injectedAtMs),
      fault,
      from: leader,
      to: next.leader,
    };
  }
  return undefined;
}

function isAcknowledgedWrite(operation: RecordedOperation): boolean {
  return (
    operation.outcome === 'ok' &&
    (operation.op === 'write' ||
      operation.op === 'cas' ||
      operation.op === 'put' ||
      operation.op === 'append')
  );
}

/** The longest stretch of [startMs, endMs] with no write acknowledged. */
export function writeUnavailability(
  operations: readonly RecordedOperation[],
  startMs: number,
  endMs: number,
): UnavailabilityWindow {
  const acknowledged = operations
    .filter(isAcknowledgedWrite)
    .map((operation) => operation.completeMs ?? operation.invokeMs)
    .filter((at) => at >= startMs && at <= endMs)
    .sort((a, b) => a - b);
  let window: UnavailabilityWindow = { longestMs: 0, fromMs: startMs, toMs: startMs };
  let previous = startMs;
  for (const at of [...acknowledged, endMs]) {
    if (at - previous > window.longestMs)
      window = { longestMs: at - previous, fromMs: previous, toMs: at };
    previous = at;
  }
  return window;
}

/** Heal -> first write acknowledged after it (invoked before or after the heal). */
export function recoveryAfter(
  operations: readonly RecordedOperation[],
  healedAtMs: number,
): number | undefined {
  const first = operations
    .filter(isAcknowledgedWrite)
    .map((operation) => operation.completeMs ?? operation.invokeMs)
    .filter((at) => at >= healedAtMs)
    .sort((a, b) => a - b)[0];
  return first === undefined ? undefined : first - healedAtMs;
}

export function summarizeOperations(
  operations: readonly RecordedOperation[],
  answerErrors: Readonly<Record<string, number>>,
): OperationSummary {
  const empty = (): OperationCounts => ({ ok: 0, fail: 0, unknown: 0 });
  const summary: OperationSummary = { total: 0, ...empty(), byType: {}, commonErrors: [] };
  for (const operation of operations) {
    summary.total++;
    summary[operation.outcome]++;
    const counts = (summary.byType[operation.op] ??= empty());
    counts[operation.outcome]++;
  }
  summary.commonErrors = Object.entries(answerErrors)
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
    .slice(0, 8);
  return summary;
}
