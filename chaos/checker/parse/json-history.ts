/**
 * Our own history format (RecordedHistory as JSON): `{model, operations}` on its own, in a
 * quorumctl/v1 envelope's `result`, or under a `history` field (as in a drill report).
 */
import type { ModelName, OperationName, Outcome, RecordedOperation } from '../history.js';
import { malformed, type HistorySource } from './source.js';

export interface ParsedJsonHistory {
  model?: ModelName;
  operations: RecordedOperation[];
}

const MODELS: readonly string[] = ['register', 'kv'];
const OPERATIONS: readonly string[] = ['read', 'write', 'cas', 'get', 'put', 'append'];
const OUTCOMES: readonly string[] = ['ok', 'fail', 'unknown'];

export function parseJsonHistory(text: string, source: HistorySource): ParsedJsonHistory {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw malformed(
      source,
      lineOfJsonError(text, message),
      `not valid JSON: ${message.replace(/\n/g, '\\n')}`,
    );
  }
  const history = findHistory(document);
  if (history === undefined) {
    throw malformed(
      source,
      1,
      'no history found: expected {"model": ..., "operations": [...]} (or an envelope or report holding one)',
    );
  }
  const model = history.model;
  if (model !== undefined && !MODELS.includes(model as string)) {
    throw malformed(source, 1, `"model" must be "register" or "kv", not ${JSON.stringify(model)}`);
  }
  return {
    ...(model === undefined ? {} : { model: model as ModelName }),
    operations: history.operations.map((entry, index) =>
      operationFrom(entry, index, source, () => lineOfOperation(text, index)),
    ),
  };
}

type HistoryLike = { model?: unknown; operations: unknown[] };

function findHistory(document: unknown): HistoryLike | undefined {
  if (Array.isArray(document)) return { operations: document };
  if (!isObject(document)) return undefined;
  if (Array.isArray(document.operations)) return document as HistoryLike;
  return findHistory(document.history) ?? findHistory(document.result);
}

function operationFrom(
  entry: unknown,
  index: number,
  source: HistorySource,
  /** Found only when needed: scanning the text for every operation would be quadratic. */
  line: () => number,
): RecordedOperation {
  const fail = (problem: string) => malformed(source, line(), `operations[${index}]: ${problem}`);
  if (!isObject(entry)) throw fail('must be an object');
  const { client, key, op, value, result, outcome, invokeMs, completeMs } = entry;
  if (typeof client !== 'number') throw fail('"client" must be a number');
  if (typeof key !== 'string') throw fail('"key" must be a string');
  if (typeof op !== 'string' || !OPERATIONS.includes(op)) {
    throw fail(`"op" must be one of ${OPERATIONS.join(', ')}`);
  }
  if (typeof outcome !== 'string' || !OUTCOMES.includes(outcome)) {
    throw fail('"outcome" must be ok, fail or unknown');
  }
  if (typeof invokeMs !== 'number') throw fail('"invokeMs" must be a number');
  if (completeMs !== undefined && typeof completeMs !== 'number') {
    throw fail('"completeMs" must be a number');
  }
  if (!isValue(value)) throw fail('"value" must be a string, null or [expected, new]');
  if (result !== undefined && result !== null && typeof result !== 'string') {
    throw fail('"result" must be a string or null');
  }
  const operation: RecordedOperation = {
    client,
    key,
    op: op as OperationName,
    outcome: outcome as Outcome,
    invokeMs,
  };
  if (value !== undefined) operation.value = value;
  if (result !== undefined) operation.result = result;
  if (completeMs !== undefined) operation.completeMs = completeMs;
  return operation;
}

function isValue(value: unknown): value is RecordedOperation['value'] {
  if (value === undefined || value === null || typeof value === 'string') return true;
  return (
    Array.isArray(value) &&
    value.length === 2 &&
    (value[0] === null || typeof value[0] === 'string') &&
    typeof value[1] === 'string'
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * V8 gives the position ("at position 15"), the line ("line 2 column 3"), or only the text
 * around the offending token ("Unexpected token '}', ..."ons": [ }" is not valid JSON", with
 * 10 characters of context either side), from which the position is recovered.
 */
function lineOfJsonError(text: string, message: string): number {
  const line = /line (\d+)/.exec(message);
  if (line !== null) return Number(line[1]);
  const position = /position (\d+)/.exec(message);
  if (position !== null) return lineAt(text, Number(position[1]));
  if (message.includes('end of JSON input')) return lineAt(text, text.trimEnd().length);
  const context =
    /^Unexpected token '(.)', (\.\.\.)?"([\s\S]*)"(?:\.\.\.)? is not valid JSON$/.exec(message);
  if (context === null) return 1;
  const [, token = '', clipped, around = ''] = context;
  const start = text.indexOf(around);
  if (start < 0) return 1;
  return lineAt(text, start + (clipped === undefined ? around.indexOf(token) : 10));
}

/**
 * The line where the index-th operation object starts, found by scanning the text for
 * objects nested directly in the "operations" array; 1 when the layout is unusual.
 */
function lineOfOperation(text: string, index: number): number {
  const start = text.indexOf('"operations"');
  const open = start < 0 ? text.indexOf('[') : text.indexOf('[', start);
  if (open < 0) return 1;
  let depth = 0;
  let seen = -1;
  let inString = false;
  for (let position = open + 1; position < text.length; position++) {
    const character = text[position];
    if (inString) {
      if (character === '\\') position++;
      else if (character === '"') inString = false;
      continue;
    }
    if (character === '"') inString = true;
    else if (character === '{' || character === '[') {
      if (depth === 0 && character === '{' && ++seen === index) return lineAt(text, position);
      depth++;
    } else if (character === '}' || character === ']') {
      if (depth === 0) return 1;
      depth--;
    }
  }
  return 1;
}

function lineAt(text: string, position: number): number {
  let line = 1;
  for (let index = 0; index < position && index < text.length; index++) {
    if (text[index] === '\n') line++;
  }
  return line;
}
