import { isIP } from 'node:net';

/**
 * Canonical text form of an address, or undefined when it is not one.
 * IPv4-mapped IPv6 (::ffff:1.2.3.4) becomes plain IPv4 so one client is one key;
 * IPv6 is lower-cased.
 */
export function canonicalIp(value: string): string | undefined {
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
