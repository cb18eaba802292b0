import type { HttpInfo } from '../../core/event.js';
import { detectCmdi } from './cmdi.js';
import { matchCustomRules, type CustomRule, type CustomRuleField } from './custom-rules.js';
import { DEFAULT_MAX_VALUE_LENGTH, normalize, percentDecodeOnce, stripSqlComments } from './normalize.js';
import { BASE64_VALUE } from './patterns.js';
import { detectSqli } from './sqli.js';
import { detectTraversal } from './traversal.js';
import { BENIGN, type WebAttackClass, type WebFinding, type WebVerdict } from './types.js';
import { detectXss } from './xss.js';

export interface WebClassifierOptions {
  /** Characters of each value looked at (default 8 KiB). */
  maxValueLength?: number;
  /** Rules from `loadCustomRules`, run next to the built-ins. */
  customRules?: readonly CustomRule[];
  /** Parameter values per request looked at (default 256). */
  maxParams?: number;
}

/** When two classes score the same, the more specific reading wins. */
const TIE_ORDER: Record<WebAttackClass, number> = { xss: 4, cmdi: 3, sqli: 2, traversal: 1 };

function stronger(a: WebVerdict, b: WebVerdict | null): WebVerdict {
  if (b === null || b.attack === null) return a;
  if (a.attack === null) return b;
  if (b.confidence > a.confidence) return b;
  if (b.confidence === a.confidence && TIE_ORDER[b.attack] > TIE_ORDER[a.attack]) return b;
  return a;
}

/** Plain tokens (ids, words, numbers, e-mail addresses) can carry no payload except as base64. */
function isPlainToken(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c === 64;
    if (!ok) return false;
  }
  return true;
}

function hadNullByte(raw: string): boolean {
  return raw.indexOf('%00') >= 0 || raw.indexOf('\0') >= 0 || raw.indexOf('%2500') >= 0 || raw.indexOf('\\0') >= 0 || raw.indexOf('%u0000') >= 0;
}

/** Decoded base64 text when the value is plausibly base64 of printable text. */
function base64Text(value: string): string | null {
  if (value.length < 8 || value.length > 4096 || value.length % 4 !== 0 || !BASE64_VALUE.test(value)) return null;
  const text = Buffer.from(value, 'base64').toString('latin1');
  let printable = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 32 && c < 127) || c === 10 || c === 13 || c === 9) printable++;
  }
  return text.length > 0 && printable === text.length ? text : null;
}

function customFinding(rules: readonly CustomRule[] | undefined, field: CustomRuleField, normalized: string): WebVerdict | null {
  if (rules === undefined || rules.length === 0) return null;
  let m = matchCustomRules(rules, field, normalized);
  if (m === null) {
    const stripped = stripSqlComments(normalized);
    if (stripped !== normalized) m = matchCustomRules(rules, field, stripped);
  }
  if (m === null || m.rule.class === 'process_indicator' || m.rule.class === 'persistence') return null;
  return { attack: m.rule.class, confidence: m.rule.confidence, rule: m.rule.id, evidence: m.evidence };
}

function detectAll(normalized: string, rawHadNull: boolean): WebVerdict {
  let best: WebVerdict = BENIGN;
  const results: Array<WebFinding | null> = [
    detectSqli(normalized),
    detectXss(normalized),
    detectCmdi(normalized),
    detectTraversal(normalized, { rawHadNull }),
  ];
  for (const r of results) best = stronger(best, r);
  return best;
}

export interface ValueContext {
  /** `+` means space (query strings and form bodies); default true. */
  plusAsSpace?: boolean;
}

/** Classify one parameter value (raw, as it appeared on the wire). */
export function classifyValue(value: string, options: WebClassifierOptions & ValueContext = {}): WebVerdict {
  const maxLength = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  const capped = value.length > maxLength ? value.slice(0, maxLength) : value;
  let best: WebVerdict = BENIGN;
  if (!isPlainToken(capped)) {
    const normalized = normalize(capped, { maxLength, plusAsSpace: options.plusAsSpace ?? true });
    best = detectAll(normalized, hadNullByte(capped));
    best = stronger(best, customFinding(options.customRules, 'value', normalized));
  } else if (options.customRules !== undefined && options.customRules.length > 0) {
    best = stronger(best, customFinding(options.customRules, 'value', capped.toLowerCase()));
  }
  if (best.attack === null) {
    const text = base64Text(percentDecodeOnce(capped.trim()));
    if (text !== null) {
      const inner = detectAll(normalize(text, { maxLength, plusAsSpace: false }), hadNullByte(text));
      if (inner.attack !== null) best = { ...inner, confidence: Math.round(inner.confidence * 0.95 * 100) / 100, rule: `${inner.rule}.base64` };
    }
  }
  return best;
}

/** Classify a request path (without its query): traversal and file-inclusion checks only. */
export function classifyPath(path: string, options: WebClassifierOptions = {}): WebVerdict {
  const maxLength = options.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  const normalized = normalize(path, { maxLength, plusAsSpace: false });
  let best: WebVerdict = detectTraversal(normalized, { isPath: true, rawHadNull: hadNullByte(path) }) ?? BENIGN;
  best = stronger(best, customFinding(options.customRules, 'path', normalized));
  return best;
}

/** Values of an `a=1&b=2` string (names are dropped; a bare `x` counts as a value). */
export function splitQuery(query: string, limit = 256): string[] {
  const values: string[] = [];
  let start = 0;
  while (start <= query.length && values.length < limit) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    const pair = query.slice(start, end);
    if (pair.length > 0) {
      const eq = pair.indexOf('=');
      values.push(eq < 0 ? pair : pair.slice(eq + 1));
    }
    start = end + 1;
  }
  return values;
}

function jsonStrings(body: string, limit: number): string[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const out: string[] = [];
  const stack: unknown[] = [parsed];
  while (stack.length > 0 && out.length < limit) {
    const v = stack.pop();
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number' || typeof v === 'boolean') continue;
    else if (Array.isArray(v)) stack.push(...v.slice(0, limit));
    else if (v !== null && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v as Record<string, unknown>).slice(0, limit)) {
        out.push(k);
        stack.push(inner);
      }
    }
  }
  return out;
}

function header(http: HttpInfo, name: string): string {
  const headers = http.headers;
  if (headers === undefined) return '';
  return headers[name] ?? headers[name.toLowerCase()] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
}

/** Parameter values found in a request body excerpt, best effort; each with whether `+` means space. */
function bodyValues(http: HttpInfo, limit: number): Array<{ value: string; form: boolean }> {
  const body = http.body;
  if (body === undefined || body.length === 0) return [];
  const type = header(http, 'content-type').toLowerCase();
  const trimmed = body.trimStart();
  if (type.includes('json') || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const strings = jsonStrings(trimmed, limit);
    if (strings !== null) return strings.map((value) => ({ value, form: false }));
  }
  if (type.includes('x-www-form-urlencoded') || (type === '' && body.indexOf('=') > 0 && body.indexOf(' ') < 0)) {
    return splitQuery(body, limit).map((value) => ({ value, form: true }));
  }
  return [{ value: body, form: false }];
}

/**
 * Classify a request: the path (traversal / inclusion), every query value,
 * and the values of a form or JSON body excerpt. Returns the strongest finding.
 */
export function classifyHttp(http: HttpInfo, options: WebClassifierOptions = {}): WebVerdict {
  const limit = options.maxParams ?? 256;
  let path = http.path ?? '';
  let query = http.query ?? '';
  const q = path.indexOf('?');
  if (q >= 0) {
    query = query.length > 0 ? `${path.slice(q + 1)}&${query}` : path.slice(q + 1);
    path = path.slice(0, q);
  }
  if (query.startsWith('?')) query = query.slice(1);
  let best: WebVerdict = path.length > 0 ? classifyPath(path, options) : BENIGN;
  if (query.length > 0) {
    for (const value of splitQuery(query, limit)) {
      best = stronger(best, classifyValue(value, options));
      if (best.confidence >= 0.95) return best;
    }
  }
  for (const { value, form } of bodyValues(http, limit)) {
    best = stronger(best, classifyValue(value, { ...options, plusAsSpace: form }));
    if (best.confidence >= 0.95) return best;
  }
  return best;
}

