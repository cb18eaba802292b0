import { emptyDocument, FeedFormatError, feedConfidence, feedTime, note, type FeedDocument } from './feed-format.js';
import type { IocInput } from './ioc.js';
import type { IocType } from './ioc-type.js';

/** STIX object paths Vigil can match, to its types (undefined: the value decides, e.g. IP or CIDR). */
const PATHS: Record<string, IocType | undefined> = {
  'ipv4-addr:value': undefined,
  'ipv6-addr:value': undefined,
  'domain-name:value': 'domain',
  'url:value': 'url',
  'email-addr:value': 'email',
  "file:hashes.'sha-256'": 'sha256',
  "file:hashes.'sha256'": 'sha256',
  'file:hashes.sha256': 'sha256',
  "file:hashes.'sha-1'": 'sha1',
  "file:hashes.'sha1'": 'sha1',
  'file:hashes.sha1': 'sha1',
  "file:hashes.'md5'": 'md5',
  'file:hashes.md5': 'md5',
};

// One comparison: object-path, operator, quoted literal. Alternatives inside the literal are disjoint (no backtracking blow-up).
const COMPARISON = /([a-z0-9-]+:[A-Za-z0-9_.'-]+)\s*(=|ISSUBSET)\s*'((?:[^'\\]|\\.)*)'/g;
// Operators that make a pattern more than "any of these values".
const NOT_PLAIN = /\b(AND|FOLLOWEDBY|REPEATS|WITHIN|START|STOP|NOT)\b|!=|\bLIKE\b|\bMATCHES\b/;

/**
 * The indicator values of one STIX 2.1 pattern, when it is a disjunction of
 * equality (or ISSUBSET for ranges) comparisons on ipv4-addr, ipv6-addr,
 * domain-name, url, email-addr or file hashes. Anything else (AND, temporal
 * qualifiers, other objects) returns undefined: it cannot be matched value by value.
 */
export function stixPatternValues(pattern: string): { type: IocType | undefined; value: string }[] | undefined {
  const outsideStrings = pattern.replace(/'(?:[^'\\]|\\.)*'/g, "''");
  if (NOT_PLAIN.test(outsideStrings)) return undefined;
  const values: { type: IocType | undefined; value: string }[] = [];
  let comparisons = 0;
  for (const m of outsideStrings.matchAll(/[a-z0-9-]+:[A-Za-z0-9_.'-]+\s*(?:=|ISSUBSET|IN|>|<|>=|<=)/g)) if (m) comparisons++;
  for (const m of pattern.matchAll(COMPARISON)) {
    const path = (m[1] as string).toLowerCase();
    if (!(path in PATHS)) continue;
    const value = (m[3] as string).replace(/\\(.)/g, '$1');
    values.push({ type: PATHS[path], value });
  }
  // Every comparison must be understood: an OR with an unmatched branch is still fine (each branch alone suffices).
  return values.length === 0 || comparisons === 0 ? undefined : values;
}

interface StixObject {
  type?: unknown;
  id?: unknown;
  [key: string]: unknown;
}

/**
 * A STIX 2.1 bundle (or a bare array of objects): every `indicator` with
 * pattern_type stix and a pattern `stixPatternValues` understands becomes
 * one entry per value. Confidence, indicator_types (threat type), labels
 * (tags), valid_from / modified / valid_until (times) are carried over;
 * revoked indicators are skipped; malware an indicator `indicates` (by
 * relationship) is added as a `malware:<name>` tag.
 */
export function parseStixBundle(text: string): FeedDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new FeedFormatError(`STIX: ${(err as Error).message}`);
  }
  let objects: unknown;
  if (Array.isArray(parsed)) objects = parsed;
  else if (typeof parsed === 'object' && parsed !== null && (parsed as StixObject).type === 'bundle') objects = (parsed as StixObject).objects ?? [];
  else throw new FeedFormatError('STIX: expected a bundle ({"type": "bundle", "objects": [...]})');
  if (!Array.isArray(objects)) throw new FeedFormatError('STIX: bundle.objects is not an array');

  const malwareNames = new Map<string, string>();
  const indicates = new Map<string, string[]>();
  for (const o of objects as StixObject[]) {
    if (typeof o !== 'object' || o === null) continue;
    if (o.type === 'malware' && typeof o.id === 'string' && typeof o.name === 'string') malwareNames.set(o.id, o.name);
  }
  for (const o of objects as StixObject[]) {
    if (o?.type === 'relationship' && o.relationship_type === 'indicates' && typeof o.source_ref === 'string' && typeof o.target_ref === 'string') {
      const name = malwareNames.get(o.target_ref);
      if (name !== undefined) indicates.set(o.source_ref, [...(indicates.get(o.source_ref) ?? []), `malware:${name}`]);
    }
  }

  const doc = emptyDocument();
  for (const o of objects as StixObject[]) {
    if (typeof o !== 'object' || o === null || o.type !== 'indicator') continue;
    const id = typeof o.id === 'string' ? o.id : '(no id)';
    if (o.revoked === true) {
      doc.unsupported++;
      note(doc, `${id}: revoked`);
      continue;
    }
    if (o.pattern_type !== undefined && o.pattern_type !== 'stix') {
      doc.unsupported++;
      note(doc, `${id}: pattern_type ${String(o.pattern_type)}`);
      continue;
    }
    const values = typeof o.pattern === 'string' ? stixPatternValues(o.pattern) : undefined;
    if (values === undefined) {
      doc.unsupported++;
      note(doc, `${id}: pattern not a plain value comparison`);
      continue;
    }
    const tags = [...(Array.isArray(o.labels) ? o.labels.filter((l): l is string => typeof l === 'string') : []), ...(indicates.get(id) ?? [])];
    const types = Array.isArray(o.indicator_types) ? o.indicator_types.filter((t): t is string => typeof t === 'string') : [];
    const confidence = feedConfidence(o.confidence);
    const firstSeen = feedTime(o.valid_from);
    const lastSeen = feedTime(o.modified);
    const expiresAt = feedTime(o.valid_until);
    for (const { type, value } of values) {
      const entry: IocInput = { value };
      if (type !== undefined) entry.type = type;
      if (types[0] !== undefined) entry.threatType = types[0];
      if (confidence !== undefined) entry.confidence = confidence;
      if (tags.length > 0) entry.tags = tags;
      if (firstSeen !== undefined) entry.firstSeen = firstSeen;
      if (lastSeen !== undefined) entry.lastSeen = lastSeen;
      if (expiresAt !== undefined) entry.expiresAt = expiresAt;
      doc.entries.push(entry);
    }
  }
  return doc;
}
