import { BlockList } from 'node:net';
import { canonicalIp } from '../core/ip.js';
import { parseAddress, rangesOverlap, type ParsedAddress } from './address.js';

export interface AddressEntry<T> {
  /** Canonical text (see parseAddress). */
  readonly value: string;
  readonly parsed: ParsedAddress;
  /** Event time (ms) after which the entry no longer applies; undefined = never expires. */
  until: number | undefined;
  data: T;
}

/**
 * A set of IPs and CIDR ranges (IPv4 and IPv6) with optional expiry in event
 * time. Exact addresses are a Map lookup; ranges are matched by a
 * `net.BlockList` (rebuilt when a range is removed or expires, which is rare)
 * and only on a hit is the matching entry looked up. The entries themselves
 * are kept so they can be listed, expired and removed.
 */
export class AddressSet<T = undefined> {
  private readonly exact = new Map<string, AddressEntry<T>>();
  private readonly ranges = new Map<string, AddressEntry<T>>();
  private blockList = new BlockList();
  private blockListStale = false;
  /** Earliest `until` among entries (a lower bound: removals do not raise it). */
  private nextExpiry = Number.POSITIVE_INFINITY;

  get size(): number {
    return this.exact.size + this.ranges.size;
  }

  /** Add or replace the entry for `text` (throws InvalidAddressError). */
  add(text: string, data: T, until?: number): AddressEntry<T> {
    const parsed = parseAddress(text);
    const entry: AddressEntry<T> = { value: parsed.value, parsed, until, data };
    if (parsed.exact) {
      this.exact.set(parsed.value, entry);
    } else {
      const replaced = this.ranges.has(parsed.value);
      this.ranges.set(parsed.value, entry);
      if (!replaced && !this.blockListStale) this.blockList.addSubnet(parsed.network, parsed.prefix, parsed.family);
    }
    if (until !== undefined && until < this.nextExpiry) this.nextExpiry = until;
    return entry;
  }

  /** Remove the entry for exactly this address/range; false when absent or unparsable. */
  remove(text: string): AddressEntry<T> | undefined {
    let parsed: ParsedAddress;
    try {
      parsed = parseAddress(text);
    } catch {
      return undefined;
    }
    if (parsed.exact) {
      const entry = this.exact.get(parsed.value);
      this.exact.delete(parsed.value);
      return entry;
    }
    const entry = this.ranges.get(parsed.value);
    if (entry !== undefined) {
      this.ranges.delete(parsed.value);
      this.blockListStale = true;
    }
    return entry;
  }

  /** The entry for exactly this address/range (expired or not). */
  get(text: string): AddressEntry<T> | undefined {
    let parsed: ParsedAddress;
    try {
      parsed = parseAddress(text);
    } catch {
      return undefined;
    }
    return parsed.exact ? this.exact.get(parsed.value) : this.ranges.get(parsed.value);
  }

  /** The live entry covering `ip` (exact match first, then the narrowest range). */
  match(ip: string, now: number): AddressEntry<T> | undefined {
    if (now >= this.nextExpiry) this.purge(now);
    const canonical = canonicalIp(ip);
    if (canonical === undefined) return undefined;
    const exact = this.exact.get(canonical);
    if (exact !== undefined && live(exact, now)) return exact;
    if (this.ranges.size === 0) return undefined;
    const family = canonical.includes(':') ? 'ipv6' : 'ipv4';
    if (!this.currentBlockList().check(canonical, family)) return undefined;
    return this.narrowestRange(parseAddress(canonical), now);
  }

  /** Some live entry sharing at least one address with `range` (an address or CIDR). */
  overlapping(range: ParsedAddress, now: number): AddressEntry<T> | undefined {
    if (now >= this.nextExpiry) this.purge(now);
    if (range.exact) return this.match(range.value, now);
    for (const entry of this.exact.values()) {
      if (live(entry, now) && rangesOverlap(entry.parsed, range)) return entry;
    }
    for (const entry of this.ranges.values()) {
      if (live(entry, now) && rangesOverlap(entry.parsed, range)) return entry;
    }
    return undefined;
  }

  /** Live entries, exact addresses first, each group in insertion order. */
  entries(now: number): AddressEntry<T>[] {
    const result: AddressEntry<T>[] = [];
    for (const entry of this.exact.values()) if (live(entry, now)) result.push(entry);
    for (const entry of this.ranges.values()) if (live(entry, now)) result.push(entry);
    return result;
  }

  /** Drop entries whose `until` is at or before `now`; returns them. */
  purge(now: number): AddressEntry<T>[] {
    const removed: AddressEntry<T>[] = [];
    if (now < this.nextExpiry) return removed;
    let next = Number.POSITIVE_INFINITY;
    for (const map of [this.exact, this.ranges]) {
      for (const [key, entry] of map) {
        if (entry.until === undefined) continue;
        if (entry.until <= now) {
          map.delete(key);
          removed.push(entry);
          if (map === this.ranges) this.blockListStale = true;
        } else if (entry.until < next) {
          next = entry.until;
        }
      }
    }
    this.nextExpiry = next;
    return removed;
  }

  clear(): void {
    this.exact.clear();
    this.ranges.clear();
    this.blockList = new BlockList();
    this.blockListStale = false;
    this.nextExpiry = Number.POSITIVE_INFINITY;
  }

  private narrowestRange(address: ParsedAddress, now: number): AddressEntry<T> | undefined {
    let best: AddressEntry<T> | undefined;
    for (const entry of this.ranges.values()) {
      const p = entry.parsed;
      if (p.family !== address.family || address.start < p.start || address.start > p.end || !live(entry, now)) continue;
      if (best === undefined || p.prefix > best.parsed.prefix) best = entry;
    }
    return best;
  }

  private currentBlockList(): BlockList {
    if (this.blockListStale) {
      const rebuilt = new BlockList();
      for (const entry of this.ranges.values()) rebuilt.addSubnet(entry.parsed.network, entry.parsed.prefix, entry.parsed.family);
      this.blockList = rebuilt;
      this.blockListStale = false;
    }
    return this.blockList;
  }
}

function live(entry: AddressEntry<unknown>, now: number): boolean {
  return entry.until === undefined || entry.until > now;
}
