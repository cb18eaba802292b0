import type { SecurityEvent } from '../core/event.js';
import type { Ioc } from '../intel/ioc.js';
import type { IocMatcher } from '../intel/matcher.js';

/** Which part of the event matched. */
export type IocField = 'sourceIp' | 'url' | 'host' | 'hash' | 'email';

export interface IocHit {
  ioc: Ioc;
  field: IocField;
  /** The event's value that matched (an IP, host, URL, hash or address). */
  observed: string;
}

/** Labels that carry file hashes (parsers, ECS `file.hash.*`, EDR exports). */
const HASH_LABELS = ['hash', 'md5', 'sha1', 'sha256', 'file.hash.md5', 'file.hash.sha1', 'file.hash.sha256', 'fileHash', 'process.hash.sha256'] as const;
/** Labels that carry a full URL. */
const URL_LABELS = ['url', 'url.original', 'url.full'] as const;

/**
 * The IOC enrichment of one event: its source IP, the host of the URL it
 * requested (Host header, an absolute request target or a `url` label), its
 * file hashes and, when the user name is an address, its email. The first
 * hit wins, in that order. A miss allocates nothing for the IP and host
 * checks (the costly part is done by the matcher's typed arrays and hashes).
 */
export function lookupIoc(matcher: IocMatcher, event: SecurityEvent): IocHit | undefined {
  if (matcher.size === 0) return undefined;
  const ip = event.sourceIp;
  let ioc = matcher.matchIp(ip);
  if (ioc !== undefined) return { ioc, field: 'sourceIp', observed: ip };

  const http = event.http;
  if (http !== undefined) {
    const path = http.path;
    if (path !== undefined && (path.startsWith('http://') || path.startsWith('https://'))) {
      ioc = matcher.matchUrl(path);
      if (ioc !== undefined) return { ioc, field: ioc.type === 'url' ? 'url' : 'host', observed: path };
    }
    const hostHeader = http.headers?.host;
    if (hostHeader !== undefined && hostHeader !== '') {
      const host = stripPort(hostHeader);
      ioc = matcher.matchHost(host);
      if (ioc !== undefined) return { ioc, field: 'host', observed: host };
    }
  }
  const labels = event.labels;
  for (const name of URL_LABELS) {
    const url = labels[name];
    if (url === undefined) continue;
    ioc = matcher.matchUrl(url);
    if (ioc !== undefined) return { ioc, field: ioc.type === 'url' ? 'url' : 'host', observed: url };
  }
  for (const name of HASH_LABELS) {
    const hash = labels[name];
    if (hash === undefined) continue;
    ioc = matcher.matchHash(hash);
    if (ioc !== undefined) return { ioc, field: 'hash', observed: hash };
  }
  const user = event.username;
  if (user !== undefined && user.includes('@')) {
    ioc = matcher.matchEmail(user);
    if (ioc !== undefined) return { ioc, field: 'email', observed: user };
  }
  return undefined;
}

/** `host:port` → host; `[v6]:port` → v6; a bare IPv6 stays. */
function stripPort(host: string): string {
  if (host.charCodeAt(0) === 91) {
    const close = host.indexOf(']');
    return close < 0 ? host : host.slice(1, close);
  }
  const colon = host.indexOf(':');
  if (colon < 0 || host.indexOf(':', colon + 1) >= 0) return host;
  return host.slice(0, colon);
}
