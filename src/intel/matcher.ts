import { canonicalIp } from '../core/ip.js';
import { DomainSuffixSet } from './domain-suffix-set.js';
import type { Ioc } from './ioc.js';
import { detectIocType, IOC_TYPES, parseIoc, parseIpv4Int, parseIpv4Into, parseIpv6Words, urlHost, type IocType } from './ioc-type.js';
import { Ipv4Slash24Filter } from './ipv4-filter.js';
import { Ipv4Table } from './ipv4-table.js';
import { PrefixTree } from './prefix-tree.js';

/** How a value matched: the same value, inside a listed range, or under a listed domain. */
export type MatchKind = 'exact' | 'cidr' | 'domain';

export interface IocMatch {
  ioc: Ioc;
  kind: MatchKind;
}

export type IocCounts = Record<IocType, number>;

const HIT_IPV4 = IOC_TYPES.indexOf('ipv4');
const HIT_IPV6 = IOC_TYPES.indexOf('ipv6');
const HIT_CIDR = IOC_TYPES.indexOf('cidr');
const HIT_DOMAIN = IOC_TYPES.indexOf('domain');
const HIT_URL = IOC_TYPES.indexOf('url');
const HIT_EMAIL = IOC_TYPES.indexOf('email');

export function zeroCounts(): IocCounts {
  const counts = {} as IocCounts;
  for (const type of IOC_TYPES) counts[type] = 0;
  return counts;
}

/**
 * The indicators in memory, for the hot path. Exact values sit in hash maps
 * (IPv4 keyed by its 32-bit integer), CIDR ranges in one prefix tree per
 * family (longest prefix wins), domains in a suffix set (a listed domain
 * matches its subdomains). Updated incrementally by `set` / `delete`; a
 * lookup that misses allocates nothing (IPv4, IPv6 ranges, domains).
 *
 * `matches` counts hits by the matched indicator's type (read at scrape time).
 */
export class IocMatcher {
  private readonly ipv4 = new Ipv4Table<Ioc>();
  private readonly ipv6 = new Map<string, Ioc>();
  private readonly v4Ranges = new PrefixTree<Ioc>(32);
  private readonly v6Ranges = new PrefixTree<Ioc>(128);
  /** The /24s that hold an IPv4 indicator or lie in a listed IPv4 range: most misses stop here. */
  private readonly v4Filter = new Ipv4Slash24Filter();
  /** IPv4 indicators and ranges removed since the filter was last rebuilt (their bits linger). */
  private v4Removed = 0;
  private readonly domains = new DomainSuffixSet<Ioc>();
  private readonly urls = new Map<string, Ioc>();
  private readonly emails = new Map<string, Ioc>();
  /** md5, sha1 and sha256 together: their lengths differ. */
  private readonly hashes = new Map<string, Ioc>();
  private readonly words = new Uint32Array(4);
  private readonly v4 = new Int32Array(1);
  /** Hits per indicator type, in IOC_TYPES order (plain numeric slots: the hot path bumps one without a keyed store). */
  private readonly hits = new Float64Array(IOC_TYPES.length);

  /** Lookups that hit, by the matched indicator's type. */
  get matches(): IocCounts {
    const counts = zeroCounts();
    IOC_TYPES.forEach((type, i) => (counts[type] = this.hits[i] as number));
    return counts;
  }

  get size(): number {
    return (
      this.ipv4.size + this.ipv6.size + this.v4Ranges.size + this.v6Ranges.size + this.domains.size + this.urls.size + this.emails.size + this.hashes.size
    );
  }

  /** Indicators held, by type. */
  counts(): IocCounts {
    const counts = zeroCounts();
    counts.ipv4 = this.ipv4.size;
    counts.ipv6 = this.ipv6.size;
    counts.cidr = this.v4Ranges.size + this.v6Ranges.size;
    counts.domain = this.domains.size;
    counts.url = this.urls.size;
    counts.email = this.emails.size;
    for (const key of this.hashes.keys()) counts[key.length === 32 ? 'md5' : key.length === 40 ? 'sha1' : 'sha256']++;
    return counts;
  }

  /** Add or replace an indicator (its value must be canonical, as parseIoc returns it). */
  set(ioc: Ioc): void {
    switch (ioc.type) {
      case 'ipv4': {
        const address = parseIpv4Int(ioc.value);
        this.ipv4.set(address, ioc);
        this.v4Filter.addAddress(address);
        return;
      }
      case 'ipv6':
        this.ipv6.set(ioc.value, ioc);
        return;
      case 'cidr': {
        const { words, length, v4 } = this.prefix(ioc.value);
        (v4 ? this.v4Ranges : this.v6Ranges).insert(words, length, ioc);
        if (v4) this.v4Filter.addRange(words[0] as number, length);
        return;
      }
      case 'domain':
        this.domains.set(ioc.value, ioc);
        return;
      case 'url':
        this.urls.set(ioc.value, ioc);
        return;
      case 'email':
        this.emails.set(ioc.value, ioc);
        return;
      default:
        this.hashes.set(ioc.value, ioc);
    }
  }

  delete(type: IocType, value: string): boolean {
    switch (type) {
      case 'ipv4':
        return this.v4Deleted(this.ipv4.delete(parseIpv4Int(value)));
      case 'ipv6':
        return this.ipv6.delete(value);
      case 'cidr': {
        const { words, length, v4 } = this.prefix(value);
        const removed = (v4 ? this.v4Ranges : this.v6Ranges).remove(words, length) !== undefined;
        return v4 ? this.v4Deleted(removed) : removed;
      }
      case 'domain':
        return this.domains.delete(value) !== undefined;
      case 'url':
        return this.urls.delete(value);
      case 'email':
        return this.emails.delete(value);
      default:
        return this.hashes.delete(value);
    }
  }

  /** The indicator stored for exactly this (canonical) value. */
  get(type: IocType, value: string): Ioc | undefined {
    switch (type) {
      case 'ipv4':
        return this.ipv4.get(parseIpv4Int(value));
      case 'ipv6':
        return this.ipv6.get(value);
      case 'cidr':
        return this.exactRange(value);
      case 'domain':
        return this.domains.get(value);
      case 'url':
        return this.urls.get(value);
      case 'email':
        return this.emails.get(value);
      default:
        return this.hashes.get(value);
    }
  }

  /** Drop every indicator whose expiry is at or before `now`; returns how many. */
  expire(now: number): Ioc[] {
    const expired: Ioc[] = [];
    for (const ioc of this.all()) if (ioc.expiresAt !== null && ioc.expiresAt <= now) expired.push(ioc);
    for (const ioc of expired) this.delete(ioc.type, ioc.value);
    return expired;
  }

  *all(): Generator<Ioc> {
    yield* this.ipv4.all();
    yield* this.ipv6.values();
    for (const e of this.v4Ranges.entries()) yield e.value;
    for (const e of this.v6Ranges.entries()) yield e.value;
    for (const [, ioc] of this.domains.entries()) yield ioc;
    yield* this.urls.values();
    yield* this.emails.values();
    yield* this.hashes.values();
  }

  /** An IP (canonical text, as events carry it): exact IPv4/IPv6 first, then the longest listed range. */
  matchIp(ip: string): Ioc | undefined {
    if (parseIpv4Into(ip, this.v4)) {
      const v4 = this.v4[0] as number;
      if (!this.v4Filter.mayContain(v4)) return undefined;
      let hit = this.ipv4.get(v4);
      if (hit !== undefined) {
        this.count(HIT_IPV4);
        return hit;
      }
      hit = this.v4Ranges.lookup32(v4);
      if (hit !== undefined) this.count(HIT_CIDR);
      return hit;
    }
    let hit = this.ipv6.size === 0 ? undefined : this.ipv6.get(ip);
    if (hit !== undefined) {
      this.count(HIT_IPV6);
      return hit;
    }
    if (this.v6Ranges.size > 0 && parseIpv6Words(ip, this.words)) hit = this.v6Ranges.lookupWords(this.words);
    if (hit !== undefined) this.count(HIT_CIDR);
    return hit;
  }

  /** A host name or IP literal: IP rules, else the domain suffix set. */
  matchHost(host: string): Ioc | undefined {
    const first = host.charCodeAt(0);
    const last = host.charCodeAt(host.length - 1);
    // IP literals end in a digit (IPv4) or contain ':' (IPv6); domains end in a letter.
    if ((last >= 48 && last <= 57) || host.includes(':') || first === 91) {
      const bare = first === 91 ? host.slice(1, -1) : host;
      if (parseIpv4Int(bare) >= 0) return this.matchIp(bare);
      const ip = bare.includes(':') ? canonicalIp(bare) : undefined;
      if (ip !== undefined) return this.matchIp(ip);
    }
    const hit = this.domains.match(host);
    if (hit !== undefined) this.count(HIT_DOMAIN);
    return hit;
  }

  /** A full URL: the URL itself, then its host. */
  matchUrl(url: string): Ioc | undefined {
    if (this.urls.size > 0) {
      const hit = this.urls.get(url) ?? this.urls.get(parseIoc(url, 'url').value);
      if (hit !== undefined) {
        this.count(HIT_URL);
        return hit;
      }
    }
    const host = urlHost(url);
    return host === undefined ? undefined : this.matchHost(host);
  }

  /** An MD5, SHA-1 or SHA-256 in any case. */
  matchHash(hash: string): Ioc | undefined {
    if (this.hashes.size === 0) return undefined;
    const hit = this.hashes.get(hash) ?? this.hashes.get(hash.toLowerCase());
    if (hit !== undefined) this.count(IOC_TYPES.indexOf(hit.type));
    return hit;
  }

  matchEmail(email: string): Ioc | undefined {
    if (this.emails.size === 0) return undefined;
    const hit = this.emails.get(email) ?? this.emails.get(email.toLowerCase());
    if (hit !== undefined) this.count(HIT_EMAIL);
    return hit;
  }

  /** Any value (API, CLI): its type is detected and it is matched the way events are. */
  check(value: string): { type: IocType | undefined; match: IocMatch | undefined } {
    const type = detectIocType(value);
    if (type === undefined) return { type, match: undefined };
    const { value: canonical } = parseIoc(value, type);
    let ioc: Ioc | undefined;
    switch (type) {
      case 'ipv4':
      case 'ipv6':
        ioc = this.matchIp(canonical);
        break;
      case 'cidr':
        ioc = this.v4Ranges.size + this.v6Ranges.size > 0 ? this.exactRange(canonical) : undefined;
        if (ioc !== undefined) this.count(HIT_CIDR);
        break;
      case 'domain':
        ioc = this.matchHost(canonical);
        break;
      case 'url':
        ioc = this.matchUrl(canonical);
        break;
      case 'email':
        ioc = this.matchEmail(canonical) ?? this.matchHost(canonical.slice(canonical.indexOf('@') + 1));
        break;
      default:
        ioc = this.matchHash(canonical);
    }
    if (ioc === undefined) return { type, match: undefined };
    const kind: MatchKind = ioc.value === canonical ? 'exact' : ioc.type === 'cidr' ? 'cidr' : 'domain';
    return { type, match: { ioc, kind } };
  }

  /** Count an IPv4 removal; once as many have gone as remain, rebuild the /24 filter from what is live. */
  private v4Deleted(removed: boolean): boolean {
    if (removed && ++this.v4Removed > Math.max(1024, this.ipv4.size + this.v4Ranges.size)) {
      this.v4Filter.clear();
      for (const ioc of this.ipv4.all()) this.v4Filter.addAddress(parseIpv4Int(ioc.value));
      for (const range of this.v4Ranges.entries()) this.v4Filter.addRange(range.words[0] as number, range.length);
      this.v4Removed = 0;
    }
    return removed;
  }

  private count(type: number): void {
    this.hits[type] = (this.hits[type] as number) + 1;
  }

  private exactRange(cidr: string): Ioc | undefined {
    const { words, length, v4 } = this.prefix(cidr);
    return (v4 ? this.v4Ranges : this.v6Ranges).get(words, length);
  }

  private prefix(cidr: string): { words: Uint32Array; length: number; v4: boolean } {
    const slash = cidr.lastIndexOf('/');
    const address = cidr.slice(0, slash);
    const length = Number(cidr.slice(slash + 1));
    const v4int = parseIpv4Int(address);
    if (v4int >= 0) return { words: Uint32Array.of(v4int), length, v4: true };
    const words = new Uint32Array(4);
    if (!parseIpv6Words(address, words)) throw new RangeError(`not a CIDR range: ${cidr}`);
    return { words, length, v4: false };
  }
}
