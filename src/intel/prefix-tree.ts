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
  /**
   * Nodes, interleaved so one node is one cache line's worth of neighbours:
   * [left child, right child, value slot (-1: none), unused] per node.
   */
  private nodeData: Int32Array;
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
    this.nodeData = newNodes(initialNodes);
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
    return this.nodeData.byteLength;
  }

  /** Add or replace the value for `words/length` (bits beyond `length` are ignored). Returns the value replaced. */
  insert(words: Uint32Array | readonly number[], length: number, value: T): T | undefined {
    if (length < 0 || length > this.bits) throw new RangeError(`prefix length ${length} outside 0..${this.bits}`);
    let node = 0;
    for (let i = 0; i < length; i++) {
      const bit = ((words[i >>> 5] as number) >>> (31 - (i & 31))) & 1;
      let next = this.nodeData[node * 4 + bit] as number;
      if (next === 0) {
        next = this.newNode();
        this.nodeData[node * 4 + bit] = next;
      }
      node = next;
      if (i === 15 && this.node16 !== undefined) this.node16[((words[0] as number) >>> 16) & 0xffff] = node;
    }
    const existing = this.nodeData[node * 4 + 2] as number;
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
    this.nodeData[node * 4 + 2] = index;
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
      node = this.nodeData[node * 4 + bit] as number;
      if (node === 0) return undefined;
    }
    const index = this.nodeData[node * 4 + 2] as number;
    if (index < 0) return undefined;
    const old = this.values[index];
    this.values[index] = undefined;
    this.nodeData[node * 4 + 2] = -1;
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
      node = this.nodeData[node * 4 + bit] as number;
      if (node === 0) return undefined;
    }
    const index = this.nodeData[node * 4 + 2] as number;
    return index < 0 ? undefined : this.values[index];
  }

  /** Longest-prefix match of an IPv4 address given as a 32-bit int, signed or not (32-bit trees only). */
  lookup32(address: number): T | undefined {
    const nodes = this.nodeData;
    const top = address >>> 16;
    let best = (this.best16 as Int32Array)[top] as number;
    let node = (this.node16 as Int32Array)[top] as number;
    if (node === 0) return best < 0 ? undefined : this.values[best];
    for (let i = 15; i >= 0; i--) {
      node = nodes[node * 4 + ((address >>> i) & 1)] as number;
      if (node === 0) break;
      const s = nodes[node * 4 + 2] as number;
      if (s >= 0) best = s;
    }
    return best < 0 ? undefined : this.values[best];
  }

  /** Longest-prefix match of an address given as words (four for IPv6). */
  lookupWords(words: Uint32Array): T | undefined {
    const nodes = this.nodeData;
    let best = nodes[2] as number;
    let node = 0;
    const bits = this.bits;
    for (let i = 0; i < bits; i++) {
      const bit = ((words[i >>> 5] as number) >>> (31 - (i & 31))) & 1;
      node = nodes[node * 4 + bit] as number;
      if (node === 0) break;
      const s = nodes[node * 4 + 2] as number;
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
    this.nodeData = newNodes(Math.max(1024, live.length * 4));
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
    const nodes = this.nodeData;
    let best = nodes[2] as number;
    let node = 0;
    for (let i = 15; i >= 0; i--) {
      node = nodes[node * 4 + ((top >>> i) & 1)] as number;
      if (node === 0) break;
      const s = nodes[node * 4 + 2] as number;
      if (s >= 0) best = s;
    }
    return best;
  }

  /** Nodes allocated vs. prefixes held, for deciding when to compact. */
  get nodeCount(): number {
    return this.nodes;
  }

  private newNode(): number {
    if (this.nodes * 4 >= this.nodeData.length) {
      const grown = newNodes((this.nodeData.length / 4) * 2);
      grown.set(this.nodeData);
      this.nodeData = grown;
    }
    return this.nodes++;
  }

}

/** `count` empty nodes: no children, no value. */
function newNodes(count: number): Int32Array {
  const nodes = new Int32Array(count * 4);
  for (let i = 2; i < nodes.length; i += 4) nodes[i] = -1;
  return nodes;
}
