import type { Decision } from '../core/detection.js';
import { parseAddress, rangeContains, type ParsedAddress } from './address.js';

/** One address or range to block at a firewall / proxy, with its remaining lifetime. */
export interface EnforceableBlock {
  value: string;
  family: 'ipv4' | 'ipv6';
  /** Remaining lifetime in whole seconds, rounded up (≥ 1). */
  seconds: number;
}

/**
 * What a firewall or proxy can enforce among `decisions` at `now`: active,
 * not simulated, action `block`, scope ip or range (captcha / throttle and
 * user decisions need the HTTP middleware). An address or range already
 * covered by a wider blocked range is left out — nftables interval sets
 * refuse overlapping elements — so the export is a snapshot to re-render
 * whenever the decisions change. Order: as given (oldest decision first).
 */
export function enforceableBlocks(decisions: readonly Decision[], now: number): EnforceableBlock[] {
  const candidates: { parsed: ParsedAddress; until: number }[] = [];
  const seen = new Set<string>();
  for (const decision of decisions) {
    if (decision.until <= now || decision.simulated === true || decision.action !== 'block' || decision.scope === 'user') continue;
    let parsed: ParsedAddress;
    try {
      parsed = parseAddress(decision.value);
    } catch {
      continue;
    }
    if (seen.has(parsed.value)) continue;
    seen.add(parsed.value);
    candidates.push({ parsed, until: decision.until });
  }
  const ranges = candidates.filter((c) => !c.parsed.exact);
  const blocks: EnforceableBlock[] = [];
  for (const candidate of candidates) {
    const covered = ranges.some(
      (range) => range !== candidate && range.parsed.prefix < candidate.parsed.prefix && rangeContains(range.parsed, candidate.parsed),
    );
    if (covered) continue;
    blocks.push({
      value: candidate.parsed.value,
      family: candidate.parsed.family,
      seconds: Math.max(1, Math.ceil((candidate.until - now) / 1000)),
    });
  }
  return blocks;
}

export interface NftablesOptions {
  /** Table family; `inet` covers IPv4 and IPv6. */
  family?: string;
  table?: string;
  /** IPv4 set name; the IPv6 set is `<set>6` unless given. */
  set?: string;
  set6?: string;
}

/**
 * An `nft -f` script (applied atomically as one transaction): the table and
 * two interval sets with timeouts (nftables sets hold one address type), the
 * sets flushed and refilled with the active blocks. The firewall rule that
 * drops traffic from the sets is the operator's, e.g.
 * `nft add rule inet filter input ip saddr @vigil_blocklist drop`.
 */
export function renderNftables(decisions: readonly Decision[], now: number, options: NftablesOptions = {}): string {
  const family = options.family ?? 'inet';
  const table = options.table ?? 'filter';
  const set4 = options.set ?? 'vigil_blocklist';
  const set6 = options.set6 ?? `${set4}6`;
  const blocks = enforceableBlocks(decisions, now);
  const target = `${family} ${table}`;
  const lines = [
    `add table ${target}`,
    `add set ${target} ${set4} { type ipv4_addr; flags interval, timeout; }`,
    `add set ${target} ${set6} { type ipv6_addr; flags interval, timeout; }`,
    `flush set ${target} ${set4}`,
    `flush set ${target} ${set6}`,
  ];
  for (const [set, fam] of [
    [set4, 'ipv4'],
    [set6, 'ipv6'],
  ] as const) {
    const elements = blocks.filter((b) => b.family === fam).map((b) => `${b.value} timeout ${b.seconds}s`);
    // `{ }` is a syntax error: no element line for an empty set.
    if (elements.length > 0) lines.push(`add element ${target} ${set} { ${elements.join(', ')} }`);
  }
  return lines.join('\n') + '\n';
}

export interface IpsetOptions {
  set4?: string;
  set6?: string;
  /** Also emit idempotent iptables / ip6tables rules that drop traffic from the sets (default true). */
  iptablesRules?: boolean;
  /** Chain for those rules (default INPUT). */
  chain?: string;
}

/**
 * A shell script for ipset + iptables: each set is filled as a temporary set
 * and swapped in (`ipset swap` is atomic, so there is no moment without
 * blocking), then the DROP rules are inserted unless already present.
 */
export function renderIpset(decisions: readonly Decision[], now: number, options: IpsetOptions = {}): string {
  const set4 = options.set4 ?? 'vigil-v4';
  const set6 = options.set6 ?? 'vigil-v6';
  const chain = options.chain ?? 'INPUT';
  const blocks = enforceableBlocks(decisions, now);
  const lines: string[] = [];
  for (const [set, inetFamily, fam] of [
    [set4, 'inet', 'ipv4'],
    [set6, 'inet6', 'ipv6'],
  ] as const) {
    const tmp = `${set}-tmp`;
    lines.push(`ipset create ${set} hash:net family ${inetFamily} timeout 0 -exist`);
    lines.push(`ipset create ${tmp} hash:net family ${inetFamily} timeout 0 -exist`);
    lines.push(`ipset flush ${tmp}`);
    for (const block of blocks) {
      if (block.family === fam) lines.push(`ipset add ${tmp} ${block.value} timeout ${block.seconds} -exist`);
    }
    lines.push(`ipset swap ${tmp} ${set}`);
    lines.push(`ipset destroy ${tmp}`);
  }
  if (options.iptablesRules ?? true) {
    for (const [tool, set] of [
      ['iptables', set4],
      ['ip6tables', set6],
    ] as const) {
      const rule = `${chain} -m set --match-set ${set} src -j DROP`;
      lines.push(`${tool} -C ${rule} 2>/dev/null || ${tool} -I ${rule}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** nginx `deny` lines (include the file inside http/server/location; reload nginx to apply). */
export function renderNginxDeny(decisions: readonly Decision[], now: number): string {
  return enforceableBlocks(decisions, now)
    .map((block) => `deny ${block.value};\n`)
    .join('');
}
