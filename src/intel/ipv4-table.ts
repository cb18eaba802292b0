/**
 * A hash map from IPv4 addresses (32-bit integers) to values: open
 * addressing with linear probing over Int32Arrays, so a lookup hashes and
 * compares integers only — no boxing of addresses above 2^30, no
 * allocation. Deletion leaves a tombstone; the table is rebuilt when
 * tombstones and entries fill half of it.
 */
export class Ipv4Table<T> {
  /** Per slot, interleaved (one cache miss per probe): the address, then 0 empty, -1 deleted, else index + 1 into `values`. */
  private table: Int32Array;
  private values: (T | undefined)[] = [];
  private readonly free: number[] = [];
  private mask: number;
  /** 32 - log2(size): the hash's top bits pick the slot (multiplicative hashing). */
  private shift: number;
  private count = 0;
  private used = 0;

  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.table = new Int32Array(size * 2);
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.table.byteLength;
  }

  get(address: number): T | undefined {
    const table = this.table;
    const mask = this.mask;
    const key = address | 0;
    let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const slot = table[i * 2 + 1] as number;
      if (slot === 0) return undefined;
      if (slot > 0 && table[i * 2] === key) return this.values[slot - 1];
      i = (i + 1) & mask;
    }
  }

  set(address: number, value: T): void {
    const key = address | 0;
    let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
    let tombstone = -1;
    for (;;) {
      const slot = this.table[i * 2 + 1] as number;
      if (slot === 0) break;
      if (slot === -1) {
        if (tombstone < 0) tombstone = i;
      } else if (this.table[i * 2] === key) {
        this.values[slot - 1] = value;
        return;
      }
      i = (i + 1) & this.mask;
    }
    const at = tombstone >= 0 ? tombstone : i;
    const index = this.free.pop() ?? this.values.length;
    this.values[index] = value;
    this.table[at * 2] = key;
    this.table[at * 2 + 1] = index + 1;
    this.count++;
    if (tombstone < 0) this.used++;
    const size = this.mask + 1;
    if (this.used * 2 > size) this.resize(this.count * 4 > size ? size * 2 : size);
  }

  delete(address: number): boolean {
    const key = address | 0;
    let i = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const slot = this.table[i * 2 + 1] as number;
      if (slot === 0) return false;
      if (slot > 0 && this.table[i * 2] === key) {
        this.values[slot - 1] = undefined;
        this.free.push(slot - 1);
        this.table[i * 2 + 1] = -1;
        this.count--;
        return true;
      }
      i = (i + 1) & this.mask;
    }
  }

  *all(): Generator<T> {
    for (const value of this.values) if (value !== undefined) yield value;
  }

  private resize(size: number): void {
    const old = this.table;
    const oldValues = this.values;
    this.table = new Int32Array(size * 2);
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
    this.values = [];
    this.free.length = 0;
    this.count = 0;
    this.used = 0;
    for (let i = 0; i < old.length; i += 2) {
      const slot = old[i + 1] as number;
      if (slot > 0) this.set(old[i] as number, oldValues[slot - 1] as T);
    }
  }
}
