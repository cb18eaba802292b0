import { tokenizeSql, type SqlToken } from './sql-tokenizer.js';
import { finding, type WebFinding } from './types.js';

/**
 * SQL injection: the value is tokenised in each context it may be pasted
 * into — as is (numeric context), and after a single or a double quote
 * (string context: the text up to the first matching quote closes the
 * application's string) — and rules look at the token shapes that follow.
 * A lone apostrophe (O'Brien) gives `s n`, which no rule accepts.
 */

/** Functions whose only everyday use is in attacks (time delays, error-based extraction, OS access). */
const ATTACK_FUNCTIONS = new Map<string, string>([
  ['sleep', 'sqli.time-based'],
  ['pg_sleep', 'sqli.time-based'],
  ['benchmark', 'sqli.time-based'],
  ['receive_message', 'sqli.time-based'],
  ['randomblob', 'sqli.time-based'],
  ['generate_series', 'sqli.time-based'],
  ['regexp_substring', 'sqli.time-based'],
  ['get_host_address', 'sqli.out-of-band'],
  ['get_host_name', 'sqli.out-of-band'],
  ['request', 'sqli.out-of-band'],
  ['extractvalue', 'sqli.error-based'],
  ['updatexml', 'sqli.error-based'],
  ['make_set', 'sqli.error-based'],
  ['elt', 'sqli.error-based'],
  ['name_const', 'sqli.error-based'],
  ['gtid_subset', 'sqli.error-based'],
  ['exp', 'sqli.error-based'],
  ['load_file', 'sqli.file-access'],
  ['xp_cmdshell', 'sqli.os-command'],
  ['sys_eval', 'sqli.os-command'],
  ['sys_exec', 'sqli.os-command'],
  ['xp_dirtree', 'sqli.out-of-band'],
  ['group_concat', 'sqli.data-extraction'],
  ['analyse', 'sqli.error-based'],
]);

/** Functions that need `package.` qualification to be unambiguous (`user_lock.sleep`). */
const QUALIFIED_ONLY = new Set(['request', 'exp', 'elt']);

/** Catalogue tables and server variables: reading them is reconnaissance. */
const CATALOG_PREFIXES = [
  'information_schema', 'sysobjects', 'syscolumns', 'sysusers', 'sysdatabases', 'all_users', 'all_tables',
  'all_tab_columns', 'user_tables', 'mysql.user', 'mysql.db', 'pg_catalog', 'pg_shadow', 'pg_user', 'sqlite_master',
  'msysobjects', 'msysaccessobjects', 'sysibm.', 'rdb$', 'master..', 'sys.', 'domain.', 'dba_users', 'v$version',
];

const SERVER_VARIABLES = new Set(['@@version', '@@datadir', '@@hostname', '@@basedir', '@@servername', '@@user']);

/** Common SQL functions: not alarming alone, but telling after a string break or a logic operator. */
const SQL_FUNCTIONS = new Set([
  'select', 'iif', 'if', 'char', 'chr', 'nchar', 'concat', 'concat_ws', 'cast', 'convert', 'count', 'substring',
  'substr', 'mid', 'ascii', 'ord', 'length', 'len', 'hex', 'unhex', 'md5', 'sha1', 'rand', 'floor', 'version',
  'database', 'user', 'current_user', 'system_user', 'session_user', 'schema', 'db_name', 'user_name', 'now',
  'isnull', 'ifnull', 'nullif', 'coalesce', 'row', 'exists', 'upper', 'lower', 'left', 'right', 'repeat',
  'replace', 'reverse', 'instr', 'locate', 'position', 'cot', 'abs', 'char_length', 'like', 'case',
]);

const CONDITIONAL_FUNCTIONS = new Set(['elt', 'iif', 'if', 'make_set', 'field', 'choose']);

/** Values a bare `select` can return without a table. */
const NILADIC = new Set(['current_user', 'session_user', 'system_user', 'user', 'current_date', 'current_timestamp', 'current_role', 'localtime']);

const STATEMENT_AFTER_SEMICOLON = new Set([
  'grant', 'revoke', 'backup', 'copy',
  'select', 'insert', 'update', 'delete', 'drop', 'create', 'alter', 'truncate', 'exec', 'execute', 'declare',
  'waitfor', 'shutdown', 'begin', 'call', 'set',
]);

const CLAUSE_KEYWORDS = new Set(['order', 'group', 'having', 'where', 'limit', 'procedure', 'into', 'as', 'from', 'select']);

type Ctx = 'none' | "'" | '"';

interface Hit {
  rule: string;
  confidence: number;
  start: number;
  end: number;
}

function baseName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? name : name.slice(dot + 1);
}

function isOperand(t: SqlToken | undefined): boolean {
  return t !== undefined && (t.type === '1' || t.type === 's' || t.type === 'n' || t.type === 'v' || t.type === 'f' || (t.type === 'k' && (t.text === 'null' || t.text === 'true' || t.text === 'false')));
}

function isSqlIndicator(t: SqlToken): boolean {
  return t.type === '1' || t.type === '=' || t.type === 'c' || t.type === 'f' || t.type === ';' || t.type === ',' || t.type === 'v' || t.type === 'U';
}

/** Operand at `i`, skipping `(`; returns the index after it, or -1. Handles `f(…)` by skipping to the matching paren. */
function operandEnd(tokens: SqlToken[], i: number): number {
  while (tokens[i]?.type === '(') i++;
  const t = tokens[i];
  if (!isOperand(t)) return -1;
  if (t?.type === 'f' && tokens[i + 1]?.type === '(') return skipParens(tokens, i + 1);
  return i + 1;
}

/** Index after the `)` matching the `(` at `open` (or the end). */
function skipParens(tokens: SqlToken[], open: number): number {
  let depth = 0;
  for (let j = open; j < tokens.length; j++) {
    const type = tokens[j]?.type;
    if (type === '(') depth++;
    else if (type === ')') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return tokens.length;
}

function isSqlFunction(t: SqlToken | undefined): boolean {
  if (t === undefined || t.type !== 'f') return false;
  const base = baseName(t.text);
  return SQL_FUNCTIONS.has(base) || ATTACK_FUNCTIONS.has(base) || base !== t.text;
}

/**
 * `operand cmp operand` starting at `i`. Strong when both sides are literals
 * of one kind (1=1, 'a'='a') or the right side is a sub-query or SQL function.
 */
function comparisonAt(tokens: SqlToken[], i: number, strict: boolean): number {
  const leftEnd = operandEnd(tokens, i);
  if (leftEnd < 0) return -1;
  let j = leftEnd;
  while (tokens[j]?.type === ')') j++;
  if (tokens[j]?.type !== '=') return -1;
  const left = tokens[leftEnd - 1]?.type === ')' ? ({ type: 'f', text: '', start: 0, end: 0 } as SqlToken) : (tokens[leftEnd - 1] as SqlToken);
  let k = j + 1;
  if (tokens[k]?.type === 'o' && tokens[k]?.text === '-') k++;
  let sawParen = false;
  while (tokens[k]?.type === '(') {
    sawParen = true;
    k++;
  }
  const right = tokens[k];
  if (right === undefined) return strict ? -1 : k;
  if (right.type === 'k' && right.text === 'select') return k + 1;
  if (isSqlFunction(right)) return k + 1;
  if (sawParen && right.type !== 'n') return k + 1;
  if (left.type === right.type && (left.type === '1' || left.type === 's')) return k + 1;
  if (left.type === right.type && left.type === 'n' && left.text === right.text) return k + 1;
  if (!strict && isOperand(right)) return k + 1;
  return -1;
}

function scanAnywhere(tokens: SqlToken[], ctx: Ctx): Hit | null {
  let best: Hit | null = null;
  const take = (hit: Hit): void => {
    if (best === null || hit.confidence > best.confidence) best = hit;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as SqlToken;
    const next = tokens[i + 1];
    switch (t.type) {
      case 'U': {
        let j = i + 1;
        while (tokens[j]?.type === 'k' && (tokens[j]?.text === 'all' || tokens[j]?.text === 'distinct')) j++;
        while (tokens[j]?.type === '(') j++;
        const sel = tokens[j];
        if (sel !== undefined && (sel.text === 'select' || ((sel.type === 'f' || sel.type === 'n') && sel.text.startsWith('select')))) {
          take({ rule: 'sqli.union-select', confidence: 0.95, start: t.start, end: sel.end });
        }
        break;
      }
      case 'f':
      case 'n': {
        const base = baseName(t.text);
        const rule = ATTACK_FUNCTIONS.get(base);
        const qualified = base !== t.text;
        if (rule !== undefined && (t.type === 'f' || base === 'xp_cmdshell' || qualified) && (!QUALIFIED_ONLY.has(base) || qualified)) {
          take({ rule, confidence: 0.95, start: t.start, end: Math.min(t.end + 40, tokens[tokens.length - 1]?.end ?? t.end) });
        }
        if (t.type === 'f' && CONDITIONAL_FUNCTIONS.has(t.text) && next?.type === '(') {
          // elt(1=1,…), iif(3=4,1,1/0): sqlmap's boolean probes.
          const a = tokens[i + 2];
          const b = tokens[i + 4];
          if ((a?.type === '1' || a?.type === 's') && tokens[i + 3]?.type === '=' && b?.type === a.type && tokens[i + 5]?.type === ',') {
            take({ rule: 'sqli.boolean-function', confidence: 0.85, start: t.start, end: b.end });
          }
        }
        if (t.type === 'n' && i > 0) {
          const prev = tokens[i - 1] as SqlToken;
          if ((prev.text === 'from' || prev.text === 'join' || prev.type === ',') && CATALOG_PREFIXES.some((p) => t.text.startsWith(p))) {
            take({ rule: 'sqli.catalog-access', confidence: 0.9, start: prev.start, end: t.end });
          }
        }
        break;
      }
      case 'v':
        if (SERVER_VARIABLES.has(t.text)) take({ rule: 'sqli.server-variable', confidence: 0.85, start: t.start, end: t.end });
        break;
      case 'k':
        if (t.text === 'waitfor' && next?.text === 'delay') {
          take({ rule: 'sqli.time-based', confidence: 0.95, start: t.start, end: next.end });
        } else if ((t.text === 'order' || t.text === 'group') && next?.text === 'by' && tokens[i + 2]?.type === '1') {
          const after = tokens[i + 3];
          if (after === undefined || after.type === ',' || after.type === 'c' || after.type === ')' || after.type === ';') {
            take({ rule: 'sqli.order-by-probe', confidence: 0.85, start: t.start, end: (tokens[i + 2] as SqlToken).end });
          }
        } else if (t.text === 'select' && isSelectProjection(tokens, i + 1)) {
          take({ rule: 'sqli.select-statement', confidence: 0.85, start: t.start, end: next?.end ?? t.end });
        } else if (t.text === 'where' || t.text === 'having' || t.text === 'when') {
          if (comparisonAt(tokens, i + 1, true) > 0) take({ rule: 'sqli.tautology', confidence: 0.9, start: t.start, end: (tokens[i + 3] ?? t).end });
        } else if ((t.text === 'exec' || t.text === 'execute') && ((next?.type === '(' && (tokens[i + 2]?.type === 'v' || tokens[i + 2]?.type === 's')) || (next?.type === 'n' && (next.text.startsWith('xp_') || next.text.startsWith('sp_') || next.text.startsWith('master.'))))) {
          take({ rule: 'sqli.exec', confidence: 0.9, start: t.start, end: next.end });
        } else if (t.text === 'in' && next?.type === '(' && (tokens[i + 2]?.type === '(' || tokens[i + 2]?.text === 'select') && (tokens[i + 2]?.text === 'select' || isSqlFunction(tokens[i + 3]))) {
          take({ rule: 'sqli.subquery', confidence: 0.85, start: t.start, end: next.end });
        } else if (isStatementAt(tokens, i) && (i === 0 || tokens[i - 1]?.type === ';' || (ctx !== 'none' && i === 1))) {
          take({ rule: 'sqli.statement', confidence: 0.85, start: t.start, end: next?.end ?? t.end });
        }
        break;
      case '&': {
        // A value that starts with `or`/`and` continues the application's condition.
        const leading = i === 0 || (ctx !== 'none' && i === 1);
        if (comparisonAt(tokens, i + 1, !leading) > 0) {
          take({ rule: 'sqli.tautology', confidence: 0.9, start: t.start, end: (tokens[i + 3] ?? t).end });
        } else if (leading && (next?.type === '1' || (next?.type === 'k' && (next.text === 'true' || next.text === 'null'))) && (tokens[i + 2] === undefined || tokens[i + 2]?.type === 'c')) {
          take({ rule: 'sqli.tautology', confidence: 0.85, start: t.start, end: (tokens[i + 2] ?? next).end });
        } else if (isSqlFunction(next) && tokens[i + 2]?.type === '(' && (i > 0 || ctx !== 'none' || leading)) {
          take({ rule: 'sqli.boolean-function', confidence: 0.85, start: t.start, end: next?.end ?? t.end });
        }
        break;
      }
      case '=':
      case '(': {
        // `= (select …)`, `in ((char(…)`, `(8266=8266)`
        let j = i + 1;
        let parens = t.type === '(' ? 1 : 0;
        while (tokens[j]?.type === '(') {
          j++;
          parens++;
        }
        const n = tokens[j];
        if (n?.text === 'select' && parens > 0 && isSelectProjection(tokens, j + 1)) {
          take({ rule: 'sqli.subquery', confidence: 0.9, start: t.start, end: n.end });
        } else if (t.type === '(' && n !== undefined && (n.type === '1' || n.type === 's') && tokens[j + 1]?.type === '=' && tokens[j + 2]?.type === n.type && tokens[j + 2]?.text === n.text) {
          take({ rule: 'sqli.tautology', confidence: 0.85, start: t.start, end: (tokens[j + 2] as SqlToken).end });
        }
        break;
      }
      case ';':
        if (next !== undefined) {
          if ((next.type === 'k' && STATEMENT_AFTER_SEMICOLON.has(next.text) && isStatementAt(tokens, i + 1)) || (next.type === 'f' && SQL_FUNCTIONS.has(next.text))) {
            take({ rule: 'sqli.stacked-query', confidence: 0.9, start: t.start, end: next.end });
          }
        }
        break;
      default:
        break;
    }
  }
  return best;
}

function isSelectProjection(tokens: SqlToken[], i: number): boolean {
  const t = tokens[i];
  if (t === undefined) return false;
  if (t.type === '1' || t.type === 'v' || t.type === 'f' || t.type === 's') return true;
  if (t.type === 'o' && t.text === '*') return true;
  if (t.type === '(' && tokens[i + 1]?.text === 'select') return true;
  if (t.type === 'k' && (t.text === 'null' || t.text === 'distinct' || t.text === 'top' || t.text === 'case' || t.text === 'all')) return true;
  if (t.type === 'n') {
    const after = tokens[i + 1];
    if (NILADIC.has(t.text) && (after === undefined || after.type === ';' || after.type === 'c' || after.type === ',' || after.type === ')')) return true;
    if (after?.type === ',') return isOperand(tokens[i + 2]);
    if (after?.text === 'from' && tokens[i + 2]?.type === 'n') {
      const tail = tokens[i + 3];
      return tail === undefined || tail.type === 'c' || tail.type === ';' || tail.type === ')' || tail.type === 'U' || (tail.type === 'k' && CLAUSE_KEYWORDS.has(tail.text));
    }
  }
  return false;
}

/** Statement keyword at `i` followed by the syntax that makes it a statement. */
function isStatementAt(tokens: SqlToken[], i: number): boolean {
  const t = tokens[i];
  const a = tokens[i + 1];
  const b = tokens[i + 2];
  if (t === undefined) return false;
  switch (t.text) {
    case 'select':
      return isSelectProjection(tokens, i + 1);
    case 'insert':
      return a?.text === 'into';
    case 'delete':
      return a?.text === 'from' && b?.type === 'n';
    case 'update':
      return a?.type === 'n' && b?.text === 'set';
    case 'drop':
    case 'create':
    case 'alter':
    case 'truncate':
      return a?.type === 'k' && (a.text === 'table' || a.text === 'database' || a.text === 'procedure') || a?.text === 'user' || a?.text === 'view' || a?.text === 'function';
    case 'exec':
    case 'execute':
      return a !== undefined && (a.type === 'n' || a.type === 'f' || a.type === '(' || a.type === 'v');
    case 'declare':
      return a?.type === 'v';
    case 'waitfor':
      return a?.text === 'delay' || a?.text === 'time';
    case 'shutdown':
      return a === undefined || a.type === 'c' || a.type === ';' || a.text === 'with';
    case 'begin':
      return a?.type === 'f' || a?.type === 'n' || (a?.type === 'k' && STATEMENT_AFTER_SEMICOLON.has(a.text));
    case 'call':
      return a?.type === 'f' || a?.type === 'n';
    case 'grant':
    case 'revoke':
      return (a?.type === 'n' || a?.type === 'k' || a?.type === 'f') && tokens.slice(i + 2, i + 8).some((x) => x.text === 'to' || x.text === 'on' || x.text === 'from');
    case 'backup':
      return a?.text === 'database' || a?.text === 'log';
    case 'copy':
      return a?.type === 'n' && (b?.text === 'from' || b?.text === 'to') && (tokens[i + 3]?.type === 's' || tokens[i + 3]?.text === 'program');
    case 'set':
      return a?.type === 'v';
    default:
      return false;
  }
}

/** Rules that only make sense right after a string break (quote contexts). */
function scanAfterBreak(tokens: SqlToken[]): Hit | null {
  // tokens[0] is the string the application opened and the value closed.
  let i = 1;
  while (tokens[i]?.type === ')') i++;
  const t = tokens[i];
  if (t === undefined) return null;
  const rest = tokens.slice(i + 1);
  switch (t.type) {
    case 'c':
      return { rule: 'sqli.comment-truncation', confidence: 0.85, start: tokens[0]?.end ?? t.start, end: t.end };
    case ';':
      // `'; --`, `'; desc users; --`: the break ends the statement and a comment swallows the rest.
      if (rest.length === 0 || rest[0]?.type === 'c' || (rest.length <= 12 && rest[rest.length - 1]?.type === 'c' && (rest[0]?.type === 'k' || rest[0]?.type === 'n'))) {
        return { rule: 'sqli.comment-truncation', confidence: 0.85, start: t.start, end: (rest[0] ?? t).end };
      }
      return null;
    case '&': {
      const end = operandEnd(tokens, i + 1);
      if (end < 0) return null;
      const after = tokens[end];
      if (after === undefined || after.type === '=' || after.type === 'c' || after.type === '&' || after.type === ')' || after.type === ';' || after.type === 'o' || (after.type === 'k' && CLAUSE_KEYWORDS.has(after.text)) || after.text === 'in' || after.text === 'between' || (tokens[end - 1]?.type === 'f')) {
        // `' or x` followed by a closing string (`' or 'a'='a`) or the end.
        const operand = tokens[end - 1] as SqlToken;
        if (after === undefined && operand.type === 'n') return null;
        if (after === undefined && operand.type === 's' && !operand.open) return null;
        return { rule: 'sqli.tautology', confidence: 0.9, start: t.start, end: (after ?? operand).end };
      }
      return null;
    }
    case 'o':
    case '=': {
      const n = tokens[i + 1];
      if (n !== undefined && (n.type === '(' || (n.type === 'f' && SQL_FUNCTIONS.has(baseName(n.text))) || n.text === 'select')) {
        return { rule: 'sqli.expression-injection', confidence: 0.85, start: t.start, end: n.end };
      }
      return null;
    }
    case 'k':
    case 'U':
      if (CLAUSE_KEYWORDS.has(t.text) && rest.some(isSqlIndicator)) {
        return { rule: 'sqli.quote-break', confidence: 0.85, start: t.start, end: (rest[0] ?? t).end };
      }
      if (isStatementAt(tokens, i) && t.text !== 'select') {
        return { rule: 'sqli.statement', confidence: 0.9, start: t.start, end: (rest[0] ?? t).end };
      }
      return null;
    default:
      return null;
  }
}

/** Rules for a numeric context: `1) or …`, `1)) as x where …`. */
function scanNumericBreak(tokens: SqlToken[]): Hit | null {
  let i = 0;
  if (tokens[i]?.type === 'o' && tokens[i]?.text === '-') i++;
  const first = tokens[i];
  if (first === undefined || (first.type !== '1' && first.type !== 'n')) return null;
  i++;
  let parens = 0;
  while (tokens[i]?.type === ')') {
    i++;
    parens++;
  }
  const t = tokens[i];
  if (t === undefined || parens === 0) return null;
  const rest = tokens.slice(i + 1);
  if ((t.type === 'k' && CLAUSE_KEYWORDS.has(t.text)) || t.type === '&' || t.type === 'c' || t.type === ';') {
    if (t.type === 'c' || rest.some(isSqlIndicator)) {
      return { rule: 'sqli.paren-break', confidence: 0.85, start: first.start, end: (rest[0] ?? t).end };
    }
  }
  return null;
}

function contextStart(value: string, ctx: Ctx): number {
  if (ctx === 'none') return 0;
  return value.indexOf(ctx);
}

/**
 * A value made only of quotes and SQL punctuation (`'`, `')`, `"--`, `'&'`) is
 * a probe for a syntax error; weak evidence on its own, hence the low score.
 */
function quoteProbe(value: string): Hit | null {
  const s = value.trim();
  if (s.length === 0 || s.length > 12) return null;
  let quotes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "'" || c === '"' || c === '`') quotes++;
    else if (!'()-;,&|*^=#%/\\ '.includes(c)) return null;
  }
  return quotes > 0 ? { rule: 'sqli.quote-probe', confidence: 0.5, start: 0, end: s.length } : null;
}

/** Classify a normalised value. */
export function detectSqli(value: string): WebFinding | null {
  let best: Hit | null = quoteProbe(value);
  for (const ctx of ['none', "'", '"'] as const) {
    const quoteAt = contextStart(value, ctx);
    if (quoteAt < 0) continue;
    let tokens: SqlToken[];
    if (ctx === 'none') {
      tokens = tokenizeSql(value);
    } else {
      tokens = tokenizeSql(value, quoteAt + 1);
      tokens.unshift({ type: 's', text: value.slice(0, quoteAt), start: 0, end: quoteAt + 1 });
    }
    if (tokens.length < 2) continue;
    const hits = [scanAnywhere(tokens, ctx), ctx === 'none' ? scanNumericBreak(tokens) : scanAfterBreak(tokens)];
    for (const hit of hits) {
      if (hit !== null && (best === null || hit.confidence > best.confidence)) best = hit;
    }
    if (best !== null && best.confidence >= 0.95) break;
  }
  if (best === null) return null;
  return finding('sqli', best.rule, best.confidence, value, best.start, best.end);
}
