/**
 * The history as a doubly linked list of call and return entries in real-time order, with
 * lift/unlift (Wing & Gong's search as Porcupine describes it): lifting a linearized
 * operation removes its call and return so the scan restarts at the remaining head.
 */

/** One operation as the search sees it: its interval and the id of its step. */
export interface TimedOperation {
  invokeMs: number;
  /** `Infinity` for an operation that never completed (it may take effect at any later time). */
  completeMs: number;
}

export const HEAD = 0;
const NONE = -1;

export interface EntryList {
  /** Entry 0 is the head sentinel; entries 1..2n are calls and returns. */
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** The operation index of each entry. */
  readonly operation: Int32Array;
  /** 1 for a call entry, 0 for a return entry. */
  readonly isCall: Uint8Array;
  /** For a call entry, its return entry. */
  readonly returnOf: Int32Array;
}

/**
 * Intervals are closed: an operation that completes at the instant another is invoked is
 * concurrent with it, so at equal times calls come before returns.
 */
export function buildEntryList(operations: readonly TimedOperation[]): EntryList {
  const events: { time: number; call: boolean; operation: number }[] = [];
  operations.forEach((op, index) => {
    events.push({ time: op.invokeMs, call: true, operation: index });
    events.push({ time: op.completeMs, call: false, operation: index });
  });
  // Infinity - Infinity is NaN, which is falsy: never-completed returns fall through to
  // operation order.
  events.sort(
    (a, b) => a.time - b.time || Number(b.call) - Number(a.call) || a.operation - b.operation,
  );
  const size = events.length + 1;
  const list: EntryList = {
    next: new Int32Array(size),
    prev: new Int32Array(size),
    operation: new Int32Array(size),
    isCall: new Uint8Array(size),
    returnOf: new Int32Array(size),
  };
  const callEntry = new Int32Array(operations.length);
  list.prev[HEAD] = NONE;
  events.forEach((event, index) => {
    const entry = index + 1;
    list.prev[entry] = entry - 1;
    list.next[entry - 1] = entry;
    list.operation[entry] = event.operation;
    list.isCall[entry] = event.call ? 1 : 0;
    if (event.call) callEntry[event.operation] = entry;
    else list.returnOf[callEntry[event.operation] ?? 0] = entry;
  });
  list.next[size - 1] = NONE;
  return list;
}

export function isEmpty(list: EntryList): boolean {
  return list.next[HEAD] === NONE;
}

/** Removes a call entry and its return from the list. */
export function lift(list: EntryList, call: number): void {
  const { next, prev } = list;
  unlink(next, prev, call);
  unlink(next, prev, list.returnOf[call] ?? 0);
}

/** Puts back the entries the matching `lift` removed (lifts are undone in reverse order). */
export function unlift(list: EntryList, call: number): void {
  const { next, prev } = list;
  relink(next, prev, list.returnOf[call] ?? 0);
  relink(next, prev, call);
}

function unlink(next: Int32Array, prev: Int32Array, entry: number): void {
  const before = prev[entry] ?? NONE;
  const after = next[entry] ?? NONE;
  next[before] = after;
  if (after !== NONE) prev[after] = before;
}

function relink(next: Int32Array, prev: Int32Array, entry: number): void {
  const before = prev[entry] ?? NONE;
  const after = next[entry] ?? NONE;
  next[before] = entry;
  if (after !== NONE) prev[after] = entry;
}
