import { Type, type Static } from '@sinclair/typebox';
import { parseAddress, type ParsedAddress } from './address.js';
import { AddressSet } from './address-set.js';

export const allowlistConfigSchema = Type.Object(
  {
    entries: Type.Array(
      Type.Union([
        Type.String(),
        Type.Object(
          {
            value: Type.String({ description: 'IP or CIDR range.' }),
            until: Type.Optional(
              Type.String({ description: 'RFC 3339 time after which the entry no longer applies (event time).' }),
            ),
            reason: Type.Optional(Type.String({ description: 'Why it is allowlisted (shown in listings).' })),
          },
          { additionalProperties: false },
        ),
      ]),
      {
        default: [],
        description: 'IPs and CIDR ranges (IPv4 or IPv6) never blocked: a plain string, or {value, until?, reason?}.',
      },
    ),
    trustedProxies: Type.Array(Type.String(), {
      default: ['127.0.0.0/8', '::1'],
      description: 'Trusted proxies, load balancers and CDN ranges: never blocked, whatever the decision\'s origin.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type AllowlistConfig = Static<typeof allowlistConfigSchema>;

export interface AllowlistEntry {
  /** Canonical IP or CIDR. */
  value: string;
  /** Event time (ms) after which it no longer applies; undefined = permanent. */
  until: number | undefined;
  reason: string;
  /** `config`, `trusted_proxy`, `manual`, … */
  source: string;
}

interface EntryData {
  reason: string;
  source: string;
}

/** An allowlist entry cannot be used (bad address, bad time). */
export class AllowlistError extends Error {
  readonly code = 'VIGIL_E_ALLOWLIST';
  constructor(message: string) {
    super(message);
    this.name = 'AllowlistError';
  }
}

/**
 * Addresses that are never blocked: the configured allowlist, entries added
 * at run time (optionally expiring, in event time) and the trusted proxies /
 * CDN ranges. The decisions store consults it for every decision, whatever
 * its origin, so nothing — automatic, manual or imported — can block them.
 * Trusted proxies cannot be removed at run time (they come from config).
 */
export class Allowlist {
  private readonly entries = new AddressSet<EntryData>();
  private readonly trusted = new AddressSet<EntryData>();

  constructor(config: AllowlistConfig) {
    for (const proxy of config.trustedProxies) {
      try {
        this.trusted.add(proxy, { reason: 'trusted proxy', source: 'trusted_proxy' });
      } catch (error) {
        throw new AllowlistError(`allowlist.trustedProxies: ${(error as Error).message}`);
      }
    }
    for (const item of config.entries) {
      const value = typeof item === 'string' ? item : item.value;
      let until: number | undefined;
      if (typeof item !== 'string' && item.until !== undefined) {
        until = Date.parse(item.until);
        if (!Number.isFinite(until)) throw new AllowlistError(`allowlist.entries: "${item.until}" (until of ${value}) is not an RFC 3339 time`);
      }
      const reason = typeof item === 'string' ? 'configured' : (item.reason ?? 'configured');
      try {
        this.entries.add(value, { reason, source: 'config' }, until);
      } catch (error) {
        throw new AllowlistError(`allowlist.entries: ${(error as Error).message}`);
      }
    }
  }

  /** Add or replace an entry (throws InvalidAddressError on a bad value). */
  add(value: string, options: { until?: number; reason?: string; source?: string } = {}): AllowlistEntry {
    const entry = this.entries.add(value, { reason: options.reason ?? '', source: options.source ?? 'manual' }, options.until);
    return toEntry(entry.value, entry.until, entry.data);
  }

  /** Remove an entry by its value (as added, any spelling of the same address); trusted proxies stay. */
  remove(value: string): boolean {
    return this.entries.remove(value) !== undefined;
  }

  /** Live entries, then the trusted proxies. */
  list(now: number): AllowlistEntry[] {
    return [...this.entries.entries(now), ...this.trusted.entries(now)].map((e) => toEntry(e.value, e.until, e.data));
  }

  /** The entry covering `ip` at event time `now`, if any. */
  match(ip: string, now: number): AllowlistEntry | undefined {
    const entry = this.trusted.match(ip, now) ?? this.entries.match(ip, now);
    return entry === undefined ? undefined : toEntry(entry.value, entry.until, entry.data);
  }

  contains(ip: string, now: number): boolean {
    return this.match(ip, now) !== undefined;
  }

  /** Is `ip` a trusted proxy / CDN address? */
  isTrustedProxy(ip: string, now: number): boolean {
    return this.trusted.match(ip, now) !== undefined;
  }

  /**
   * The entry sharing any address with `value` (an IP or a CIDR): a range
   * decision that would cover an allowlisted address must not be made.
   */
  overlapping(value: string | ParsedAddress, now: number): AllowlistEntry | undefined {
    const parsed = typeof value === 'string' ? parseAddress(value) : value;
    const entry = this.trusted.overlapping(parsed, now) ?? this.entries.overlapping(parsed, now);
    return entry === undefined ? undefined : toEntry(entry.value, entry.until, entry.data);
  }

  /** Drop expired entries; returns them. */
  expire(now: number): AllowlistEntry[] {
    return this.entries.purge(now).map((e) => toEntry(e.value, e.until, e.data));
  }
}

function toEntry(value: string, until: number | undefined, data: EntryData): AllowlistEntry {
  return { value, until, reason: data.reason, source: data.source };
}
