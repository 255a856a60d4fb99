/** Turns history text into a RecordedHistory: format detected by content or forced. */
import type { ModelName, RecordedHistory, RecordedOperation } from '../history.js';
import { MODEL_OPERATIONS } from '../models.js';
import { JEPSEN_LOG_EVENT, parseJepsenLog } from './jepsen-log.js';
import { parseJepsenEdn } from './jepsen-edn.js';
import { parseJsonHistory } from './json-history.js';
import { malformed, type HistorySource } from './source.js';

export const HISTORY_FORMATS = ['auto', 'json', 'jepsen-log', 'jepsen-edn'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

export interface ParseRequest extends HistorySource {
  format: HistoryFormat;
  /** The operator's choice; otherwise the file's own, otherwise inferred from the operations. */
  model?: ModelName;
}

export interface ParsedHistory {
  history: RecordedHistory;
  format: Exclude<HistoryFormat, 'auto'>;
}

export function parseHistory(text: string, request: ParseRequest): ParsedHistory {
  const format = request.format === 'auto' ? detectFormat(text, request) : request.format;
  let fileModel: ModelName | undefined;
  let operations: RecordedOperation[];
  if (format === 'json') {
    const parsed = parseJsonHistory(text, request);
    fileModel = parsed.model;
    operations = parsed.operations;
  } else if (format === 'jepsen-log') {
    operations = parseJepsenLog(text, request);
    fileModel = 'register';
  } else {
    operations = parseJepsenEdn(text, request);
  }
  const model = request.model ?? fileModel ?? inferModel(operations, request);
  return { history: { model, operations }, format };
}

/** JSON starts with `[` or `{"`, EDN with `{:`; a Jepsen log has jepsen.util event lines. */
export function detectFormat(text: string, source: HistorySource): Exclude<HistoryFormat, 'auto'> {
  const start = /\S/.exec(text);
  const first = start?.[0];
  if (first === '[') return 'json';
  if (first === '{') {
    const next = /\S/.exec(text.slice((start?.index ?? 0) + 1))?.[0];
    if (next === ':') return 'jepsen-edn';
    return 'json';
  }
  if (text.split('\n').some((line) => JEPSEN_LOG_EVENT.test(line))) return 'jepsen-log';
  throw malformed(
    source,
    1,
    start === null ? 'the file is empty' : 'cannot tell the history format from the content',
    ['name the format with --format json|jepsen-log|jepsen-edn'],
  );
}

/** read/write/cas is a register history, get/put/append a kv history. */
function inferModel(operations: readonly RecordedOperation[], source: HistorySource): ModelName {
  const names = new Set(operations.map((op) => op.op));
  for (const model of ['register', 'kv'] as const) {
    if ([...names].every((name) => MODEL_OPERATIONS[model].includes(name))) return model;
  }
  throw malformed(
    source,
    1,
    `the history mixes register and kv operations (${[...names].join(', ')})`,
    ['name the model with --model register|kv'],
  );
}
