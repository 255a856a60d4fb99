/**
 * One line per cluster per refresh, for watching without a terminal UI (`dashboard` when
 * stdout is not a TTY, logs, CI): time, the status summary and the health verdict.
 */
import type { HealthVerdict } from '../../core/health.js';
import type { ClusterStatus, SystemKind } from '../../core/model.js';
import { summaryLine } from './status.js';

export interface WatchLineInput {
  /** ISO 8601 time of the poll. */
  at: string;
  cluster: string;
  kind: SystemKind;
  /** The status the poll got; absent when it got none (`error` says why). */
  status?: ClusterStatus;
  error?: { code: string; message: string };
  verdict?: HealthVerdict;
  /** The most severe health reason, shown after the verdict. */
  reason?: string;
}

export function watchLine(input: WatchLineInput): string {
  const summary =
    input.status !== undefined
      ? summaryLine(input.status)
      : `${input.cluster} (${input.kind}): UNREACHABLE (${input.error?.code ?? 'UNKNOWN'}: ${input.error?.message ?? 'no answer'})`;
  const verdict = input.verdict === undefined ? '' : ` [${input.verdict}]`;
  const reason = input.reason === undefined || input.verdict === 'ok' ? '' : ` ${input.reason}`;
  return `${input.at} ${summary}${verdict}${reason}\n`;
}
