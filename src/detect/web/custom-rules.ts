import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { isThreatLevel, type ThreatLevel } from '../../core/threat-level.js';
import { normalize } from './normalize.js';
import { WEB_ATTACK_CLASSES, WEB_ATTACK_SEVERITY, evidenceOf, type WebAttackClass } from './types.js';

/** Classes a command-line rule may report besides the web classes. */
export type CommandIndicatorClass = 'process_indicator' | 'persistence';
export type CustomRuleClass = WebAttackClass | CommandIndicatorClass;
export type CustomRuleField = 'value' | 'path' | 'command';

/** A rule as written in the rules file. */
export interface CustomRuleSpec {
  id: string;
  class: CustomRuleClass;
  field?: CustomRuleField;
  /** Every string must appear (case-insensitive, after normalisation). */
  contains?: string[];
  /** A regular expression (case-insensitive), checked for catastrophic backtracking at load time. */
  pattern?: string;
  confidence?: number;
  severity?: ThreatLevel;
}

/** A validated, ready-to-run rule. */
export interface CustomRule {
  id: string;
  class: CustomRuleClass;
  field: CustomRuleField;
  contains: string[];
  pattern: RegExp | null;
  confidence: number;
  severity: ThreatLevel;
}

export interface CustomRuleMatch {
  rule: CustomRule;
  evidence: string;
}

/** Raised for a rules file that cannot be used; the message names the file and rule. */
export class CustomRuleError extends Error {
  readonly code = 'VIGIL_E_CUSTOM_RULE';
  constructor(message: string) {
    super(message);
    this.name = 'CustomRuleError';
  }
}

const COMMAND_CLASSES: readonly string[] = ['process_indicator', 'persistence'];

/**
 * Why `pattern` may backtrack catastrophically, or null. Rejects a quantified
 * group that itself contains a quantifier (`(a+)+`, `(a*b?)*`), a quantified
 * group with alternatives (`(a|a)*`, `(a|ab)+`), and back-references. Sound
 * enough for rule files: legitimate detection patterns rarely need these.
 */
export function unsafePatternReason(pattern: string): string | null {
  interface Group {
    hasQuantifier: boolean;
    hasAlternation: boolean;
    start: number;
  }
  const stack: Group[] = [{ hasQuantifier: false, hasAlternation: false, start: 0 }];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n !== undefined && n >= '1' && n <= '9') return 'back-references are not allowed';
      if (n === 'k' && pattern[i + 2] === '<') return 'back-references are not allowed';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      continue;
    }
    const top = stack[stack.length - 1] as Group;
    if (c === '(') {
      stack.push({ hasQuantifier: false, hasAlternation: false, start: i + 1 });
      continue;
    }
    if (c === '|') {
      top.hasAlternation = true;
      continue;
    }
    const quantified = (at: number): boolean => {
      const q = pattern[at];
      if (q === '*' || q === '+') return true;
      if (q === '{') {
        const close = pattern.indexOf('}', at);
        if (close < 0) return false;
        const body = pattern.slice(at + 1, close);
        const comma = body.indexOf(',');
        if (comma < 0) return Number(body) > 1;
        const max = body.slice(comma + 1);
        return max === '' || Number(max) > 1;
      }
      return false;
    };
    if (c === ')') {
      const group = stack.pop();
      if (group === undefined || stack.length === 0) return 'unbalanced parentheses';
      const outer = stack[stack.length - 1] as Group;
      if (quantified(i + 1)) {
        if (group.hasQuantifier) return 'nested quantifier (a quantified group contains a quantifier, e.g. (a+)+)';
        if (group.hasAlternation && alternativesOverlap(pattern.slice(group.start, i))) {
          return 'quantified alternation whose alternatives can match the same text (e.g. (a|a)*, (a|ab)+)';
        }
        outer.hasQuantifier = true;
      }
      if (group.hasQuantifier) outer.hasQuantifier = true;
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || c === '{') {
      if (c !== '?' || pattern[i - 1] !== '(') top.hasQuantifier = top.hasQuantifier || c !== '?';
    }
  }
  if (stack.length !== 1) return 'unbalanced parentheses';
  return null;
}

/**
 * Conservative: alternatives are disjoint only when each starts with a plain
 * literal character (or escaped literal) and no two start with the same one.
 */
function alternativesOverlap(body: string): boolean {
  let b = body;
  if (b.startsWith('?:')) b = b.slice(2);
  else if (b.startsWith('?<') && !b.startsWith('?<=') && !b.startsWith('?<!')) b = b.slice(b.indexOf('>') + 1);
  const alternatives: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      alternatives.push(b.slice(from, i));
      from = i + 1;
    }
  }
  alternatives.push(b.slice(from));
  const firsts = new Set<string>();
  for (const alt of alternatives) {
    if (alt.length === 0) return true;
    let first = alt[0] as string;
    if (first === '\\') {
      const n = alt[1] ?? '';
      if (/* escaped class */ 'dDwWsSbB'.includes(n)) return true;
      first = n;
    } else if ('.[(^$'.includes(first)) {
      return true;
    }
    const key = first.toLowerCase();
    if (firsts.has(key)) return true;
    firsts.add(key);
  }
  return false;
}

function fail(source: string, where: string, message: string): never {
  throw new CustomRuleError(`${source}: ${where}: ${message}`);
}

/** Validate parsed rule specs (the content of a rules file). */
export function compileCustomRules(input: unknown, source = 'custom rules'): CustomRule[] {
  const list = Array.isArray(input) ? input : (input as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) fail(source, 'top level', 'expected a list of rules or an object with a `rules` list');
  const seen = new Set<string>();
  return list.map((raw: unknown, index: number): CustomRule => {
    if (raw === null || typeof raw !== 'object') fail(source, `rule #${index + 1}`, 'expected an object');
    const spec = raw as Record<string, unknown>;
    const id = spec.id;
    if (typeof id !== 'string' || id.length === 0) fail(source, `rule #${index + 1}`, '`id` must be a non-empty string');
    const where = `rule "${id}"`;
    if (seen.has(id)) fail(source, where, 'duplicate id');
    seen.add(id);
    const field = spec.field ?? 'value';
    if (field !== 'value' && field !== 'path' && field !== 'command') fail(source, where, '`field` must be value, path or command');
    const cls = spec.class;
    const allowed: readonly string[] = field === 'command' ? [...COMMAND_CLASSES, 'cmdi'] : WEB_ATTACK_CLASSES;
    if (typeof cls !== 'string' || !allowed.includes(cls)) fail(source, where, `\`class\` must be one of ${allowed.join(', ')}`);
    let contains: string[] = [];
    if (spec.contains !== undefined) {
      if (!Array.isArray(spec.contains) || spec.contains.length === 0 || !spec.contains.every((c) => typeof c === 'string' && c.length > 0)) {
        fail(source, where, '`contains` must be a non-empty list of non-empty strings');
      }
      contains = (spec.contains as string[]).map((c) => normalize(c, { plusAsSpace: false }));
    }
    let pattern: RegExp | null = null;
    if (spec.pattern !== undefined) {
      if (typeof spec.pattern !== 'string' || spec.pattern.length === 0) fail(source, where, '`pattern` must be a non-empty string');
      if (spec.pattern.length > 1000) fail(source, where, '`pattern` is longer than 1000 characters');
      const reason = unsafePatternReason(spec.pattern);
      if (reason !== null) fail(source, where, `unsafe pattern ${JSON.stringify(spec.pattern)}: ${reason}`);
      try {
        pattern = new RegExp(spec.pattern, 'iu');
      } catch (err) {
        fail(source, where, `invalid pattern: ${(err as Error).message}`);
      }
    }
    if (contains.length === 0 && pattern === null) fail(source, where, 'needs `contains` or `pattern`');
    const defaults = (WEB_ATTACK_SEVERITY as Record<string, { severity: ThreatLevel; confidence: number } | undefined>)[cls] ?? {
      severity: cls === 'persistence' ? 'HIGH' : 'CRITICAL',
      confidence: cls === 'persistence' ? 0.8 : 0.9,
    };
    const confidence = spec.confidence ?? defaults.confidence;
    if (typeof confidence !== 'number' || !(confidence > 0 && confidence <= 1)) fail(source, where, '`confidence` must be a number in (0, 1]');
    const severity = spec.severity ?? defaults.severity;
    if (!isThreatLevel(severity)) fail(source, where, '`severity` must be LOW, MEDIUM, HIGH or CRITICAL');
    return { id, class: cls as CustomRuleClass, field, contains, pattern, confidence, severity };
  });
}

/** Read a JSON or YAML rules file (by extension; YAML otherwise, which also reads JSON). */
export function loadCustomRules(path: string): CustomRule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CustomRuleError(`${path}: cannot read rules file: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new CustomRuleError(`${path}: not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  return compileCustomRules(parsed, path);
}

/** The strongest rule for `field` that matches the normalised `text`. */
export function matchCustomRules(rules: readonly CustomRule[], field: CustomRuleField, text: string): CustomRuleMatch | null {
  let best: CustomRuleMatch | null = null;
  for (const rule of rules) {
    if (rule.field !== field) continue;
    if (best !== null && best.rule.confidence >= rule.confidence) continue;
    let first = -1;
    let ok = true;
    for (const needle of rule.contains) {
      const at = text.indexOf(needle);
      if (at < 0) {
        ok = false;
        break;
      }
      if (first < 0) first = at;
    }
    if (!ok) continue;
    let end = first < 0 ? 0 : first + (rule.contains[0]?.length ?? 0);
    if (rule.pattern !== null) {
      const m = rule.pattern.exec(text);
      if (m === null) continue;
      if (first < 0) first = m.index;
      end = Math.max(end, m.index + m[0].length);
    }
    best = { rule, evidence: evidenceOf(text, Math.max(0, first), end) };
  }
  return best;
}
