/**
 * Bounded per-key state in event time — the memory behind every windowed
 * detector (per IP, per user, per /24 …).
 *
 * Entries are kept in least-recently-touched order (a Map re-inserted on
 * touch), so both limits are O(1) amortised per event:
 *  - age: `sweep(watermark)` drops entries last touched more than `ttlMs`
 *    before the watermark (walking from the oldest, stopping at the first
 *    live one);
 *  - size: when `maxKeys` is reached the least recently touched entry is
 *    evicted to make room, and counted.
 * `onRemove` lets the owner close whatever an evicted entry held open.
 */
export interface KeyedStateOptions<S> {
  maxKeys: number;
  ttlMs: number;
  onRemove?: (key: string, state: S, reason: 'expired' | 'evicted') => void;
}

export interface TouchedState {
  /** Largest event time seen for this key. */
  lastSeen: number;
  /** Managed by KeyedState: when the entry was last moved to the young end. */
  order?: number;
}

export class KeyedState<S extends TouchedState> {
  private readonly entries = new Map<string, S>();
  /** Counts (re)insertions: an entry's `order` says how young its position is. */
  private sequence = 0;
  /** Entries removed to respect maxKeys (memory pressure), not by age. */
  evicted = 0;
  /** Entries removed by age. */
  expired = 0;

  constructor(private readonly options: KeyedStateOptions<S>) {
    if (!(options.maxKeys >= 1)) throw new RangeError('maxKeys must be at least 1');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): S | undefined {
    return this.entries.get(key);
  }

  /**
   * The state for `key`, created with `create` when absent; marks it most
   * recently touched. An entry already among the youngest quarter of the
   * order is left where it is: re-inserting hot keys on every event would
   * cost a Map delete+set each time for no change in what gets evicted.
   */
  touch(key: string, create: () => S): S {
    const entries = this.entries;
    let state = entries.get(key);
    if (state !== undefined) {
      if ((state.order as number) < this.sequence - (entries.size >>> 2)) {
        entries.delete(key);
        entries.set(key, state);
        state.order = ++this.sequence;
      }
      return state;
    }
    if (entries.size >= this.options.maxKeys) this.evictOldest();
    state = create();
    state.order = ++this.sequence;
    entries.set(key, state);
    return state;
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  /**
   * Drop entries whose lastSeen is older than watermark - ttl, walking from
   * the old end and stopping at the first live one. Returns how many.
   */
  sweep(watermark: number): number {
    const limit = watermark - this.options.ttlMs;
    let removed = 0;
    for (const [key, state] of this.entries) {
      if (state.lastSeen >= limit) break;
      this.entries.delete(key);
      removed++;
      this.options.onRemove?.(key, state, 'expired');
    }
    this.expired += removed;
    return removed;
  }

  /** Remove every entry (e.g. at end of stream), reporting each as expired. */
  clear(): void {
    for (const [key, state] of this.entries) {
      this.entries.delete(key);
      this.expired++;
      this.options.onRemove?.(key, state, 'expired');
    }
  }

  values(): IterableIterator<S> {
    return this.entries.values();
  }

  private evictOldest(): void {
    const first = this.entries.entries().next();
    if (first.done) return;
    const [key, state] = first.value;
    this.entries.delete(key);
    this.evicted++;
    this.options.onRemove?.(key, state, 'evicted');
  }
}
