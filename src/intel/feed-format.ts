import { parseTimestamp } from '../core/time.js';
import type { IocInput } from './ioc.js';
import { isIocType, type IocType } from './ioc-type.js';

export const FEED_FORMATS = ['text', 'csv', 'json', 'stix', 'misp'] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** What a loader found in one feed document. Entries are not validated yet (the importer counts invalid ones). */
export interface FeedDocument {
  entries: IocInput[];
  /** Records the format understood but that carry no indicator Vigil can match (STIX AND patterns, MISP attribute types, …). */
  unsupported: number;
  /** A few reasons for skipped records, for the log. */
  notes: string[];
}

/** The document as a whole cannot be read (bad JSON, not a STIX bundle, …): nothing of it is imported. */
export class FeedFormatError extends Error {
  readonly code = 'VIGIL_E_FEED_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'FeedFormatError';
  }
}

export const MAX_NOTES = 5;

export function emptyDocument(): FeedDocument {
  return { entries: [], unsupported: 0, notes: [] };
}

export function note(doc: FeedDocument, text: string): void {
  if (doc.notes.length < MAX_NOTES) doc.notes.push(text);
}

const TYPE_ALIASES: Record<string, IocType> = {
  ip: 'ipv4',
  'ipv4-addr': 'ipv4',
  'ipv6-addr': 'ipv6',
  'ip-src': 'ipv4',
  'ip-dst': 'ipv4',
  'domain-name': 'domain',
  hostname: 'domain',
  host: 'domain',
  fqdn: 'domain',
  uri: 'url',
  link: 'url',
  'email-addr': 'email',
  'email-src': 'email',
  'email-dst': 'email',
  'sha-1': 'sha1',
  'sha-256': 'sha256',
  network: 'cidr',
  netblock: 'cidr',
  range: 'cidr',
};

/**
 * A type named by a feed, mapped to Vigil's. IP aliases (`ip`, `ip-src`) say
 * nothing about the family or a range, so they yield undefined: the value
 * decides. Unknown names also yield undefined (auto-detection).
 */
export function feedIocType(name: unknown): IocType | undefined {
  if (typeof name !== 'string') return undefined;
  const lower = name.trim().toLowerCase();
  if (isIocType(lower)) return lower === 'ipv4' || lower === 'ipv6' || lower === 'cidr' ? undefined : lower;
  const alias = TYPE_ALIASES[lower];
  return alias === 'ipv4' || alias === 'ipv6' || alias === 'cidr' ? undefined : alias;
}

/** A feed's time: epoch seconds or ms (numbers or digit strings), or ISO-8601. */
export function feedTime(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\d{1,16}$/.test(value.trim())) n = Number(value.trim());
  else return Number.isNaN(parseTimestamp(value)) ? undefined : parseTimestamp(value);
  if (!Number.isFinite(n) || n < 0) return undefined;
  return n < 1e11 ? n * 1000 : n;
}

/** Confidence 0..100 from a number, a digit string, or a word (high/medium/low). */
export function feedConfidence(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.max(0, Math.min(100, value <= 1 && value > 0 && !Number.isInteger(value) ? value * 100 : value)) : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const lower = value.trim().toLowerCase();
  if (lower === 'high') return 85;
  if (lower === 'medium') return 60;
  if (lower === 'low') return 30;
  const n = Number(lower);
  return Number.isFinite(n) ? feedConfidence(n) : undefined;
}

/** Tags from an array or a list separated by commas, semicolons or bars. */
export function feedTags(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.filter((t): t is string => typeof t === 'string');
  if (typeof value === 'string' && value.trim() !== '') return value.split(/[,;|]/).map((t) => t.trim()).filter((t) => t !== '');
  return undefined;
}
