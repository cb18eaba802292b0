import { networkOf } from './network-key.js';

/**
 * Compact map keys for addresses: an IPv4 address written the canonical way
 * (four decimal octets, no leading zeros — what `net.isIP` accepts as
 * version 4) becomes its 32 bits as an int32, which a Map holds without any
 * string; anything else (IPv6, odd spellings) stays the string itself.
 * The mapping is one-to-one, so key equality is address-string equality,
 * and `ipOfKey` gives back the very same text.
 */
export type IpKey = string | number;

export function ipKey(ip: string): IpKey {
  const v4 = parseIpv4(ip);
  return v4 === undefined ? ip : v4;
}

export function ipOfKey(key: IpKey): string {
  return typeof key === 'string' ? key : formatIpv4(key);
}

/**
 * The /24 of a canonical IPv4 address as a number (its upper 24 bits), else
 * `networkOf`'s CIDR string (an IPv6 /64), or undefined for a non-address.
 */
export function networkKey(ip: string): IpKey | undefined {
  const v4 = parseIpv4(ip);
  return v4 === undefined ? networkOf(ip) : v4 >>> 8;
}

/** The CIDR text of a networkKey, as networkOf writes it. */
export function networkOfKey(key: IpKey): string {
  if (typeof key === 'string') return key;
  return `${key >>> 16}.${(key >>> 8) & 255}.${key & 255}.0/24`;
}

function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** The int32 of a canonical dotted-quad IPv4 address, else undefined. */
export function parseIpv4(ip: string): number | undefined {
  const n = ip.length;
  if (n < 7 || n > 15) return undefined;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = (value << 8) | octet;
      dots++;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // A leading zero is allowed only as the whole octet ("0", not "01").
      if (digits > 0 && octet === 0) return undefined;
      octet = octet * 10 + (c - 48);
      if (octet > 255) return undefined;
      digits++;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || dots !== 3) return undefined;
  return (value << 8) | octet;
}
