/**
 * A binary trie of address prefixes (CIDR ranges) for one family: IPv4
 * (32 bits, keys as one unsigned int) or IPv6 (128 bits, keys as four
 * 32-bit words). Lookup returns the value of the longest prefix containing
 * the address, walking at most `bits` nodes held in typed arrays: no
 * allocation per lookup.
 *
 * Removing a prefix clears its value; the nodes stay (they are reused when a
 * prefix is added again, and `compact()` rebuilds the arrays when many are dead).
 */
export class PrefixTree<T> {
  private left: Int32Array;
  private right: Int32Array;
  /** Index into `values` per node, -1 for none. */
  private slot: Int32Array;
  private nodes = 1;
  private readonly values: (T | undefined)[] = [];
  private readonly prefixes: { words: Uint32Array; length: number }[] = [];
  private readonly freeSlots: number[] = [];
  private count = 0;
  /**
   * IPv4 only — a direct index on the top 16 bits: the node at depth 16
   * (0: none) and the slot of the longest prefix of length ≤ 16 covering
   * that /16 (-1: none). A lookup starts at depth 16 instead of the root.
   */
  private node16: Int32Array | undefined;
  private best16: Int32Array | undefined;

  constructor(
    readonly bits: 32 | 128,
    initialNodes = 1024,
  ) {
    this.left = new Int32Array(initialNodes);
    this.right = new Int32Array(initialNodes);
    this.slot = new Int32Array(initialNodes).fill(-1);
    if (bits === 32) {
      this.node16 = new Int32Array(65536);
      this.best16 = new Int32Array(65536).fill(-1);
    }
  }

  /** Prefixes held. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the node arrays (the values are counted by their owner). */
  get nodeBytes(): number {
    return this.left.byteLength * 3;
  }

  /** Add or replace the value for `words/length` (bits beyond `length` are ignored). Returns the value replaced. */
  insert(words: Uint32Array | readonly number[], length: number, value: T): T | undefined {
    if (length < 0 || length > this.bits) throw new RangeError(`prefix length ${length} outside 0..${this.bits}`);
    let node = 0;
    for (let i = 0; i < length; i++) {
      const bit = ((words[i >>> 5] as number) >>> (31 - (i & 31))) & 1;
      const children = bit === 0 ? this.left : this.right;
      let next = children[node] as number;
      if (next === 0) {
        next = this.newNode();
        (bit === 0 ? this.left : this.right)[node] = next;
      }
      node = next;
      if (i === 15 && this.node16 !== undefined) this.node16[((words[0] as number) >>> 16) & 0xffff] = node;
    }
    const existing = this.slot[node] as number;
    if (existing >= 0) {
      const old = this.values[existing];
      this.values[existing] = value;
      return old;
    }
    const index = this.freeSlots.pop() ?? this.values.length;
    this.values[index] = value;
    const masked = new Uint32Array(this.bits >>> 5);
    for (let w = 0; w < masked.length; w++) {
      const keep = Math.max(0, Math.min(32, length - w * 32));
      masked[w] = keep === 0 ? 0 : (((words[w] as number) >>> 0) & (keep === 32 ? 0xffffffff : (~0 << (32 - keep)) >>> 0)) >>> 0;
    }
    this.prefixes[index] = { words: masked, length };
    this.slot[node] = index;
    this.count++;
    if (this.best16 !== undefined && length <= 16) {
      const from = (masked[0] as number) >>> 16;
      const best16 = this.best16;
      for (let t = from; t < from + 2 ** (16 - length); t++) {
        const current = best16[t] as number;
        if (current < 0 || (this.prefixes[current] as { length: number }).length <= length) best16[t] = index;
      }
    }
    return undefined;
  }

  /** Remove the value for exactly `words/length`; returns it. */
  remove(words: Uint32Array | readonly number[], length: number): T | undefined {
    let node = 0;
    for (let i = 0; i < length; i++) {
      const bit = ((words[i >>> 5] as number) >>> (31 - (i & 31))) & 1;
      node = (bit === 0 ? this.left : this.right)[node] as number;
      if (node === 0) return undefined;
    }
    const index = this.slot[node] as number;
    if (index < 0) return undefined;
    const old = this.values[index];
    this.values[index] = undefined;
    this.slot[node] = -1;
    this.freeSlots.push(index);
    this.count--;
    if (this.best16 !== undefined && length <= 16) {
      const from = ((words[0] as number) >>> 16) & (length === 0 ? 0 : (0xffff << (16 - length)) & 0xffff);
      for (let t = from; t < from + 2 ** (16 - length); t++) if (this.best16[t] === index) this.best16[t] = this.longestUpTo16(t);
    }
    return old;
  }

  /** The exact prefix's value. */
  get(words: Uint32Array | readonly number[], length: number): T | undefined {
    let node = 0;
    for (let i = 0; i < length; i++) {
      const bit = ((words[i >>> 5] as number) >>> (31 - (i & 31))) & 1;
      node = (bit === 0 ? this.left : this.right)[node] as number;
      if (node === 0) return undefined;
    }
    const index = this.slot[node] as number;
    return index < 0 ? undefined : this.values[index];
  }

  /** Longest-prefix match of an IPv4 address given as a 32-bit int, signed or not (32-bit trees only). */
  lookup32(address: number): T | undefined {
    const left = this.left;
    const right = this.right;
    const slot = this.slot;
    const top = address >>> 16;
    let best = (this.best16 as Int32Array)[top] as number;
    let node = (this.node16 as Int32Array)[top] as number;
    if (node === 0) return best < 0 ? undefined : this.values[best];
    for (let i = 15; i >= 0; i--) {
      node = ((address >>> i) & 1) === 0 ? (left[node] as number) : (right[node] as number);
      if (node === 0) break;
      const s = slot[node] as number;
      if (s >= 0) best = s;
    }
    return best < 0 ? undefined : this.values[best];
  }

  /** Longest-prefix match of an address given as words (four for IPv6). */
  lookupWords(words: Uint32Array): T | undefined {
    const left = this.left;
    const right = this.right;
    const slot = this.slot;
    let best = slot[0] as number;
    let node = 0;
    const bits = this.bits;
    for (let i = 0; i < bits; i++) {
      const bit = ((words[i >>> 5] as number) >>> (31 - (i & 31))) & 1;
      node = bit === 0 ? (left[node] as number) : (right[node] as number);
      if (node === 0) break;
      const s = slot[node] as number;
      if (s >= 0) best = s;
    }
    return best < 0 ? undefined : this.values[best];
  }

  /** Every (prefix, value). */
  *entries(): Generator<{ words: Uint32Array; length: number; value: T }> {
    for (let i = 0; i < this.values.length; i++) {
      const value = this.values[i];
      const prefix = this.prefixes[i];
      if (value !== undefined && prefix !== undefined) yield { words: prefix.words, length: prefix.length, value };
    }
  }

  /** Rebuild the node arrays from the live prefixes (after many removals). */
  compact(): void {
    const live = [...this.entries()];
    this.left = new Int32Array(Math.max(1024, live.length * 4));
    this.right = new Int32Array(this.left.length);
    this.slot = new Int32Array(this.left.length).fill(-1);
    this.nodes = 1;
    this.values.length = 0;
    this.prefixes.length = 0;
    this.freeSlots.length = 0;
    this.count = 0;
    this.node16?.fill(0);
    this.best16?.fill(-1);
    for (const entry of live) this.insert(entry.words, entry.length, entry.value);
  }

  /** The slot of the longest prefix of length ≤ 16 covering the /16 `top`, by walking from the root. */
  private longestUpTo16(top: number): number {
    let best = this.slot[0] as number;
    let node = 0;
    for (let i = 15; i >= 0; i--) {
      node = ((top >>> i) & 1) === 0 ? (this.left[node] as number) : (this.right[node] as number);
      if (node === 0) break;
      const s = this.slot[node] as number;
      if (s >= 0) best = s;
    }
    return best;
  }

  /** Nodes allocated vs. prefixes held, for deciding when to compact. */
  get nodeCount(): number {
    return this.nodes;
  }

  private newNode(): number {
    if (this.nodes >= this.left.length) {
      const size = this.left.length * 2;
      const grow = (from: Int32Array, fill: number) => {
        const to = new Int32Array(size);
        if (fill !== 0) to.fill(fill);
        to.set(from);
        return to;
      };
      this.left = grow(this.left, 0);
      this.right = grow(this.right, 0);
      this.slot = grow(this.slot, -1);
    }
    return this.nodes++;
  }
}
