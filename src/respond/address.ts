import { isIP } from 'node:net';
import { canonicalIp } from '../core/ip.js';

/**
 * An IP address or a CIDR range, parsed once so that sets, decisions and the
 * firewall exports all agree on one canonical text form:
 *  - IPv4-mapped IPv6 becomes IPv4, IPv6 is lower-cased and compressed (RFC 5952);
 *  - a range is written as its network address (`10.1.2.3/8` → `10.0.0.0/8`);
 *  - a full-length prefix (`/32`, `/128`) is the single address.
 */
export interface ParsedAddress {
  /** Canonical text: `1.2.3.4`, `2001:db8::1`, `10.0.0.0/8`, `2001:db8::/32`. */
  value: string;
  family: 'ipv4' | 'ipv6';
  /** Network address (canonical text), the address itself when exact. */
  network: string;
  prefix: number;
  /** True for a single address. */
  exact: boolean;
  /** First address of the range as an integer (for containment checks). */
  start: bigint;
  /** Last address of the range. */
  end: bigint;
}

/** An address or range that cannot be parsed; the message names the value. */
export class InvalidAddressError extends Error {
  readonly code = 'VIGIL_E_INVALID_ADDRESS';
  constructor(readonly value: string, detail: string) {
    super(`invalid IP address or CIDR range "${value}": ${detail}`);
    this.name = 'InvalidAddressError';
  }
}

/** Parse `1.2.3.4`, `::1`, `10.0.0.0/8`, `2001:db8::/32`; throws InvalidAddressError. */
export function parseAddress(text: string): ParsedAddress {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const addressText = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const canonical = canonicalIp(addressText);
  if (canonical === undefined) throw new InvalidAddressError(text, 'not an IPv4 or IPv6 address');
  const family = isIP(canonical) === 4 ? 'ipv4' : 'ipv6';
  const bits = family === 'ipv4' ? 32 : 128;
  let prefix = bits;
  if (slash !== -1) {
    const prefixText = trimmed.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText)) throw new InvalidAddressError(text, 'the prefix length must be a number');
    prefix = Number(prefixText);
    // An IPv4-mapped range (::ffff:10.0.0.0/104) is the IPv4 range /8.
    if (family === 'ipv4' && addressText.includes(':')) prefix -= 96;
    if (prefix < 0 || prefix > bits) throw new InvalidAddressError(text, `the prefix length must be 0..${bits}`);
  }
  const value = addressToBigInt(canonical, family);
  const hostBits = BigInt(bits - prefix);
  const start = (value >> hostBits) << hostBits;
  const end = start + (1n << hostBits) - 1n;
  const network = formatAddress(start, family);
  const exact = prefix === bits;
  return { value: exact ? network : `${network}/${prefix}`, family, network, prefix, exact, start, end };
}

/** Like parseAddress, but undefined instead of an error. */
export function tryParseAddress(text: string): ParsedAddress | undefined {
  try {
    return parseAddress(text);
  } catch {
    return undefined;
  }
}

/** Does range `outer` contain address/range `inner`? */
export function rangeContains(outer: ParsedAddress, inner: ParsedAddress): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}

/** Do the two ranges share at least one address? (CIDRs either nest or are disjoint.) */
export function rangesOverlap(a: ParsedAddress, b: ParsedAddress): boolean {
  return a.family === b.family && a.start <= b.end && b.start <= a.end;
}

function addressToBigInt(address: string, family: 'ipv4' | 'ipv6'): bigint {
  if (family === 'ipv4') return ipv4ToBigInt(address);
  let text = address;
  // Embedded IPv4 tail (::1.2.3.4, 64:ff9b::1.2.3.4): turn it into two hex groups.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToBigInt(tail);
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const double = text.indexOf('::');
  let groups: string[];
  if (double === -1) {
    groups = text.split(':');
  } else {
    const head = text.slice(0, double) === '' ? [] : text.slice(0, double).split(':');
    const rest = text.slice(double + 2) === '' ? [] : text.slice(double + 2).split(':');
    groups = [...head, ...new Array<string>(8 - head.length - rest.length).fill('0'), ...rest];
  }
  let result = 0n;
  for (const group of groups) result = (result << 16n) | BigInt(Number.parseInt(group, 16));
  return result;
}

function ipv4ToBigInt(address: string): bigint {
  let result = 0n;
  for (const part of address.split('.')) result = (result << 8n) | BigInt(Number(part));
  return result;
}

/** Canonical text of an address integer: dotted IPv4, RFC 5952 IPv6. */
export function formatAddress(value: bigint, family: 'ipv4' | 'ipv6'): string {
  if (family === 'ipv4') {
    return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join('.');
  }
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  // The longest run (≥ 2) of zero groups becomes "::" (the first such run on a tie).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}
