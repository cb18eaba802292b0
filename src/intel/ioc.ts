import { InvalidIocError, parseIoc, type IocType } from './ioc-type.js';

/** One indicator of compromise, as stored and matched. Times are epoch ms. */
export interface Ioc {
  /** Canonical value (see parseIoc). */
  value: string;
  type: IocType;
  /** What it indicates: malware, c2, phishing, scanner, botnet, … (free text, lower case). */
  threatType: string;
  /** 0..100. */
  confidence: number;
  /** Feed name, `manual`, `api`, `import`. */
  source: string;
  firstSeen: number;
  lastSeen: number;
  /** After this the indicator no longer applies (removed by expiry); null = never. */
  expiresAt: number | null;
  tags: string[];
}

/** What feeds, the CLI and the API hand in: only the value is required. */
export interface IocInput {
  value: string;
  type?: IocType;
  threatType?: string;
  confidence?: number;
  source?: string;
  firstSeen?: number;
  lastSeen?: number;
  expiresAt?: number | null;
  tags?: string[];
}

export interface IocDefaults {
  threatType: string;
  confidence: number;
  source: string;
  /** Expiry relative to now when the input gives none; 0 = never. */
  ttlMs: number;
  tags?: string[];
}

export const MAX_TAGS = 32;
const MAX_TAG_LENGTH = 64;
const MAX_THREAT_TYPE_LENGTH = 64;
const MAX_SOURCE_LENGTH = 128;

export const DEFAULT_IOC_DEFAULTS: IocDefaults = { threatType: 'malicious', confidence: 50, source: 'manual', ttlMs: 0 };

/** Validate and complete an input (throws InvalidIocError naming what is wrong). */
export function normalizeIoc(input: IocInput, defaults: IocDefaults, now: number): Ioc {
  const { type, value } = parseIoc(input.value, input.type);
  const confidence = input.confidence ?? defaults.confidence;
  if (typeof confidence !== 'number' || !Number.isFinite(confidence) || confidence < 0 || confidence > 100) {
    throw new InvalidIocError(`confidence must be a number 0..100, got ${String(input.confidence)}`);
  }
  const threatType = cleanWord(input.threatType ?? defaults.threatType, MAX_THREAT_TYPE_LENGTH) || defaults.threatType;
  const source = (input.source ?? defaults.source).trim().slice(0, MAX_SOURCE_LENGTH) || defaults.source;
  const lastSeen = validTime(input.lastSeen, 'lastSeen') ?? now;
  const firstSeen = Math.min(validTime(input.firstSeen, 'firstSeen') ?? lastSeen, lastSeen);
  let expiresAt: number | null;
  if (input.expiresAt === null) expiresAt = null;
  else expiresAt = validTime(input.expiresAt, 'expiresAt') ?? (defaults.ttlMs > 0 ? now + defaults.ttlMs : null);
  return {
    value,
    type,
    threatType,
    confidence: Math.round(confidence),
    source,
    firstSeen,
    lastSeen,
    expiresAt,
    tags: mergeTags(defaults.tags ?? [], input.tags ?? []),
  };
}

/**
 * The upsert rule, the same on every database: the higher confidence wins
 * (and brings its threat type and source; a tie goes to the newcomer),
 * first seen is the earliest, last seen the latest, expiry the later (never
 * beats any time), tags are the union.
 */
export function mergeIoc(stored: Ioc, incoming: Ioc): Ioc {
  const incomingWins = incoming.confidence >= stored.confidence;
  return {
    value: stored.value,
    type: stored.type,
    threatType: incomingWins ? incoming.threatType : stored.threatType,
    confidence: Math.max(stored.confidence, incoming.confidence),
    source: incomingWins ? incoming.source : stored.source,
    firstSeen: Math.min(stored.firstSeen, incoming.firstSeen),
    lastSeen: Math.max(stored.lastSeen, incoming.lastSeen),
    expiresAt: stored.expiresAt === null || incoming.expiresAt === null ? null : Math.max(stored.expiresAt, incoming.expiresAt),
    tags: mergeTags(stored.tags, incoming.tags),
  };
}

/** Two IOCs carry the same facts (an upsert that changed nothing need not touch the matcher). */
export function sameIoc(a: Ioc, b: Ioc): boolean {
  return (
    a.threatType === b.threatType &&
    a.confidence === b.confidence &&
    a.source === b.source &&
    a.firstSeen === b.firstSeen &&
    a.lastSeen === b.lastSeen &&
    a.expiresAt === b.expiresAt &&
    a.tags.length === b.tags.length &&
    a.tags.every((t, i) => t === b.tags[i])
  );
}

/** Sorted, de-duplicated, lower-case tags, capped at MAX_TAGS. */
export function mergeTags(a: readonly string[], b: readonly string[]): string[] {
  if (a.length === 0 && b.length === 0) return [];
  const out = new Set<string>();
  for (const tag of [...a, ...b]) {
    if (typeof tag !== 'string') continue;
    const clean = cleanWord(tag, MAX_TAG_LENGTH);
    if (clean !== '') out.add(clean);
  }
  return [...out].sort().slice(0, MAX_TAGS);
}

function cleanWord(text: string, max: number): string {
  return String(text).trim().toLowerCase().slice(0, max);
}

function validTime(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new InvalidIocError(`${name} must be epoch milliseconds`);
  return Math.floor(value);
}

/** Key of an IOC in maps and the store. */
export function iocKey(type: IocType, value: string): string {
  return `${type}:${value}`;
}
