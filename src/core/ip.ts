import { isIP } from 'node:net';

/**
 * Canonical text form of an address, or undefined when it is not one.
 * IPv4-mapped IPv6 (::ffff:1.2.3.4) becomes plain IPv4 so one client is one key;
 * IPv6 is lower-cased.
 */
export function canonicalIp(value: string): string | undefined {
  if (isDottedQuad(value)) return value;
  const version = isIP(value);
  if (version === 4) return value;
  if (version === 6) {
    const lower = value.toLowerCase();
    if (lower.startsWith('::ffff:')) {
      const tail = lower.slice(7);
      if (isIP(tail) === 4) return tail;
    }
    return lower;
  }
  return undefined;
}

/**
 * The IPv4 form `net.isIPv4` accepts — four decimal octets 0..255 without
 * leading zeros — checked by hand: no regular expression per address on the
 * parsers' hot path (same answer as isIPv4 for every string).
 */
export function isDottedQuad(value: string): boolean {
  const length = value.length;
  if (length < 7 || length > 15) return false;
  let i = 0;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (value.charCodeAt(i) !== 46 /* . */) return false;
      i++;
    }
    const first = value.charCodeAt(i) - 48;
    if (!(first >= 0 && first <= 9)) return false;
    let n = first;
    let digits = 1;
    i++;
    for (;;) {
      const d = value.charCodeAt(i) - 48;
      if (!(d >= 0 && d <= 9)) break;
      if (first === 0 || digits === 3) return false;
      n = n * 10 + d;
      digits++;
      i++;
    }
    if (n > 255) return false;
  }
  return i === length;
}

/** `a.b.***.***` for IPv4, first two groups for IPv6: safe for logs and metric labels. */
export function maskIp(ip: string): string {
  if (ip.includes(':')) {
    const groups = ip.split(':');
    return `${groups[0] || '0'}:${groups[1] || '0'}:****`;
  }
  const parts = ip.split('.');
  if (parts.length !== 4) return '***';
  return `${parts[0]}.${parts[1]}.***.***`;
}

export function isLoopback(ip: string): boolean {
  const canonical = canonicalIp(ip);
  if (canonical === undefined) return false;
  return canonical === '::1' || canonical.startsWith('127.');
}
