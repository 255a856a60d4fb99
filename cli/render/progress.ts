/**
 * The one way a command gets a ProgressSink: a live ink step view on a terminal (table
 * output), one plain line per state change when stderr is a pipe or a log, nothing for
 * --output json|yaml. Progress always goes to stderr; stdout keeps the result.
 */
import type { Clock } from '../../core/ports.js';
import {
  createLineProgressSink,
  createSilentProgressSink,
  type ClosableProgressSink,
} from '../../dashboards/views/line-progress-sink.js';
import { createLiveProgressSink } from '../../dashboards/views/live-progress-sink.js';
import type { OutputFormat } from '../flags.js';

export type { ClosableProgressSink } from '../../dashboards/views/line-progress-sink.js';

export interface ProgressSinkOptions {
  format: OutputFormat;
  /** Default process.stderr. */
  stream?: NodeJS.WriteStream;
  clock?: Clock;
  env?: NodeJS.ProcessEnv;
}

export type ProgressStyle = 'live' | 'lines' | 'silent';

/**
 * json/yaml: silent (scripts read stdout, and a log of progress would be noise). A terminal
 * that can redraw: live. Otherwise, or with QUORUMCTL_PROGRESS=lines or TERM=dumb: lines.
 */
export function progressStyle(
  format: OutputFormat,
  isTTY: boolean,
  env: NodeJS.ProcessEnv,
): ProgressStyle {
  if (format !== 'table') return 'silent';
  const forced = env['QUORUMCTL_PROGRESS'];
  if (forced === 'none') return 'silent';
  if (forced === 'lines' || env['TERM'] === 'dumb') return 'lines';
  return isTTY ? 'live' : 'lines';
}

/** NodeJS.WriteStream types isTTY as boolean, but pipes and files leave it undefined. */
function isTerminal(stream: { isTTY?: boolean | undefined }): boolean {
  return stream.isTTY === true;
}

export function createProgressSink(options: ProgressSinkOptions): ClosableProgressSink {
  const stream = options.stream ?? process.stderr;
  const style = progressStyle(options.format, isTerminal(stream), options.env ?? process.env);
  const clock = options.clock === undefined ? {} : { clock: options.clock };
  if (style === 'silent') return createSilentProgressSink();
  if (style === 'lines') return createLineProgressSink(stream, options.clock);
  return createLiveProgressSink(stream, clock);
}
