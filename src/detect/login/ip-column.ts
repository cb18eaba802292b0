import type { IpKey } from './ip-key.js';

const EMPTY = 0;
const V4 = 1;
const OTHER = 2;

/**
 * One address per slot of a SlotKeyedState, off the JS heap: an IPv4 key
 * (ip-key.ts) in an Int32Array, anything else (IPv6, odd spellings: rare)
 * in a side map. Grown with the table (`grow` from its onGrow).
 */
export class IpColumn {
  private v4 = new Int32Array(0);
  private kind = new Uint8Array(0);
  private readonly others = new Map<number, string>();

  grow(capacity: number): void {
    const v4 = new Int32Array(capacity);
    v4.set(this.v4);
    this.v4 = v4;
    const kind = new Uint8Array(capacity);
    kind.set(this.kind);
    this.kind = kind;
  }

  set(slot: number, key: IpKey): void {
    if (typeof key === 'number') {
      if (this.kind[slot] === OTHER) this.others.delete(slot);
      this.kind[slot] = V4;
      this.v4[slot] = key;
    } else {
      this.kind[slot] = OTHER;
      this.others.set(slot, key);
    }
  }

  /** The key in `slot` (0 when empty: call only for a slot that was set). */
  get(slot: number): IpKey {
    const kind = this.kind[slot];
    if (kind === V4) return this.v4[slot] as number;
    return kind === OTHER ? (this.others.get(slot) as string) : 0;
  }

  clear(slot: number): void {
    if (this.kind[slot] === OTHER) this.others.delete(slot);
    this.kind[slot] = EMPTY;
  }
}
