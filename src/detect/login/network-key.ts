import { isIP } from 'node:net';

/**
 * The network an address belongs to for range-level aggregation: the /24 of
 * an IPv4 address, the /64 of an IPv6 one (the usual size of one customer's
 * allocation: one subscriber, one site, one cloud VM's block). Returned in
 * CIDR form ("203.0.113.0/24", "2001:db8:1:2::/64"); undefined when `ip` is
 * not an address.
 */
export function networkOf(ip: string): string | undefined {
  const version = isIP(ip);
  if (version === 4) {
    const lastDot = ip.lastIndexOf('.');
    return ip.slice(0, lastDot) + '.0/24';
  }
  if (version === 6) {
    const groups = expandIpv6(ip);
    if (groups === undefined) return undefined;
    return groups.slice(0, 4).map((g) => g.toString(16)).join(':') + '::/64';
  }
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (embedded IPv4 tails included). */
export function expandIpv6(ip: string): number[] | undefined {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) !== -1) {
    const v4 = text.slice(lastColon + 1).split('.').map(Number);
    if (v4.length !== 4) return undefined;
    tail = [((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number)];
    text = text.slice(0, lastColon + 1) + '0';
    // The placeholder group is dropped below and replaced by the two tail groups.
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const head = parse(halves[0] as string);
  const rest = halves.length === 2 ? parse(halves[1] as string) : [];
  if (tail.length > 0) {
    if (halves.length === 2 && rest.length > 0) rest.pop();
    else head.pop();
  }
  const missing = 8 - head.length - rest.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...rest, ...tail];
  return groups.some((g) => Number.isNaN(g) || g < 0 || g > 0xffff) ? undefined : groups;
}
