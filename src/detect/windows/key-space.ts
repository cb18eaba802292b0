/**
 * Keys → small integer ids, for the slot tables (SlotKeyedState) of one
 * detector or of several that key by the same thing (the per-user login
 * detectors share one: a username is held once, not once per detector).
 * An id lives while at least one table holds it (counted references).
 *
 * Keys are strings or int32 numbers (an IPv4 address, see
 * login/ip-key.ts): an integer key holds no string at all. The table is open
 * addressing (linear probing, backward-shift deletion, at most half full)
 * in an Int32Array, each id's hash beside it: no per-key JS object, nothing
 * for the garbage collector to trace but the keys array. Hashes are seeded
 * per space, so keys cannot be chosen to collide.
 */
export type SlotKey = string | number;

const NONE = -1;
const INITIAL_CAPACITY = 1024;

export class KeySpace {
  /** slot + 1 per cell, 0 when empty; `mask` = cells - 1. */
  private table = new Int32Array(0);
  private mask = -1;
  /** Per live id its hash; per freed id the next freed one (NONE-terminated chain). */
  private hashes = new Int32Array(0);
  private refs = new Uint8Array(0);
  private keys: SlotKey[] = [];
  private readonly seed = (Math.random() * 0x100000000) | 0;
  private unused = 0;
  private free = NONE;
  private count = 0;
  private readonly growListeners: ((capacity: number) => void)[] = [];
  capacity = 0;

  /** `limit`: the most keys it will ever hold at once (a private space's maxKeys), so the last growth stops there. */
  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}

  /** Ids in use (held by at least one table). */
  get size(): number {
    return this.count;
  }

  /** Calls `listener(capacity)` whenever ids up to capacity - 1 may be handed out (at once if some already may). */
  onGrow(listener: (capacity: number) => void): void {
    this.growListeners.push(listener);
    if (this.capacity > 0) listener(this.capacity);
  }

  /** The id of `key`, or -1. */
  find(key: SlotKey): number {
    if (this.count === 0) return NONE;
    const hash = this.hash(key);
    const table = this.table;
    const mask = this.mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const cell = table[i] as number;
      if (cell === 0) return NONE;
      const id = cell - 1;
      if (this.hashes[id] === hash && this.keys[id] === key) return id;
    }
  }

  /** The id of `key` (added if absent), with one more reference. */
  acquire(key: SlotKey): number {
    let id = this.find(key);
    if (id === NONE) {
      id = this.allocate();
      const hash = this.hash(key);
      this.keys[id] = key;
      this.hashes[id] = hash;
      this.refs[id] = 0;
      this.place(id, hash);
      this.count++;
    }
    if (this.refs[id] === 255) throw new RangeError('KeySpace: more than 255 tables hold one key');
    this.refs[id] = (this.refs[id] as number) + 1;
    return id;
  }

  /** Drops one reference; the id is freed (and may be reused) when none is left. */
  release(id: number): void {
    const refs = (this.refs[id] as number) - 1;
    this.refs[id] = refs;
    if (refs > 0) return;
    this.displace(id);
    this.count--;
    this.keys[id] = 0;
    this.hashes[id] = this.free;
    this.free = id;
  }

  keyOf(id: number): SlotKey {
    return this.keys[id] as SlotKey;
  }

  private allocate(): number {
    if (this.free !== NONE) {
      const id = this.free;
      this.free = this.hashes[id] as number;
      return id;
    }
    if (this.unused === this.capacity) this.grow();
    return this.unused++;
  }

  private grow(): void {
    const old = this.capacity;
    const capacity = Math.min(Math.max(INITIAL_CAPACITY, old * 2), Math.max(this.limit, old + 1));
    const hashes = new Int32Array(capacity);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const refs = new Uint8Array(capacity);
    refs.set(this.refs);
    this.refs = refs;
    const keys = new Array<SlotKey>(capacity).fill(0);
    for (let i = 0; i < old; i++) keys[i] = this.keys[i] as SlotKey;
    this.keys = keys;
    this.capacity = capacity;
    // At most half full.
    let cells = 2;
    while (cells < 2 * capacity) cells *= 2;
    this.table = new Int32Array(cells);
    this.mask = cells - 1;
    for (let id = 0; id < old; id++) if ((this.refs[id] as number) > 0) this.place(id, this.hashes[id] as number);
    for (const listener of this.growListeners) listener(capacity);
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

  private place(id: number, hash: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    while (table[i] !== 0) i = (i + 1) & mask;
    table[i] = id + 1;
  }

  /** Takes `id` out of the table, shifting back the cells after it that probed past it. */
  private displace(id: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = (this.hashes[id] as number) & mask;
    while (table[i] !== id + 1) i = (i + 1) & mask;
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
}
