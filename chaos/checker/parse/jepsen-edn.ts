/**
 * Jepsen histories in EDN, one map per line:
 * `{:process P, :type :invoke|:ok|:fail|:info, :f :get|:put|:append|:read|:write|:cas, :key "K", :value V}`.
 * `:key` is optional (one register, key ""); `:time` (nanoseconds, as in Jepsen's
 * history.edn) is used when every client event has it, otherwise line numbers order events.
 * Events of non-numeric processes (`:nemesis`) are not client operations and are skipped.
 */
import type { OperationName, RecordedOperation } from '../history.js';
import { EdnSyntaxError, readEdnMap, type EdnScalar, type EdnValue } from './edn-map.js';
import { pairEvents, type EventType, type HistoryEvent } from './pairing.js';
import { malformed, type HistorySource } from './source.js';

const EVENT_TYPES: readonly string[] = ['invoke', 'ok', 'fail', 'info'];
const OPERATIONS: readonly string[] = ['get', 'put', 'append', 'read', 'write', 'cas'];
const NANOSECONDS_PER_MS = 1e6;

export function parseJepsenEdn(text: string, source: HistorySource): RecordedOperation[] {
  const events: (HistoryEvent & { clockNs?: number })[] = [];
  text.split('\n').forEach((content, index) => {
    const line = index + 1;
    const trimmed = content.trim();
    if (trimmed === '' || trimmed.startsWith(';')) return;
    let map: Map<string, EdnValue>;
    try {
      map = readEdnMap(trimmed);
    } catch (error) {
      if (!(error instanceof EdnSyntaxError)) throw error;
      throw malformed(source, line, `not an EDN map: ${error.message}`);
    }
    const event = eventFrom(map, source, line);
    if (event !== undefined) events.push(event);
  });
  const clocked = events.length > 0 && events.every((event) => event.clockNs !== undefined);
  if (clocked) for (const event of events) event.timeMs = (event.clockNs ?? 0) / NANOSECONDS_PER_MS;
  return pairEvents(events, source);
}

function eventFrom(
  map: Map<string, EdnValue>,
  source: HistorySource,
  line: number,
): (HistoryEvent & { clockNs?: number }) | undefined {
  const process = map.get('process');
  if (typeof process !== 'number') {
    if (process === undefined) throw malformed(source, line, 'the map has no :process');
    return undefined;
  }
  const type = keywordOf(map.get('type'));
  if (type === undefined || !EVENT_TYPES.includes(type)) {
    throw malformed(source, line, ':type must be :invoke, :ok, :fail or :info');
  }
  const f = keywordOf(map.get('f'));
  if (f === undefined || !OPERATIONS.includes(f)) {
    throw malformed(
      source,
      line,
      `:f must be one of ${OPERATIONS.map((op) => `:${op}`).join(', ')}`,
    );
  }
  const key = map.get('key');
  if (key !== undefined && typeof key !== 'string' && typeof key !== 'number') {
    throw malformed(source, line, ':key must be a string or a number');
  }
  const time = map.get('time');
  return {
    line,
    process,
    type: type as EventType,
    op: f as OperationName,
    key: key === undefined ? '' : String(key),
    value: valueOf(map.get('value'), source, line),
    timeMs: line,
    ...(typeof time === 'number' ? { clockNs: time } : {}),
  };
}

function keywordOf(value: EdnValue | undefined): string | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? value.keyword
    : undefined;
}

function valueOf(
  value: EdnValue | undefined,
  source: HistorySource,
  line: number,
): HistoryEvent['value'] {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) return scalarText(value, source, line);
  if (value.length !== 2) throw malformed(source, line, ':value vectors must be pairs [from to]');
  return [scalarText(value[0] ?? null, source, line), scalarText(value[1] ?? null, source, line)];
}

/** Values are compared as text: 3 and "3" are the same register value. */
function scalarText(value: EdnScalar, source: HistorySource, line: number): string | null {
  if (value === null) return null;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (typeof value === 'object') return `:${value.keyword}`;
  throw malformed(source, line, ':value must be a string, a number, nil or a pair [from to]');
}
