import { BlockList, isIP } from 'node:net';
import type { Decision } from '../core/detection.js';
import { canonicalIp } from '../core/ip.js';

type Family = 'ipv4' | 'ipv6';

interface RangeEntry {
  decision: Decision;
  /** This range alone, to tell which range matched (and whether it is still in force). */
  list: BlockList;
}

/** The family of a canonical address, as `net.BlockList` names it. */
function familyOf(ip: string): Family {
  return isIP(ip) === 6 ? 'ipv6' : 'ipv4';
}

/** `198.51.100.0/24` → its network address, prefix and family; undefined when it is not a CIDR. */
function parseCidr(value: string): { network: string; prefix: number; family: Family } | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const network = canonicalIp(value.slice(0, slash));
  const prefixText = value.slice(slash + 1);
  if (network === undefined || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const family = familyOf(network);
  const prefix = Number(prefixText);
  if (prefix > (family === 'ipv4' ? 32 : 128)) return undefined;
  return { network, prefix, family };
}

/**
 * The active decisions an enforcement point holds, indexed for the request
 * path: exact IPs in a Map (O(1)), ranges in a `net.BlockList` (one combined
 * list answers "in no range" at once; only a hit looks at which range), users
 * in a Map. Every answer checks `until` against the caller's clock, so an
 * expired decision stops applying before the stream reports its deletion.
 *
 * `net.BlockList` cannot remove a subnet, so removing a range rebuilds the
 * combined list (ranges are few; exact IPs are the many).
 */
export class DecisionSet {
  private readonly byIp = new Map<string, Decision>();
  private readonly byUser = new Map<string, Decision>();
  private readonly ranges = new Map<string, RangeEntry>();
  private allRanges = new BlockList();
  private rangesDirty = false;

  /** Number of decisions held (expired ones included until swept). */
  get size(): number {
    return this.byIp.size + this.byUser.size + this.ranges.size;
  }

  /** Forget everything and hold exactly `decisions` (startup and resync). */
  replace(decisions: readonly Decision[]): void {
    this.byIp.clear();
    this.byUser.clear();
    this.ranges.clear();
    this.allRanges = new BlockList();
    this.rangesDirty = false;
    for (const decision of decisions) this.add(decision);
  }

  /** Apply a stream delta: deletions first, then additions (a value re-added in the same delta stays). */
  apply(added: readonly Decision[], deleted: readonly Decision[]): void {
    for (const decision of deleted) this.remove(decision);
    for (const decision of added) this.add(decision);
  }

  add(decision: Decision): void {
    if (decision.simulated === true) return;
    if (decision.scope === 'ip') {
      const ip = canonicalIp(decision.value);
      if (ip !== undefined) this.byIp.set(ip, decision);
    } else if (decision.scope === 'user') {
      this.byUser.set(decision.value, decision);
    } else {
      const cidr = parseCidr(decision.value);
      if (cidr === undefined) return;
      const list = new BlockList();
      list.addSubnet(cidr.network, cidr.prefix, cidr.family);
      if (this.ranges.has(decision.value)) this.rangesDirty = true;
      this.ranges.set(decision.value, { decision, list });
      if (!this.rangesDirty) this.allRanges.addSubnet(cidr.network, cidr.prefix, cidr.family);
    }
  }

  /** Remove the decision for `decision`'s value, if it is the same decision (by id) or `decision` has no id. */
  remove(decision: Pick<Decision, 'scope' | 'value'> & { id?: string }): void {
    const sameId = (held: Decision | undefined): boolean => held !== undefined && (decision.id === undefined || held.id === decision.id);
    if (decision.scope === 'ip') {
      const ip = canonicalIp(decision.value);
      if (ip !== undefined && sameId(this.byIp.get(ip))) this.byIp.delete(ip);
    } else if (decision.scope === 'user') {
      if (sameId(this.byUser.get(decision.value))) this.byUser.delete(decision.value);
    } else if (sameId(this.ranges.get(decision.value)?.decision)) {
      this.ranges.delete(decision.value);
      this.rangesDirty = true;
    }
  }

  /** The decision in force for `ip` at `now` (an exact one before a range), or undefined. */
  lookup(ip: string, now: number): Decision | undefined {
    const canonical = canonicalIp(ip);
    if (canonical === undefined) return undefined;
    const exact = this.byIp.get(canonical);
    if (exact !== undefined) {
      if (exact.until > now) return exact;
      this.byIp.delete(canonical);
    }
    if (this.ranges.size === 0) return undefined;
    if (this.rangesDirty) this.rebuildRanges();
    const family = familyOf(canonical);
    if (!this.allRanges.check(canonical, family)) return undefined;
    let found: Decision | undefined;
    for (const entry of this.ranges.values()) {
      if (entry.decision.until > now && entry.list.check(canonical, family)) {
        if (found === undefined || strength(entry.decision) > strength(found)) found = entry.decision;
      }
    }
    return found;
  }

  /** The decision in force for user name `username` at `now`. */
  lookupUser(username: string, now: number): Decision | undefined {
    const decision = this.byUser.get(username);
    return decision !== undefined && decision.until > now ? decision : undefined;
  }

  /** Drop decisions whose `until` has passed; returns how many. */
  sweep(now: number): number {
    let removed = 0;
    for (const map of [this.byIp, this.byUser]) {
      for (const [key, decision] of map) {
        if (decision.until <= now) {
          map.delete(key);
          removed++;
        }
      }
    }
    for (const [key, entry] of this.ranges) {
      if (entry.decision.until <= now) {
        this.ranges.delete(key);
        this.rangesDirty = true;
        removed++;
      }
    }
    return removed;
  }

  /** Every decision held and still in force at `now`. */
  list(now: number): Decision[] {
    const out: Decision[] = [];
    for (const decision of this.byIp.values()) if (decision.until > now) out.push(decision);
    for (const entry of this.ranges.values()) if (entry.decision.until > now) out.push(entry.decision);
    for (const decision of this.byUser.values()) if (decision.until > now) out.push(decision);
    return out;
  }

  private rebuildRanges(): void {
    const list = new BlockList();
    for (const value of this.ranges.keys()) {
      const cidr = parseCidr(value);
      if (cidr !== undefined) list.addSubnet(cidr.network, cidr.prefix, cidr.family);
    }
    this.allRanges = list;
    this.rangesDirty = false;
  }
}

const STRENGTH: Record<Decision['action'], number> = { throttle: 0, captcha: 1, block: 2 };

function strength(decision: Decision): number {
  return STRENGTH[decision.action] ?? 0;
}
