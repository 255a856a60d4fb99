/** The linearizability checker: what the CLI and the drill runner import. */
export { checkHistory, type CheckDependencies } from './check.js';
export type {
  CheckOptions,
  CheckResult,
  ModelName,
  OperationName,
  Outcome,
  RecordedHistory,
  RecordedOperation,
  Verdict,
} from './history.js';
export { readHistoryFile } from './read-history.js';
export {
  detectFormat,
  HISTORY_FORMATS,
  parseHistory,
  type HistoryFormat,
  type ParsedHistory,
} from './parse/index.js';
