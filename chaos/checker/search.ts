/**
 * Wing & Gong's linearizability search with Lowe's memoisation: depth-first over which
 * pending operation takes effect next, never revisiting a (set of linearized operations,
 * model state) pair that already led nowhere.
 */
import type { Deadline } from './deadline.js';
import { buildEntryList, HEAD, isEmpty, lift, unlift, type TimedOperation } from './entries.js';
import { ExploredConfigurations, LinearizedSet } from './memo.js';

export interface SearchOperation<State> extends TimedOperation {
  /** The state after this operation takes effect, or undefined when it cannot from `state`. */
  apply(state: State): State | undefined;
}

export type SearchOutcome = 'linearizable' | 'not-linearizable' | 'timeout';

/** Reading the clock costs more than a search step, so it is read every this many steps. */
const STEPS_PER_CLOCK_READ = 256;

/** States are primitives (register: string or null; kv: string), compared by value. */
export function searchLinearization<State extends string | null>(
  operations: readonly SearchOperation<State>[],
  initial: State,
  deadline: Deadline,
): SearchOutcome {
  const list = buildEntryList(operations);
  const linearized = new LinearizedSet(operations.length);
  const explored = new ExploredConfigurations<State>(linearized.words.length);
  const stackEntries: number[] = [];
  const stackStates: State[] = [];
  let state = initial;
  let entry = list.next[HEAD] ?? -1;
  let steps = 0;

  while (!isEmpty(list)) {
    if (++steps % STEPS_PER_CLOCK_READ === 0 && deadline.expired()) return 'timeout';
    const operation = list.operation[entry] ?? 0;
    if (list.isCall[entry] === 1) {
      const next = operations[operation]?.apply(state);
      if (next !== undefined) {
        linearized.toggle(operation);
        if (explored.add(linearized, next)) {
          stackEntries.push(entry);
          stackStates.push(state);
          state = next;
          lift(list, entry);
          entry = list.next[HEAD] ?? -1;
          continue;
        }
        linearized.toggle(operation);
      }
      entry = list.next[entry] ?? -1;
      continue;
    }
    // A return entry: its operation had to take effect before now and could not. Backtrack.
    const call = stackEntries.pop();
    const previous = stackStates.pop() as State;
    if (call === undefined) return 'not-linearizable';
    state = previous;
    linearized.toggle(list.operation[call] ?? 0);
    unlift(list, call);
    entry = list.next[call] ?? -1;
  }
  return 'linearizable';
}
