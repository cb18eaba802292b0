/**
 * Domains where a listed domain also matches every subdomain:
 * `evil.example` matches `evil.example` and `a.b.evil.example`, not
 * `notevil.example`. Lookups hash the host's label suffixes right to left
 * (ASCII case folded on the fly), so a miss allocates nothing; a hash hit
 * is confirmed by comparing the characters.
 */
export class DomainSuffixSet<T> {
  private readonly byDomain = new Map<string, T>();
  /** Suffix hash → the domain(s) with that hash. */
  private readonly byHash = new Map<number, string | string[]>();

  get size(): number {
    return this.byDomain.size;
  }

  /** `domain` must be canonical (lower case, no trailing dot). Returns the value replaced. */
  set(domain: string, value: T): T | undefined {
    const old = this.byDomain.get(domain);
    this.byDomain.set(domain, value);
    if (old === undefined) {
      const h = suffixHash(domain, 0);
      const bucket = this.byHash.get(h);
      if (bucket === undefined) this.byHash.set(h, domain);
      else if (typeof bucket === 'string') this.byHash.set(h, [bucket, domain]);
      else bucket.push(domain);
    }
    return old;
  }

  get(domain: string): T | undefined {
    return this.byDomain.get(domain);
  }

  delete(domain: string): T | undefined {
    const old = this.byDomain.get(domain);
    if (old === undefined) return undefined;
    this.byDomain.delete(domain);
    const h = suffixHash(domain, 0);
    const bucket = this.byHash.get(h);
    if (bucket === domain) this.byHash.delete(h);
    else if (Array.isArray(bucket)) {
      const rest = bucket.filter((d) => d !== domain);
      this.byHash.set(h, rest.length === 1 ? (rest[0] as string) : rest);
    }
    return old;
  }

  /** The most specific listed domain that `host` is or is under (host in any case, no trailing dot). */
  match(host: string): T | undefined {
    if (this.byDomain.size === 0) return undefined;
    let end = host.length;
    if (end > 0 && host.charCodeAt(end - 1) === 46) end--;
    let h = 0;
    let found: T | undefined;
    for (let i = end - 1; i >= 0; i--) {
      let c = host.charCodeAt(i);
      if (c >= 65 && c <= 90) c += 32;
      h = (Math.imul(h, 31) + c) | 0;
      if (i === 0 || host.charCodeAt(i - 1) === 46) {
        const bucket = this.byHash.get(h);
        if (bucket !== undefined) {
          const hit = typeof bucket === 'string' ? this.confirm(bucket, host, i, end) : this.confirmAny(bucket, host, i, end);
          if (hit !== undefined) found = hit;
        }
      }
    }
    return found;
  }

  entries(): IterableIterator<[string, T]> {
    return this.byDomain.entries();
  }

  private confirmAny(bucket: string[], host: string, start: number, end: number): T | undefined {
    for (const domain of bucket) {
      const hit = this.confirm(domain, host, start, end);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  private confirm(domain: string, host: string, start: number, end: number): T | undefined {
    if (domain.length !== end - start) return undefined;
    for (let k = 0; k < domain.length; k++) {
      let c = host.charCodeAt(start + k);
      if (c >= 65 && c <= 90) c += 32;
      if (c !== domain.charCodeAt(k)) return undefined;
    }
    return this.byDomain.get(domain);
  }
}

/** Hash of text[start..] read right to left, ASCII folded to lower case: the same walk `match` does. */
function suffixHash(text: string, start: number): number {
  let h = 0;
  for (let i = text.length - 1; i >= start; i--) {
    let c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    h = (Math.imul(h, 31) + c) | 0;
  }
  return h;
}
