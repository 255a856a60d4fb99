/** A fixed-capacity buffer that keeps the newest values: one per dashboard series. */
export class RingBuffer<T> {
  private readonly slots: (T | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacity}`);
    this.slots = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Adds `value` as the newest, dropping the oldest when full. */
  push(value: T): void {
    const index = (this.start + this.count) % this.capacity;
    this.slots[index] = value;
    if (this.count < this.capacity) this.count += 1;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Oldest first. */
  values(): T[] {
    const values: T[] = [];
    for (let i = 0; i < this.count; i += 1)
      values.push(this.slots[(this.start + i) % this.capacity] as T);
    return values;
  }

  latest(): T | undefined {
    return this.count === 0 ? undefined : this.slots[(this.start + this.count - 1) % this.capacity];
  }
}
