import { growArray } from '../windows/slot-keyed-state.js';

/** Up to this many distinct prefixes are numbered; ids with further prefixes are kept as strings. */
const MAX_PREFIXES = 4096;
/** 36^10 < 2^53: a counter of up to 10 base-36 digits is exact in a double. */
const MAX_DIGITS = 10;

/**
 * One event id per slot of a SlotKeyedState, mostly off the JS heap.
 * Vigil's ids are a per-generator prefix and a base-36 counter
 * (IdGenerator: prefix + counter.toString(36)), so an id is kept as the
 * number of its prefix (Uint16Array) and its counter (Float64Array) and
 * rebuilt, character for character, when read. An id that cannot be split
 * that way (no such counter, or too many prefixes) is kept as the string,
 * in an array created the first time one is needed.
 */
export class EventIdColumn {
  private counters = new Float64Array(0);
  /** Prefix number + 1; 0: the id is in `strings`. */
  private prefixOf = new Uint16Array(0);
  private strings: string[] | undefined;
  private readonly prefixes: string[] = [];
  private readonly prefixNumbers = new Map<string, number>();
  private capacity = 0;

  grow(capacity: number): void {
    const counters = new Float64Array(capacity);
    counters.set(this.counters);
    this.counters = counters;
    const prefixOf = new Uint16Array(capacity);
    prefixOf.set(this.prefixOf);
    this.prefixOf = prefixOf;
    if (this.strings !== undefined) this.strings = growArray(this.strings, capacity, '');
    this.capacity = capacity;
  }

  set(slot: number, id: string): void {
    // The trailing run of base-36 digits (at most MAX_DIGITS), without leading zeros.
    const n = id.length;
    let start = n;
    while (start > 0 && n - start < MAX_DIGITS && isDigit36(id.charCodeAt(start - 1))) start--;
    while (start < n - 1 && id.charCodeAt(start) === 48) start++;
    if (start < n) {
      const prefix = start === 0 ? '' : id.slice(0, start);
      let number = this.prefixNumbers.get(prefix);
      if (number === undefined && this.prefixes.length < MAX_PREFIXES) {
        number = this.prefixes.length;
        this.prefixes.push(prefix);
        this.prefixNumbers.set(prefix, number);
      }
      if (number !== undefined) {
        let counter = 0;
        for (let i = start; i < n; i++) counter = counter * 36 + digit36(id.charCodeAt(i));
        this.counters[slot] = counter;
        this.prefixOf[slot] = number + 1;
        if (this.strings !== undefined) this.strings[slot] = '';
        return;
      }
    }
    this.strings ??= new Array<string>(this.capacity).fill('');
    this.strings[slot] = id;
    this.prefixOf[slot] = 0;
  }

  get(slot: number): string {
    const number = this.prefixOf[slot] as number;
    if (number === 0) return this.strings?.[slot] ?? '';
    return (this.prefixes[number - 1] as string) + (this.counters[slot] as number).toString(36);
  }

  clear(slot: number): void {
    if (this.prefixOf[slot] === 0 && this.strings !== undefined) this.strings[slot] = '';
  }
}

function isDigit36(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122);
}

function digit36(c: number): number {
  return c <= 57 ? c - 48 : c - 87;
}
