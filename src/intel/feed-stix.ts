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

/** Keywords and operators that make a pattern more than "any of these values". */
const NOT_PLAIN_WORDS = new Set(['AND', 'FOLLOWEDBY', 'REPEATS', 'WITHIN', 'START', 'STOP', 'NOT', 'LIKE', 'MATCHES']);
/** Comparison operators (a path followed by one of these is a comparison). */
const COMPARATORS = new Set(['=', '!=', '>', '<', '>=', '<=', 'ISSUBSET', 'IN']);

type PatternToken = { kind: 'string'; value: string } | { kind: 'word'; text: string } | { kind: 'op'; text: string };

function isWordChar(c: number): boolean {
  // A-Z a-z 0-9 _ . : -
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 58 || c === 45;
}

/**
 * The tokens of a STIX pattern in one pass (no regular expressions, so no
 * backtracking on hostile feed content): quoted literals (with `\'` and `\\`
 * escapes), words (object paths such as `file:hashes.'SHA-256'`, keywords)
 * and comparison operators; brackets and parentheses are dropped.
 */
function tokenizePattern(pattern: string): PatternToken[] {
  const tokens: PatternToken[] = [];
  const n = pattern.length;
  let i = 0;
  while (i < n) {
    const c = pattern.charCodeAt(i);
    if (c === 39 /* ' */) {
      let value = '';
      i++;
      while (i < n && pattern.charCodeAt(i) !== 39) {
        if (pattern.charCodeAt(i) === 92 /* \ */ && i + 1 < n) i++;
        value += pattern[i];
        i++;
      }
      i++;
      tokens.push({ kind: 'string', value });
    } else if (isWordChar(c)) {
      const start = i;
      let path = false;
      while (i < n) {
        const d = pattern.charCodeAt(i);
        if (isWordChar(d)) {
          if (d === 58) path = true;
          i++;
        } else if (d === 39 && path && pattern.charCodeAt(i - 1) === 46 /* a quoted path component: hashes.'SHA-256' */) {
          const close = pattern.indexOf("'", i + 1);
          if (close < 0) break;
          i = close + 1;
        } else break;
      }
      tokens.push({ kind: 'word', text: pattern.slice(start, i) });
    } else if (c === 61 /* = */) {
      tokens.push({ kind: 'op', text: '=' });
      i++;
    } else if ((c === 33 /* ! */ || c === 60 /* < */ || c === 62) /* > */ && pattern.charCodeAt(i + 1) === 61) {
      tokens.push({ kind: 'op', text: `${pattern[i]}=` });
      i += 2;
    } else if (c === 60 || c === 62) {
      tokens.push({ kind: 'op', text: pattern[i] as string });
      i++;
    } else {
      i++;
    }
  }
  return tokens;
}

function isObjectPath(token: PatternToken | undefined): token is { kind: 'word'; text: string } {
  if (token?.kind !== 'word') return false;
  const colon = token.text.indexOf(':');
  return colon > 0 && colon < token.text.length - 1;
}

/**
 * The indicator values of one STIX 2.1 pattern, when it is a disjunction of
 * equality (or ISSUBSET for ranges) comparisons on ipv4-addr, ipv6-addr,
 * domain-name, url, email-addr or file hashes. Anything else (AND, temporal
 * qualifiers, other objects) returns undefined: it cannot be matched value by value.
 */
export function stixPatternValues(pattern: string): { type: IocType | undefined; value: string }[] | undefined {
  const tokens = tokenizePattern(pattern);
  const values: { type: IocType | undefined; value: string }[] = [];
  let comparisons = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as PatternToken;
    if (token.kind === 'op' && token.text === '!=') return undefined;
    if (token.kind === 'word' && NOT_PLAIN_WORDS.has(token.text)) return undefined;
    if (!isObjectPath(token)) continue;
    const operator = tokens[i + 1];
    const operand = tokens[i + 2];
    const op = operator === undefined || operator.kind === 'string' ? undefined : operator.text;
    if (op === undefined || !COMPARATORS.has(op)) continue;
    comparisons++;
    if ((op === '=' || op === 'ISSUBSET') && operand?.kind === 'string') {
      const path = token.text.toLowerCase();
      if (path in PATHS) values.push({ type: PATHS[path], value: operand.value });
    }
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
