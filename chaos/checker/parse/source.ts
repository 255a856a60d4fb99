/** Where parsed text came from, so every complaint names the file and the line. */
import { UsageError } from '../../../core/errors.js';

export interface HistorySource {
  /** Shown in error messages: the path the operator gave. */
  fileName: string;
}

export function malformed(
  source: HistorySource,
  line: number,
  problem: string,
  actions: readonly string[] = [],
): UsageError {
  return new UsageError('HISTORY_INVALID', `${source.fileName}:${line}: ${problem}`, {
    actions: [...actions, 'see docs/chaos-checker.md for the accepted history formats'],
    details: { file: source.fileName, line },
  });
}
