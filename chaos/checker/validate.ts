/** Refuses histories the models cannot replay, naming the operation and what is wrong. */
import { UsageError } from '../../core/errors.js';
import type { RecordedHistory, RecordedOperation } from './history.js';
import { MODEL_OPERATIONS } from './models.js';

export function assertOperationsFitModel(history: RecordedHistory): void {
  const allowed = MODEL_OPERATIONS[history.model];
  history.operations.forEach((op, index) => {
    const problem = allowed.includes(op.op)
      ? shapeProblem(op)
      : `"${op.op}" is not an operation of the ${history.model} model (${allowed.join(', ')})`;
    if (problem === undefined) return;
    throw new UsageError(
      'HISTORY_INVALID',
      `operation ${index} (client ${op.client}, key "${op.key}"): ${problem}`,
      {
        actions: [
          history.model === 'register'
            ? 'register histories use read, write and cas; for get/put/append use --model kv'
            : 'kv histories use get, put and append; for read/write/cas use --model register',
        ],
        details: { operation: index, model: history.model },
      },
    );
  });
}

function shapeProblem(op: RecordedOperation): string | undefined {
  if (!Number.isFinite(op.invokeMs)) return 'invokeMs must be a number';
  if (op.outcome !== 'unknown') {
    if (op.completeMs === undefined || !Number.isFinite(op.completeMs))
      return `an operation with outcome ${op.outcome} needs completeMs`;
    if (op.completeMs < op.invokeMs) return 'completeMs is before invokeMs';
  }
  switch (op.op) {
    case 'write':
    case 'put':
    case 'append':
      return typeof op.value === 'string' ? undefined : `${op.op} needs a string value`;
    case 'cas':
      return Array.isArray(op.value) &&
        op.value.length === 2 &&
        (op.value[0] === null || typeof op.value[0] === 'string') &&
        typeof op.value[1] === 'string'
        ? undefined
        : 'cas needs value [expected, new] (expected may be null: no value)';
    case 'read':
    case 'get':
      return op.outcome !== 'ok' || op.result === null || typeof op.result === 'string'
        ? undefined
        : `a completed ${op.op} needs result (a string, or null for no value)`;
  }
}
