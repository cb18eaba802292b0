import { isIP } from 'node:net';
import { expandIpv6 } from '../detect/login/network-key.js';

/**
 * The masked form of a client address for metric labels: the /24 network of
 * an IPv4 address (`203.0.113.0/24`), the /48 of an IPv6 one
 * (`2001:db8:1::/48`). A label never names one host, and one attacker's /24
 * still stands out. Anything else (not an address) becomes `invalid`.
 */
export function maskedNetwork(ip: string): string {
  const version = isIP(ip);
  if (version === 4) return ip.slice(0, ip.lastIndexOf('.')) + '.0/24';
  if (version === 6) {
    const groups = expandIpv6(ip);
    if (groups === undefined) return 'invalid';
    // IPv4-mapped addresses are folded to IPv4 by the parsers; here they keep the IPv6 form.
    return groups.slice(0, 3).map((g) => g.toString(16)).join(':') + '::/48';
  }
  return 'invalid';
}
