/**
 * KeyedState for a million small entries: the same bounds, order and
 * counters (see keyed-state.ts), but an entry is a slot number, not an
 * object. The owner keeps its per-key fields in columns indexed by slot
 * (typed arrays for numbers, plain arrays for strings), so an entry costs a
 * Map entry and a few array cells instead of an object, its boxed numbers
 * and a Map entry.
 *
 * Keys are strings or int32 numbers (an IPv4 address, see ip-key.ts): an
 * integer key holds no string at all. The key→slot table is open addressing
 * (linear probing, backward-shift deletion, at most half full) in an
 * Int32Array with each slot's hash beside it: no per-key JS object, nothing
 * for the garbage collector to trace but the keys array. Hashes are seeded
 * per table, so keys cannot be chosen to collide.
 *
 * Order is an intrusive doubly linked list over slots, oldest first, with
 * exactly KeyedState's rules: a touch moves an entry to the young end unless
 * it is already among the youngest quarter; at maxKeys the oldest is evicted
 * (counted); `sweep` drops entries from the old end while their lastSeen is
 * older than watermark - ttl, stopping at the first live one.
 *
 * A removed slot is reused: `onFree` is called before that, and the owner
 * must overwrite every column of a slot when `insert` hands it out.
 */
export type SlotKey = string | number;

export interface SlotKeyedStateOptions {
  maxKeys: number;
  ttlMs: number;
  /** Called when an entry is removed by age or size (not by `delete`), before onFree. */
  onRemove?: (slot: number, key: SlotKey, reason: 'expired' | 'evicted') => void;
  /** Called for every slot freed, however (the owner drops what the slot's columns hold). */
  onFree?: (slot: number) => void;
  /** Called when the columns must hold `capacity` slots (the owner grows its typed arrays). */
  onGrow?: (capacity: number) => void;
}

const NONE = -1;
const INITIAL_CAPACITY = 1024;

export class SlotKeyedState {
  /** Open addressing: slot + 1 per cell, 0 when empty; `mask` = cells - 1. */
  private table = new Int32Array(0);
  private mask = -1;
  private hashes = new Int32Array(0);
  private readonly seed = (Math.random() * 0x100000000) | 0;
  private count = 0;
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
    return this.count;
  }

  /** The slot of `key`, or -1. */
  get(key: SlotKey): number {
    if (this.count === 0) return NONE;
    const hash = this.hash(key);
    const table = this.table;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const cell = table[i] as number;
      if (cell === 0) return NONE;
      const slot = cell - 1;
      if (this.hashes[slot] === hash && this.keys[slot] === key) return slot;
    }
  }

  keyOf(slot: number): SlotKey {
    return this.keys[slot] as SlotKey;
  }

  /** Marks an existing slot most recently touched (unless it is among the youngest quarter). */
  touch(slot: number): void {
    if ((this.order[slot] as number) < this.sequence - (this.count >>> 2)) {
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
    if (this.count >= this.options.maxKeys && this.head !== NONE) this.remove(this.head, 'evicted');
    const slot = this.allocate();
    const hash = this.hash(key);
    this.keys[slot] = key;
    this.hashes[slot] = hash;
    this.lastSeen[slot] = lastSeen;
    this.order[slot] = ++this.sequence;
    this.append(slot);
    this.place(slot, hash);
    this.count++;
    return slot;
  }

  /** Removes `key` without counting it (the owner is done with it). */
  delete(key: SlotKey): boolean {
    const slot = this.get(key);
    if (slot === NONE) return false;
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
    this.options.onFree?.(slot);
    this.displace(slot);
    this.count--;
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
    this.hashes = growInt(this.hashes, capacity);
    const keys = new Array<SlotKey>(capacity).fill(0);
    for (let i = 0; i < this.capacity; i++) keys[i] = this.keys[i] as SlotKey;
    this.keys = keys;
    this.capacity = capacity;
    // At most half full.
    let cells = 2;
    while (cells < 2 * capacity) cells *= 2;
    this.table = new Int32Array(cells);
    this.mask = cells - 1;
    for (let slot = this.head; slot !== NONE; slot = this.next[slot] as number) this.place(slot, this.hashes[slot] as number);
    this.options.onGrow?.(capacity);
  }

  private hash(key: SlotKey): number {
    let h = this.seed;
    if (typeof key === 'number') {
      h ^= key;
    } else {
      for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
      h ^= key.length;
    }
    // Final avalanche (murmur3's fmix32), so that every bit of the key reaches the low bits the table uses.
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return h ^ (h >>> 16);
  }

  private place(slot: number, hash: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = slot + 1;
  }

  /** Takes `slot` out of the table, shifting back the cells after it that probed past it. */
  private displace(slot: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = (this.hashes[slot] as number) & mask;
    while (table[i] !== slot + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const home = (this.hashes[(table[j] as number) - 1] as number) & mask;
      // The cell at j may move to i only if its home is not cyclically within (i, j].
      const stays = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!stays) {
        table[i] = table[j] as number;
        i = j;
      }
    }
    table[i] = 0;
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

/** A column of references grown to exactly `capacity` cells (an array left to grow by itself keeps up to half again as many). */
export function growArray<T>(column: T[], capacity: number, fill: T): T[] {
  const grown = new Array<T>(capacity).fill(fill);
  for (let i = 0; i < column.length; i++) grown[i] = column[i] as T;
  return grown;
}
