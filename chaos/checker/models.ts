/** The sequential specifications the checker replays operations against: register and kv. */
import type { ModelName, OperationName, RecordedOperation } from './history.js';

/**
 * A sequential object: where it starts and what one operation does to it. States are
 * primitives, so two equal states behave the same from then on and memoise as one.
 */
export interface SequentialModel<State extends string | null> {
  readonly name: ModelName;
  readonly initial: State;
  readonly operations: readonly OperationName[];
  /** The state after `op`, or `undefined` when `op` could not have returned what it did. */
  step(state: State, op: RecordedOperation): State | undefined;
}

/** Read / write / compare-and-swap on one value; initially no value (`null`). */
export const registerModel: SequentialModel<string | null> = {
  name: 'register',
  initial: null,
  operations: ['read', 'write', 'cas'],
  step(state, op) {
    switch (op.op) {
      case 'read':
        return op.outcome === 'unknown' || op.result === state ? state : undefined;
      case 'write':
        return op.value as string;
      case 'cas': {
        const [expected, next] = op.value as [string | null, string];
        if (state === expected) return next;
        // An unknown swap whose compare fails simply had no effect.
        return op.outcome === 'unknown' ? state : undefined;
      }
      default:
        return undefined;
    }
  },
};

/** Get / put / append on one key's string; an unset key reads as `""`. */
export const kvModel: SequentialModel<string> = {
  name: 'kv',
  initial: '',
  operations: ['get', 'put', 'append'],
  step(state, op) {
    switch (op.op) {
      case 'get':
        return op.outcome === 'unknown' || (op.result ?? '') === state ? state : undefined;
      case 'put':
        return op.value as string;
      case 'append':
        return state + (op.value as string);
      default:
        return undefined;
    }
  },
};

export function modelNamed(name: ModelName): SequentialModel<string | null> {
  return name === 'register' ? registerModel : kvModel;
}

export const MODEL_OPERATIONS: Readonly<Record<ModelName, readonly OperationName[]>> = {
  register: registerModel.operations,
  kv: kvModel.operations,
};
