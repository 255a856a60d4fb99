/**
 * A CheckerResult for people: the verdict, the time it took and, when the history is not
 * linearizable, the failing prefix of the failing key as a short timeline of intervals.
 */
import type { CheckResult, ModelName, RecordedOperation } from '../../chaos/checker/index.js';
import { formatTable } from './table.js';

/** What `chaos check` reports: the checker's result and what was checked. */
export interface CheckerReport extends CheckResult {
  file: string;
  format: 'json' | 'jepsen-log' | 'jepsen-edn';
  model: ModelName;
  operationCount: number;
}

const VERDICT_LINE: Record<CheckResult['verdict'], string> = {
  linearizable: 'LINEARIZABLE',
  'not-linearizable': 'NOT LINEARIZABLE',
  unknown: 'UNKNOWN (no verdict in time)',
};

/** The timeline shows at most this many operations: the end of the prefix is where it fails. */
export const TIMELINE_ROWS = 20;
const TIMELINE_WIDTH = 40;

export function renderCheckerReport(report: CheckerReport): string {
  const lines = [
    `${VERDICT_LINE[report.verdict]}: ${report.file}`,
    `  ${report.operationCount} operations on ${report.keys} ${report.keys === 1 ? 'key' : 'keys'}, ${report.model} model, ${report.format} format, checked in ${formatDuration(report.durationMs)}`,
  ];
  if (report.reason !== undefined) lines.push(`  ${report.reason}`);
  if (report.verdict === 'not-linearizable' && report.failingPrefix !== undefined) {
    lines.push('', ...renderFailingPrefix(report, report.failingPrefix));
  }
  return `${lines.join('\n')}\n`;
}

function renderFailingPrefix(
  report: CheckerReport,
  prefix: readonly RecordedOperation[],
): string[] {
  const clock = report.format === 'json' ? 'MS' : 'LINES';
  const shown = prefix.slice(-TIMELINE_ROWS);
  const lastCompletion = Math.max(...prefix.map((op) => op.completeMs ?? -Infinity));
  const column = timelineColumns(shown);
  const rows = shown.map((op) => [
    `c${op.client}`,
    bar(op, column),
    describeOperation(op, report.model),
    op.outcome,
    `${op.invokeMs}-${op.outcome === 'unknown' ? '' : String(op.completeMs)}`,
    op.completeMs === lastCompletion ? '<- cannot be linearized with what came before' : '',
  ]);
  const omitted = prefix.length - shown.length;
  return [
    `Key "${report.failingKey ?? ''}": the shortest failing prefix has ${prefix.length} operations${omitted > 0 ? ` (the first ${omitted} are left out here; see -o json)` : ''}.`,
    'Operations still running when it fails are shown as unknown (...).',
    '',
    formatTable(['CLIENT', 'TIMELINE', 'OPERATION', 'OUTCOME', clock, ''], rows).trimEnd(),
  ];
}

/** Times become ranks, so a long quiet gap does not squeeze the interesting overlaps. */
function timelineColumns(operations: readonly RecordedOperation[]): (time: number) => number {
  const times = [
    ...new Set(
      operations.flatMap((op) => [
        op.invokeMs,
        ...(op.completeMs === undefined ? [] : [op.completeMs]),
      ]),
    ),
  ].sort((a, b) => a - b);
  const rank = new Map(times.map((time, index) => [time, index]));
  const span = Math.max(1, times.length - 1);
  return (time) => Math.round(((rank.get(time) ?? 0) / span) * (TIMELINE_WIDTH - 1));
}

function bar(op: RecordedOperation, column: (time: number) => number): string {
  const start = column(op.invokeMs);
  if (op.outcome === 'unknown' || op.completeMs === undefined) {
    return `${' '.repeat(start)}[${'.'.repeat(Math.max(0, TIMELINE_WIDTH - start - 1))}`;
  }
  const end = Math.max(start + 1, column(op.completeMs));
  return `${' '.repeat(start)}[${'='.repeat(Math.max(0, end - start - 1))}]`.padEnd(TIMELINE_WIDTH);
}

export function describeOperation(op: RecordedOperation, model: ModelName): string {
  const show = (value: string | null | undefined) =>
    value === null || value === undefined ? 'none' : model === 'kv' ? JSON.stringify(value) : value;
  switch (op.op) {
    case 'read':
    case 'get':
      return op.outcome === 'ok' ? `${op.op} -> ${show(op.result)}` : op.op;
    case 'cas': {
      const [expected, next] = Array.isArray(op.value) ? op.value : [null, ''];
      return `cas ${show(expected)} -> ${show(next)}`;
    }
    default:
      return `${op.op} ${show(op.value as string | null | undefined)}`;
  }
}

function formatDuration(milliseconds: number): string {
  if (milliseconds >= 1000) return `${(milliseconds / 1000).toFixed(2)} s`;
  return `${milliseconds < 10 ? milliseconds.toFixed(2) : milliseconds.toFixed(0)} ms`;
}
