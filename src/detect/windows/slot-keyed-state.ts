import { KeySpace, type SlotKey } from './key-space.js';

export type { SlotKey } from './key-space.js';

/**
 * KeyedState for a million small entries: the same bounds, order and
 * counters (see keyed-state.ts), but an entry is a slot number, not an
 * object. The owner keeps its per-key fields in columns indexed by slot
 * (typed arrays for numbers, arrays for strings), so an entry costs a few
 * array cells instead of an object, its boxed numbers and a Map entry.
 *
 * Slots are the ids of a KeySpace (key-space.ts): a private one, or one
 * shared with other tables keyed by the same thing, which then hold each
 * key once. Columns are as long as the space's capacity.
 *
 * Order is an intrusive doubly linked list over slots, oldest first, with
 * exactly KeyedState's rules: a touch moves an entry to the young end unless
 * it is already among the youngest quarter; at maxKeys the oldest is evicted
 * (counted); `sweep` drops entries from the old end while their lastSeen is
 * older than watermark - ttl, stopping at the first live one.
 *
 * A removed slot may be reused: `onFree` is called before that, and the
 * owner must overwrite every column of a slot when `insert` hands it out.
 */
export interface SlotKeyedStateOptions {
  maxKeys: number;
  ttlMs: number;
  /** Called when an entry is removed by age or size (not by `delete`), before onFree. */
  onRemove?: (slot: number, key: SlotKey, reason: 'expired' | 'evicted') => void;
  /** Called for every slot freed, however (the owner drops what the slot's columns hold). */
  onFree?: (slot: number) => void;
  /** Called when the columns must hold `capacity` slots (the owner grows its typed arrays). */
  onGrow?: (capacity: number) => void;
  /** Shared with other tables keyed by the same thing; a private one when absent. */
  keys?: KeySpace;
}

const NONE = -1;

export class SlotKeyedState {
  private readonly space: KeySpace;
  private count = 0;
  /** Largest event time seen per slot (the owner raises it; sweep reads it). */
  lastSeen = new Float64Array(0);
  /** When the slot was last moved to the young end; 0 when the slot is not in this table. */
  private order = new Float64Array(0);
  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private head = NONE;
  private tail = NONE;
  private sequence = 0;
  /** Entries removed to respect maxKeys (memory pressure), not by age. */
  evicted = 0;
  /** Entries removed by age. */
  expired = 0;

  constructor(private readonly options: SlotKeyedStateOptions) {
    if (!(options.maxKeys >= 1)) throw new RangeError('maxKeys must be at least 1');
    this.space = options.keys ?? new KeySpace(options.maxKeys);
    this.space.onGrow((capacity) => this.grow(capacity));
  }

  get size(): number {
    return this.count;
  }

  /** The slot of `key`, or -1. */
  get(key: SlotKey): number {
    if (this.count === 0) return NONE;
    const slot = this.space.find(key);
    return slot === NONE || this.order[slot] === 0 ? NONE : slot;
  }

  keyOf(slot: number): SlotKey {
    return this.space.keyOf(slot);
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
    const slot = this.space.acquire(key);
    this.lastSeen[slot] = lastSeen;
    this.order[slot] = ++this.sequence;
    this.append(slot);
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
    this.options.onRemove?.(slot, this.space.keyOf(slot), reason);
    this.release(slot);
  }

  private release(slot: number): void {
    this.options.onFree?.(slot);
    this.unlink(slot);
    this.order[slot] = 0;
    this.count--;
    this.space.release(slot);
  }

  private grow(capacity: number): void {
    this.lastSeen = growFloat(this.lastSeen, capacity);
    this.order = growFloat(this.order, capacity);
    this.prev = growInt(this.prev, capacity);
    this.next = growInt(this.next, capacity);
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

/** A column of references grown to exactly `capacity` cells (an array left to grow by itself keeps up to half again as many). */
export function growArray<T>(column: T[], capacity: number, fill: T): T[] {
  const grown = new Array<T>(capacity).fill(fill);
  for (let i = 0; i < column.length; i++) grown[i] = column[i] as T;
  return grown;
}
