/**
 * Lowe's memo of explored configurations (set of linearized operations, model state),
 * hashed without building strings: a Zobrist hash of the set, updated as operations are
 * linearized and undone, mixed with an interned state id, in an open-addressing table
 * over typed arrays (no per-entry objects for the garbage collector). Records keep the
 * full set, so a hash collision never hides an unexplored configuration.
 */

export class LinearizedSet {
  readonly words: Uint32Array;
  /** XOR of the random code of each member: the set's hash, kept current by toggle(). */
  hash = 0;
  private readonly codes: Int32Array;

  constructor(size: number) {
    this.words = new Uint32Array(Math.max(1, Math.ceil(size / 32)));
    this.codes = zobristCodes(size);
  }

  toggle(index: number): void {
    this.words[index >>> 5] = (this.words[index >>> 5] ?? 0) ^ (1 << (index & 31));
    this.hash ^= this.codes[index] ?? 0;
  }
}

const INITIAL_RECORDS = 1024;

export class ExploredConfigurations<State> {
  private readonly stateIds = new Map<State, number>();
  /** Slot -> record number + 1 (0 = empty); twice as many slots as records at most. */
  private slots = new Int32Array(INITIAL_RECORDS * 2);
  private hashes = new Int32Array(INITIAL_RECORDS);
  private states = new Int32Array(INITIAL_RECORDS);
  private sets: Uint32Array;
  private count = 0;

  constructor(private readonly wordsPerSet: number) {
    this.sets = new Uint32Array(wordsPerSet * INITIAL_RECORDS);
  }

  /** Records the configuration; false when it had been explored already. */
  add(linearized: LinearizedSet, state: State): boolean {
    let stateId = this.stateIds.get(state);
    if (stateId === undefined) {
      stateId = this.stateIds.size;
      this.stateIds.set(state, stateId);
    }
    const hash = (linearized.hash ^ Math.imul(stateId + 1, 0x9e3779b1)) | 0;
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const record = (this.slots[slot] ?? 0) - 1;
      if (record < 0) break;
      if (
        this.hashes[record] === hash &&
        this.states[record] === stateId &&
        this.sameSet(record, linearized.words)
      ) {
        return false;
      }
      slot = (slot + 1) & mask;
    }
    if (this.count === this.hashes.length) {
      this.grow();
      return this.add(linearized, state);
    }
    this.slots[slot] = this.count + 1;
    this.hashes[this.count] = hash;
    this.states[this.count] = stateId;
    this.sets.set(linearized.words, this.count * this.wordsPerSet);
    this.count++;
    return true;
  }

  private sameSet(record: number, words: Uint32Array): boolean {
    const offset = record * this.wordsPerSet;
    for (let word = 0; word < this.wordsPerSet; word++) {
      if (this.sets[offset + word] !== words[word]) return false;
    }
    return true;
  }

  private grow(): void {
    const records = this.hashes.length * 2;
    this.hashes = resized(this.hashes, records);
    this.states = resized(this.states, records);
    const sets = new Uint32Array(records * this.wordsPerSet);
    sets.set(this.sets);
    this.sets = sets;
    this.slots = new Int32Array(records * 2);
    const mask = this.slots.length - 1;
    for (let record = 0; record < this.count; record++) {
      let slot = (this.hashes[record] ?? 0) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = record + 1;
    }
  }
}

function resized(array: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(length);
  larger.set(array);
  return larger;
}

/** Deterministic pseudo-random codes (xorshift32), so runs are reproducible. */
function zobristCodes(size: number): Int32Array {
  const codes = new Int32Array(size);
  let seed = 0x2545f491;
  for (let index = 0; index < size; index++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    codes[index] = seed;
  }
  return codes;
}
