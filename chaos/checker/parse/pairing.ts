/**
 * Pairs Jepsen-style events (invoke, then ok / fail / info from the same process) into
 * operations. A process has at most one operation in flight; `info` (indeterminate) and
 * invocations that never complete become `unknown`.
 */
import type { OperationName, Outcome, RecordedOperation } from '../history.js';
import { malformed, type HistorySource } from './source.js';

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';

export interface HistoryEvent {
  line: number;
  process: number;
  type: EventType;
  op: OperationName;
  key: string;
  /** The parsed `:value`: a string, null (nil), or a `[from to]` pair. */
  value: string | null | [string | null, string | null];
  /** Milliseconds; the line number when the format carries no clock. */
  timeMs: number;
}

const OUTCOME_OF: Record<Exclude<EventType, 'invoke'>, Outcome> = {
  ok: 'ok',
  fail: 'fail',
  info: 'unknown',
};

export function pairEvents(
  events: readonly HistoryEvent[],
  source: HistorySource,
): RecordedOperation[] {
  const inFlight = new Map<number, { event: HistoryEvent; index: number }>();
  const operations: RecordedOperation[] = [];
  for (const event of events) {
    const pending = inFlight.get(event.process);
    if (event.type === 'invoke') {
      if (pending !== undefined) {
        throw malformed(
          source,
          event.line,
          `process ${event.process} invokes ${event.op} while its ${pending.event.op} from line ${pending.event.line} has not completed`,
        );
      }
      inFlight.set(event.process, { event, index: operations.length });
      operations.push(invocation(event, source));
      continue;
    }
    if (pending === undefined) {
      throw malformed(
        source,
        event.line,
        `process ${event.process} completes a ${event.op} it never invoked`,
      );
    }
    if (pending.event.op !== event.op || pending.event.key !== event.key) {
      throw malformed(
        source,
        event.line,
        `process ${event.process} completes ${event.op} on key "${event.key}" but invoked ${pending.event.op} on key "${pending.event.key}" at line ${pending.event.line}`,
      );
    }
    inFlight.delete(event.process);
    operations[pending.index] = completion(
      operations[pending.index] as RecordedOperation,
      event,
      source,
    );
  }
  return operations;
}

/** Until a completion says otherwise, an invocation is an operation of unknown outcome. */
function invocation(event: HistoryEvent, source: HistorySource): RecordedOperation {
  const op: RecordedOperation = {
    client: event.process,
    key: event.key,
    op: event.op,
    outcome: 'unknown',
    invokeMs: event.timeMs,
  };
  if (event.op === 'read' || event.op === 'get') return op;
  if (event.op === 'cas') {
    const pair = event.value;
    if (!Array.isArray(pair) || pair[1] === null) {
      throw malformed(source, event.line, 'cas needs a value [from to]');
    }
    return { ...op, value: [pair[0], pair[1]] };
  }
  if (typeof event.value !== 'string') {
    throw malformed(source, event.line, `${event.op} needs a value`);
  }
  return { ...op, value: event.value };
}

function completion(
  invoked: RecordedOperation,
  event: HistoryEvent,
  source: HistorySource,
): RecordedOperation {
  const outcome = OUTCOME_OF[event.type as Exclude<EventType, 'invoke'>];
  if (outcome === 'unknown') return invoked;
  const completed: RecordedOperation = { ...invoked, outcome, completeMs: event.timeMs };
  if (outcome === 'ok' && (event.op === 'read' || event.op === 'get')) {
    if (Array.isArray(event.value)) {
      throw malformed(source, event.line, `${event.op} returned a pair, not a value`);
    }
    completed.result = event.value;
  }
  return completed;
}
