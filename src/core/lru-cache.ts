/**
 * A bounded cache that evicts the least recently used entry, for the hot
 * path's lookups (GeoIP answers, user-agent verdicts).
 *
 * A hit moves its entry to the young end only when the entry has aged past
 * the youngest quarter: re-inserting on every hit would cost a Map
 * delete+set per lookup and leave a trail of garbage in a long-lived Map for
 * no change in what gets evicted. `undefined` cannot be stored (it means
 * "absent"); store `null` for a known miss.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; order: number }>();
  private sequence = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.order < this.sequence - (this.entries.size >>> 2)) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      entry.order = ++this.sequence;
    }
    return entry.value;
  }

  /** Adds or replaces; at capacity the least recently used entry goes. A capacity of 0 keeps nothing. */
  set(key: K, value: V): void {
    if (this.capacity <= 0) return;
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      existing.value = value;
      return;
    }
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, order: ++this.sequence });
  }
}
