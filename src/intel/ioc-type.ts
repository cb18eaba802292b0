import { isIP } from 'node:net';
import { canonicalIp } from '../core/ip.js';

export const IOC_TYPES = ['ipv4', 'ipv6', 'cidr', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256'] as const;
export type IocType = (typeof IOC_TYPES)[number];

export function isIocType(value: unknown): value is IocType {
  return typeof value === 'string' && (IOC_TYPES as readonly string[]).includes(value);
}

/** An indicator value that is not what it claims to be (or not any known type). */
export class InvalidIocError extends Error {
  readonly code = 'VIGIL_E_INVALID_IOC';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidIocError';
  }
}

/** A value in canonical form with its type. */
export interface ParsedIoc {
  type: IocType;
  value: string;
}

/** Longest value accepted (URLs); the store's column holds it. */
export const MAX_IOC_LENGTH = 2048;

const HEX = /^[0-9a-f]+$/;
const EMAIL_LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$/;

/**
 * Lower-cased domain name without a trailing dot, or undefined when it is
 * not one: labels of letters, digits, hyphens (not at either end) and
 * underscores (seen in real feeds), 1-63 characters, at least two labels,
 * at most 253 characters, a top-level label not all digits. One pass over
 * the characters (no regex).
 */
export function canonicalDomain(text: string): string | undefined {
  let d = text.trim();
  if (d.endsWith('.')) d = d.slice(0, -1);
  const n = d.length;
  if (n === 0 || n > 253) return undefined;
  let labelStart = 0;
  let dots = 0;
  let allDigits = true;
  let upper = false;
  for (let i = 0; i <= n; i++) {
    const c = i === n ? 46 : d.charCodeAt(i);
    if (c === 46) {
      const length = i - labelStart;
      if (length === 0 || length > 63) return undefined;
      if (d.charCodeAt(labelStart) === 45 || d.charCodeAt(i - 1) === 45) return undefined;
      if (i < n) {
        dots++;
        labelStart = i + 1;
        allDigits = true;
      }
      continue;
    }
    if (c >= 48 && c <= 57) continue;
    allDigits = false;
    if ((c >= 97 && c <= 122) || c === 45 || c === 95) continue;
    if (c >= 65 && c <= 90) {
      upper = true;
      continue;
    }
    return undefined;
  }
  if (dots === 0 || allDigits) return undefined;
  return upper ? d.toLowerCase() : d;
}

/** `a.b.c.d/n` or `v6/n` with the host bits cleared, or undefined. */
export function canonicalCidr(text: string): string | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const address = canonicalIp(text.slice(0, slash).trim());
  const bitsText = text.slice(slash + 1).trim();
  if (address === undefined || !/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  const v4 = isIP(address) === 4;
  if (bits > (v4 ? 32 : 128)) return undefined;
  if (v4) {
    const n = ipv4ToInt(address);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return `${intToIpv4((n & mask) >>> 0)}/${bits}`;
  }
  const words = ipv6Words(address);
  if (words === undefined) return undefined;
  for (let i = 0; i < 4; i++) {
    const keep = Math.max(0, Math.min(32, bits - i * 32));
    const mask = keep === 0 ? 0 : keep === 32 ? 0xffffffff : (~0 << (32 - keep)) >>> 0;
    words[i] = ((words[i] as number) & mask) >>> 0;
  }
  return `${wordsToIpv6(words)}/${bits}`;
}

/**
 * URL in canonical form: scheme and host lower-cased, default port dropped,
 * fragment removed (WHATWG URL serialisation). Only http(s) and ftp.
 */
export function canonicalUrl(text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^(https?|ftp):\/\//i.test(trimmed)) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (url.hostname === '') return undefined;
  url.hash = '';
  return url.href;
}

/** The host of a URL (domain or IP, without brackets), or undefined. */
export function urlHost(text: string): string | undefined {
  try {
    const host = new URL(text).hostname;
    if (host === '') return undefined;
    return host.startsWith('[') ? host.slice(1, -1) : host;
  } catch {
    return undefined;
  }
}

function canonicalEmail(text: string): string | undefined {
  const lower = text.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0 || lower.indexOf('@') !== at) return undefined;
  const local = lower.slice(0, at);
  const domain = canonicalDomain(lower.slice(at + 1));
  if (domain === undefined || !EMAIL_LOCAL.test(local) || local.startsWith('.') || local.endsWith('.')) return undefined;
  return `${local}@${domain}`;
}

function canonicalHash(text: string, length: number): string | undefined {
  const lower = text.trim().toLowerCase();
  return lower.length === length && HEX.test(lower) ? lower : undefined;
}

/** The value in canonical form if it is a valid `type`, else undefined. */
export function canonicalIoc(type: IocType, text: string): string | undefined {
  if (text.length > MAX_IOC_LENGTH) return undefined;
  switch (type) {
    case 'ipv4': {
      const ip = canonicalIp(text.trim());
      return ip !== undefined && isIP(ip) === 4 ? ip : undefined;
    }
    case 'ipv6': {
      const ip = canonicalIp(text.trim());
      return ip !== undefined && isIP(ip) === 6 ? ip : undefined;
    }
    case 'cidr':
      return canonicalCidr(text);
    case 'domain':
      return canonicalDomain(text);
    case 'url':
      return canonicalUrl(text);
    case 'email':
      return canonicalEmail(text);
    case 'md5':
      return canonicalHash(text, 32);
    case 'sha1':
      return canonicalHash(text, 40);
    case 'sha256':
      return canonicalHash(text, 64);
  }
}

/**
 * Type and canonical value of an indicator. With `type`, the value must be
 * of that type (a /32 or /128 CIDR is stored as the address itself); without,
 * the type is detected: IP, CIDR, URL (scheme://), email, hash by length, domain.
 */
export function parseIoc(text: string, type?: IocType): ParsedIoc {
  if (typeof text !== 'string' || text.trim() === '') throw new InvalidIocError('empty indicator value');
  if (text.length > MAX_IOC_LENGTH) throw new InvalidIocError(`indicator longer than ${MAX_IOC_LENGTH} characters`);
  let parsed: ParsedIoc | undefined;
  if (type === undefined) {
    parsed = detectIoc(text);
    if (parsed === undefined) throw new InvalidIocError(`"${shorten(text)}" is not an IP, CIDR, domain, URL, email or MD5/SHA-1/SHA-256 hash`);
  } else {
    const value = canonicalIoc(type, text);
    if (value === undefined) throw new InvalidIocError(`"${shorten(text)}" is not a valid ${type}`);
    parsed = { type, value };
  }
  if (parsed.type === 'cidr') {
    // A single address written as a range is matched as the address.
    const value = parsed.value;
    const full = value.endsWith('/32') && !value.includes(':') ? 32 : value.endsWith('/128') ? 128 : 0;
    if (full > 0) return { type: full === 32 ? 'ipv4' : 'ipv6', value: value.slice(0, value.lastIndexOf('/')) };
  }
  return parsed;
}

/** Detection and canonical form in one pass (the common feed path: IPv4, domains, hashes). */
function detectIoc(text: string): ParsedIoc | undefined {
  const t = text.trim();
  if (t === '' || t.length > MAX_IOC_LENGTH) return undefined;
  if (parseIpv4Int(t) !== -1) return { type: 'ipv4', value: t };
  const first = t.charCodeAt(0);
  const last = t.charCodeAt(t.length - 1);
  // Hashes: all hex of the right length.
  if (t.length === 32 || t.length === 40 || t.length === 64) {
    const lower = t.toLowerCase();
    if (HEX.test(lower)) return { type: t.length === 32 ? 'md5' : t.length === 40 ? 'sha1' : 'sha256', value: lower };
  }
  const type = detectIocType(t);
  if (type === undefined) return undefined;
  if (type === 'domain' && ((last >= 97 && last <= 122) || (first >= 97 && first <= 122))) {
    const value = canonicalDomain(t);
    return value === undefined ? undefined : { type, value };
  }
  const value = canonicalIoc(type, t);
  return value === undefined ? undefined : { type, value };
}

/** The type a value looks like, or undefined. Valid values only. */
export function detectIocType(text: string): IocType | undefined {
  const t = text.trim();
  if (t === '' || t.length > MAX_IOC_LENGTH) return undefined;
  const ip = isIP(t);
  if (ip === 4) return 'ipv4';
  if (ip === 6) return canonicalIp(t)?.includes(':') === false ? 'ipv4' : 'ipv6';
  if (t.includes('/') && canonicalCidr(t) !== undefined) return 'cidr';
  if (t.includes('://')) return canonicalUrl(t) !== undefined ? 'url' : undefined;
  if (t.includes('@')) return canonicalEmail(t) !== undefined ? 'email' : undefined;
  const lower = t.toLowerCase();
  if (HEX.test(lower)) {
    if (lower.length === 32) return 'md5';
    if (lower.length === 40) return 'sha1';
    if (lower.length === 64) return 'sha256';
  }
  if (canonicalDomain(t) !== undefined) return 'domain';
  return undefined;
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** Dotted IPv4 (already valid) as an unsigned 32-bit integer. */
export function ipv4ToInt(ip: string): number {
  const parsed = parseIpv4Int(ip);
  if (parsed < 0) throw new InvalidIocError(`not an IPv4 address: ${ip}`);
  return parsed;
}

/** Dotted IPv4 to an unsigned 32-bit integer; -1 when the text is not exactly four decimal octets. */
export function parseIpv4Int(ip: string): number {
  return parseIpv4Into(ip, scratchV4) ? (scratchV4[0] as number) >>> 0 : -1;
}

const scratchV4 = new Int32Array(1);

/**
 * Dotted IPv4 into out[0] as a (signed) 32-bit integer, without allocating:
 * int32 arithmetic only, the result in a typed array (never boxed). False
 * when the text is not exactly four decimal octets (leading zeros refused,
 * as net.isIP does).
 */
export function parseIpv4Into(ip: string, out: Int32Array): boolean {
  const length = ip.length;
  if (length < 7 || length > 15) return false;
  let result = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  let first = 0;
  for (let i = 0; i < length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return false;
      result = (result << 8) | octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits === 0) first = c;
      else if (first === 48) return false;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return false;
    } else {
      return false;
    }
  }
  if (dots !== 3 || digits === 0) return false;
  out[0] = (result << 8) | octet;
  return true;
}

export function intToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * An IPv6 address (valid, any notation, with an optional embedded IPv4 tail)
 * as four 32-bit words written into `out`. Returns false when not parseable.
 * Does not allocate when `out` is supplied, except for an embedded IPv4 tail.
 */
export function parseIpv6Words(ip: string, out: Uint32Array): boolean {
  const length = ip.length;
  if (length < 2 || length > 45) return false;
  // Groups before and after '::'.
  const groups = scratchGroups;
  let count = 0;
  let gap = -1;
  let value = 0;
  let digits = 0;
  let i = 0;
  if (ip.charCodeAt(0) === 58) {
    if (ip.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
    if (length === 2) {
      out[0] = out[1] = out[2] = out[3] = 0;
      return true;
    }
  }
  for (; i < length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 58) {
      if (digits === 0) return false;
      if (count >= 8) return false;
      groups[count++] = value;
      value = 0;
      digits = 0;
      if (i + 1 < length && ip.charCodeAt(i + 1) === 58) {
        if (gap >= 0) return false;
        gap = count;
        i++;
        if (i + 1 === length) {
          digits = -1; // ends with '::'
        }
      }
    } else if (c === 46) {
      // Embedded IPv4: the rest of the text.
      let start = i;
      while (start > 0 && ip.charCodeAt(start - 1) !== 58) start--;
      const v4 = parseIpv4Int(ip.slice(start));
      if (v4 < 0 || count > 6) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      digits = -1;
      break;
    } else {
      let h: number;
      if (c >= 48 && c <= 57) h = c - 48;
      else if (c >= 97 && c <= 102) h = c - 87;
      else if (c >= 65 && c <= 70) h = c - 55;
      else return false;
      if (++digits > 4) return false;
      value = value * 16 + h;
    }
  }
  if (digits > 0) {
    if (count >= 8) return false;
    groups[count++] = value;
  } else if (digits === 0 && gap !== count) {
    return false;
  }
  let filled: number;
  if (gap >= 0) {
    if (count > 7) return false;
    filled = 8;
  } else {
    if (count !== 8) return false;
    filled = 8;
  }
  const zeros = filled - count;
  for (let w = 0; w < 4; w++) {
    const hiIndex = w * 2;
    const loIndex = hiIndex + 1;
    const hi = groupAt(groups, gap, zeros, hiIndex);
    const lo = groupAt(groups, gap, zeros, loIndex);
    out[w] = ((hi << 16) | lo) >>> 0;
  }
  return true;
}

const scratchGroups = new Uint32Array(10);

function groupAt(groups: Uint32Array, gap: number, zeros: number, index: number): number {
  if (gap < 0 || index < gap) return groups[index] as number;
  if (index < gap + zeros) return 0;
  return groups[index - zeros] as number;
}

export function ipv6Words(ip: string): Uint32Array | undefined {
  const out = new Uint32Array(4);
  return parseIpv6Words(ip, out) ? out : undefined;
}

function wordsToIpv6(words: Uint32Array): string {
  const groups: string[] = [];
  for (const w of words) groups.push(((w >>> 16) & 0xffff).toString(16), (w & 0xffff).toString(16));
  // Let the URL parser compress it the canonical way (RFC 5952).
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}
