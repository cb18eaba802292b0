/**
 * KeyedState for a million small entries: the same bounds, order and
 * counters (see keyed-state.ts), but an entry is a slot number, not an
 * object. The owner keeps its per-key fields in columns indexed by slot
 * (typed arrays for numbers, plain arrays for strings), so an entry costs a
 * Map entry and a few array cells instead of an object, its boxed numbers
 * and a Map entry.
 *
 * Keys are strings or small integers (an IPv4 address as an int32, see
 * ip-key.ts): an integer key holds no string at all.
 *
 * Order is an intrusive doubly linked list over slots, oldest first, with
 * exactly KeyedState's rules: a touch moves an entry to the young end unless
 * it is already among the youngest quarter; at maxKeys the oldest is evicted
 * (counted); `sweep` drops entries from the old end while their lastSeen is
 * older than watermark - ttl, stopping at the first live one.
 *
 * A removed slot is reused: `onRemove` is called before that, and the owner
 * must overwrite every column of a slot when `insert` hands it out.
 */
export type SlotKey = string | number;

export interface SlotKeyedStateOptions {
  maxKeys: number;
  ttlMs: number;
  /** Called before a slot is freed (the owner drops what the slot's columns hold). */
  onRemove?: (slot: number, key: SlotKey, reason: 'expired' | 'evicted') => void;
  /** Called when the columns must hold `capacity` slots (the owner grows its typed arrays). */
  onGrow?: (capacity: number) => void;
}

const NONE = -1;
const INITIAL_CAPACITY = 1024;

export class SlotKeyedState {
  private readonly slots = new Map<SlotKey, number>();
  /** Largest event time seen per slot (the owner raises it; sweep reads it). */
  lastSeen = new Float64Array(0);
  private order = new Float64Array(0);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private keys: SlotKey[] = [];
  private capacity = 0;
  /** Slots never handed out start here; freed ones are chained through `next`. */
  private unused = 0;
  private free = NONE;
  private head = NONE;
  private tail = NONE;
  private sequence = 0;
  /** Entries removed to respect maxKeys (memory pressure), not by age. */
  evicted = 0;
  /** Entries removed by age. */
  expired = 0;

  constructor(private readonly options: SlotKeyedStateOptions) {
    if (!(options.maxKeys >= 1)) throw new RangeError('maxKeys must be at least 1');
  }

  get size(): number {
    return this.slots.size;
  }

  /** The slot of `key`, or -1. */
  get(key: SlotKey): number {
    const slot = this.slots.get(key);
    return slot === undefined ? NONE : slot;
  }

  keyOf(slot: number): SlotKey {
    return this.keys[slot] as SlotKey;
  }

  /** Marks an existing slot most recently touched (unless it is among the youngest quarter). */
  touch(slot: number): void {
    if ((this.order[slot] as number) < this.sequence - (this.slots.size >>> 2)) {
      this.unlink(slot);
      this.append(slot);
      this.order[slot] = ++this.sequence;
    }
  }

  /**
   * A slot for a key that is absent (evicting the oldest entry at maxKeys),
   * most recently touched, with lastSeen set. The owner fills its columns.
   */
  insert(key: SlotKey, lastSeen: number): number {
    if (this.slots.size >= this.options.maxKeys && this.head !== NONE) this.remove(this.head, 'evicted');
    const slot = this.allocate();
    this.keys[slot] = key;
    this.lastSeen[slot] = lastSeen;
    this.order[slot] = ++this.sequence;
    this.append(slot);
    this.slots.set(key, slot);
    return slot;
  }

  /** Removes `key` without counting it (the owner is done with it). */
  delete(key: SlotKey): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.release(slot);
    return true;
  }

  /** Drop entries whose lastSeen is older than watermark - ttl, from the old end, stopping at the first live one. */
  sweep(watermark: number): number {
    const limit = watermark - this.options.ttlMs;
    let removed = 0;
    while (this.head !== NONE && (this.lastSeen[this.head] as number) < limit) {
      this.remove(this.head, 'expired');
      removed++;
    }
    return removed;
  }

  /** Remove every entry, reporting each as expired. */
  clear(): void {
    while (this.head !== NONE) this.remove(this.head, 'expired');
  }

  /** Slots from oldest to youngest. */
  *entries(): IterableIterator<number> {
    for (let slot = this.head; slot !== NONE; slot = this.next[slot] as number) yield slot;
  }

  private remove(slot: number, reason: 'expired' | 'evicted'): void {
    if (reason === 'evicted') this.evicted++;
    else this.expired++;
    this.options.onRemove?.(slot, this.keys[slot] as SlotKey, reason);
    this.release(slot);
  }

  private release(slot: number): void {
    this.slots.delete(this.keys[slot] as SlotKey);
    this.unlink(slot);
    this.keys[slot] = 0;
    this.next[slot] = this.free;
    this.free = slot;
  }

  private allocate(): number {
    if (this.free !== NONE) {
      const slot = this.free;
      this.free = this.next[slot] as number;
      return slot;
    }
    if (this.unused === this.capacity) this.grow();
    return this.unused++;
  }

  private grow(): void {
    const capacity = Math.min(Math.max(INITIAL_CAPACITY, this.capacity * 2), Math.max(this.options.maxKeys, this.capacity + 1));
    this.lastSeen = growFloat(this.lastSeen, capacity);
    this.order = growFloat(this.order, capacity);
    this.prev = growInt(this.prev, capacity);
    this.next = growInt(this.next, capacity);
    this.capacity = capacity;
    this.options.onGrow?.(capacity);
  }

  private append(slot: number): void {
    this.prev[slot] = this.tail;
    this.next[slot] = NONE;
    if (this.tail === NONE) this.head = slot;
    else this.next[this.tail] = slot;
    this.tail = slot;
  }

  private unlink(slot: number): void {
    const prev = this.prev[slot] as number;
    const next = this.next[slot] as number;
    if (prev === NONE) this.head = next;
    else this.next[prev] = next;
    if (next === NONE) this.tail = prev;
    else this.prev[next] = prev;
  }
}

export function growFloat(column: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const grown = new Float64Array(capacity);
  grown.set(column);
  return grown;
}

export function growInt(column: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(capacity);
  grown.set(column);
  return grown;
}
