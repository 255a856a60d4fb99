/**
 * Jepsen etcd test logs: `INFO  jepsen.util - <process>\t<type>\t<f>\t<value>` per event, a
 * single register, no clock (the line number orders events). Other lines are log noise.
 */
import type { OperationName, RecordedOperation } from '../history.js';
import { pairEvents, type EventType, type HistoryEvent } from './pairing.js';
import { malformed, type HistorySource } from './source.js';

/** A client event; `:nemesis` and other non-numeric processes are not clients. */
export const JEPSEN_LOG_EVENT =
  /jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(\S+)\s+(.*?)\s*$/;

const REGISTER_OPERATIONS: Readonly<Record<string, OperationName>> = {
  read: 'read',
  write: 'write',
  cas: 'cas',
};

/** Every operation lands on key "" (the log's one register). Times are line numbers. */
export function parseJepsenLog(text: string, source: HistorySource): RecordedOperation[] {
  const events: HistoryEvent[] = [];
  text.split('\n').forEach((content, index) => {
    const match = JEPSEN_LOG_EVENT.exec(content);
    if (match === null) return;
    const line = index + 1;
    const [, process = '', type = '', f = '', rawValue = ''] = match;
    const op = REGISTER_OPERATIONS[f];
    if (op === undefined) {
      throw malformed(source, line, `unknown operation :${f} (expected :read, :write or :cas)`);
    }
    events.push({
      line,
      process: Number(process),
      type: type as EventType,
      op,
      key: '',
      value: parseLogValue(rawValue, type as EventType, source, line),
      timeMs: line,
    });
  });
  return pairEvents(events, source);
}

/** `nil`, a token such as `3`, or a pair `[1 4]`; indeterminate results (`:timed-out`) are ignored. */
function parseLogValue(
  raw: string,
  type: EventType,
  source: HistorySource,
  line: number,
): HistoryEvent['value'] {
  if (type === 'info' || type === 'fail' || raw === 'nil') return null;
  const pair = /^\[(\S+)\s+(\S+)\]$/.exec(raw);
  if (pair !== null) return [scalar(pair[1] ?? ''), scalar(pair[2] ?? '')];
  if (!/^[^\s[\]]+$/.test(raw)) {
    throw malformed(
      source,
      line,
      `cannot read the value "${raw}" (expected nil, a number or [from to])`,
    );
  }
  return scalar(raw);
}

function scalar(token: string): string | null {
  return token === 'nil' ? null : token;
}
