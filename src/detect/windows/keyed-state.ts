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
}

export class KeyedState<S extends TouchedState> {
  private readonly entries = new Map<string, S>();
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
   * recently touched.
   */
  touch(key: string, create: () => S): S {
    const entries = this.entries;
    let state = entries.get(key);
    if (state !== undefined) {
      entries.delete(key);
      entries.set(key, state);
      return state;
    }
    if (entries.size >= this.options.maxKeys) this.evictOldest();
    state = create();
    entries.set(key, state);
    return state;
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  /** Drop entries whose lastSeen is older than watermark - ttl. Returns how many. */
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
