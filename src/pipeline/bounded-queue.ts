/**
 * A fixed-capacity FIFO ring buffer. Offers never grow it: a full queue
 * refuses, and the caller turns that into backpressure (HTTP 503, a paused
 * reader). Drained in batches by the stage behind it.
 */
export class BoundedQueue<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  private count = 0;
  /** Largest depth seen since start (for metrics). */
  highWater = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('queue capacity must be a positive integer');
    this.slots = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  get free(): number {
    return this.capacity - this.count;
  }

  offer(item: T): boolean {
    if (this.count === this.capacity) return false;
    this.slots[(this.head + this.count) % this.capacity] = item;
    this.count++;
    if (this.count > this.highWater) this.highWater = this.count;
    return true;
  }

  /** All of `items` or none of them. */
  offerAll(items: readonly T[]): boolean {
    if (items.length > this.capacity - this.count) return false;
    for (const item of items) this.offer(item);
    return true;
  }

  /** Move up to `max` items into `into` (appended); returns how many. */
  drain(into: T[], max: number): number {
    const n = Math.min(max, this.count);
    const slots = this.slots;
    for (let i = 0; i < n; i++) {
      const index = this.head;
      into.push(slots[index] as T);
      slots[index] = undefined;
      this.head = index + 1 === this.capacity ? 0 : index + 1;
    }
    this.count -= n;
    return n;
  }
}
