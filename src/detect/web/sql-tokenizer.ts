/**
 * A small SQL tokenizer in the spirit of libinjection: it does not parse SQL,
 * it classifies the lexemes of a value so that rules can reason about token
 * *shapes* (`s&1=1c`) instead of matching text.
 *
 * Token types:
 *   s string literal   1 number        k keyword      U union
 *   & logic (and/or/xor/&&/||)         = comparison (= <> like regexp …)
 *   o other operator   f function name (identifier followed by `(`)
 *   n name             v @variable     c comment
 *   ( ) , ;            x anything else
 */

export type SqlTokenType = 's' | '1' | 'k' | 'U' | '&' | '=' | 'o' | 'f' | 'n' | 'v' | 'c' | '(' | ')' | ',' | ';' | 'x';

export interface SqlToken {
  type: SqlTokenType;
  /** Lower-cased text (strings without their quotes). */
  text: string;
  start: number;
  end: number;
  /** For strings: the closing quote was missing. */
  open?: boolean;
}

const KEYWORDS = new Set([
  'select', 'from', 'where', 'insert', 'into', 'values', 'update', 'set', 'delete', 'drop', 'create', 'alter',
  'truncate', 'table', 'database', 'exec', 'execute', 'declare', 'waitfor', 'delay', 'having', 'order', 'group',
  'by', 'limit', 'offset', 'procedure', 'analyse', 'analyze', 'as', 'case', 'when', 'then', 'else', 'end', 'null',
  'not', 'all', 'distinct', 'top', 'begin', 'call', 'shutdown', 'in', 'between', 'exists', 'div', 'mod', 'true',
  'false', 'collate', 'outfile', 'dumpfile', 'load', 'union', 'with', 'nowait', 'join', 'on', 'desc', 'asc',
  'grant', 'revoke', 'backup', 'copy', 'to',
]);

const LOGIC_WORDS = new Set(['and', 'or', 'xor']);
const COMPARISON_WORDS = new Set(['like', 'rlike', 'regexp', 'glob', 'is', 'sounds', 'ilike']);

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c > 127;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 36 /* $ */ || c === 46 /* . */;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12 || c === 0xa0;
}

/** Index of the next significant character, skipping blanks and `/* … *\/` comments. */
function skipBlank(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (isBlank(c)) {
      i++;
    } else if (c === 47 && s.charCodeAt(i + 1) === 42 && s.charCodeAt(i + 2) !== 33) {
      const close = s.indexOf('*/', i + 2);
      if (close < 0) return s.length;
      i = close + 2;
    } else {
      return i;
    }
  }
  return i;
}

/** Tokenise `s` (already normalised) from `from`, at most `maxTokens` tokens. */
export function tokenizeSql(s: string, from = 0, maxTokens = 256): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = from;
  while (i < s.length && tokens.length < maxTokens) {
    const c = s.charCodeAt(i);
    if (isBlank(c)) {
      i++;
      continue;
    }
    const start = i;
    // Strings: '…' or "…", doubled quote or backslash escapes.
    if (c === 39 || c === 34) {
      let j = i + 1;
      let closed = false;
      while (j < s.length) {
        const d = s.charCodeAt(j);
        if (d === 92) {
          j += 2;
          continue;
        }
        if (d === c) {
          if (s.charCodeAt(j + 1) === c) {
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        j++;
      }
      const end = Math.min(j, s.length);
      tokens.push({ type: 's', text: s.slice(i + 1, end), start, end: closed ? end + 1 : end, open: !closed });
      i = closed ? end + 1 : end;
      continue;
    }
    if (c === 96 /* ` */) {
      const close = s.indexOf('`', i + 1);
      const end = close < 0 ? s.length : close + 1;
      tokens.push({ type: 'n', text: s.slice(i + 1, close < 0 ? s.length : close), start, end });
      i = end;
      continue;
    }
    // Comments. `/*!…*/` is MySQL executable comment: its content is code.
    if (c === 47 /* / */ && s.charCodeAt(i + 1) === 42) {
      if (s.charCodeAt(i + 2) === 33 /* ! */) {
        i += 3;
        while (i < s.length && isDigit(s.charCodeAt(i))) i++;
        continue;
      }
      const close = s.indexOf('*/', i + 2);
      const end = close < 0 ? s.length : close + 2;
      // `/**/` between tokens is whitespace to SQL; only a trailing or unterminated one truncates the query.
      if (close >= 0 && skipBlank(s, end) < s.length) {
        i = end;
        continue;
      }
      tokens.push({ type: 'c', text: s.slice(i, end), start, end });
      i = end;
      continue;
    }
    if (c === 42 /* * */ && s.charCodeAt(i + 1) === 47) {
      // Stray end of an executable comment.
      i += 2;
      continue;
    }
    if ((c === 45 /* - */ && s.charCodeAt(i + 1) === 45) || c === 35 /* # */) {
      const nl = s.indexOf('\n', i);
      const end = nl < 0 ? s.length : nl;
      tokens.push({ type: 'c', text: s.slice(i, end), start, end });
      i = end;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(i + 1)))) {
      let j = i + 1;
      if (c === 48 && (s.charCodeAt(j) | 0x20) === 120 /* x */) {
        j++;
        while (j < s.length && /* hex */ (isDigit(s.charCodeAt(j)) || ((s.charCodeAt(j) | 0x20) >= 97 && (s.charCodeAt(j) | 0x20) <= 102))) j++;
      } else {
        while (j < s.length && (isDigit(s.charCodeAt(j)) || s.charCodeAt(j) === 46)) j++;
        if ((s.charCodeAt(j) | 0x20) === 101 /* e */ && isDigit(s.charCodeAt(j + 1))) {
          j++;
          while (j < s.length && isDigit(s.charCodeAt(j))) j++;
        }
      }
      // "99997973e", "33273113w": a number glued to letters is a word.
      if (j < s.length && isIdentStart(s.charCodeAt(j))) {
        while (j < s.length && isIdentPart(s.charCodeAt(j))) j++;
        tokens.push({ type: 'n', text: s.slice(i, j), start, end: j });
      } else {
        tokens.push({ type: '1', text: s.slice(i, j), start, end: j });
      }
      i = j;
      continue;
    }
    if (c === 64 /* @ */) {
      let j = i + 1;
      if (s.charCodeAt(j) === 64) j++;
      while (j < s.length && isIdentPart(s.charCodeAt(j))) j++;
      tokens.push({ type: 'v', text: s.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < s.length && isIdentPart(s.charCodeAt(j))) j++;
      const word = s.slice(i, j);
      const next = skipBlank(s, j);
      let type: SqlTokenType;
      if (word === 'union') type = 'U';
      else if (s.charCodeAt(next) === 40 /* ( */ && !LOGIC_WORDS.has(word) && !KEYWORDS.has(word)) type = 'f';
      else if (LOGIC_WORDS.has(word)) type = '&';
      else if (COMPARISON_WORDS.has(word)) type = '=';
      else if (KEYWORDS.has(word)) type = 'k';
      else type = 'n';
      tokens.push({ type, text: word, start, end: j });
      i = j;
      continue;
    }
    if (c === 40 || c === 41 || c === 44 || c === 59) {
      tokens.push({ type: s[i] as SqlTokenType, text: s[i] as string, start, end: i + 1 });
      i++;
      continue;
    }
    if (c === 124 /* | */ || c === 38 /* & */) {
      const doubled = s.charCodeAt(i + 1) === c;
      const len = doubled ? 2 : 1;
      tokens.push({ type: doubled ? '&' : 'o', text: s.slice(i, i + len), start, end: i + len });
      i += len;
      continue;
    }
    if (c === 61 || c === 60 || c === 62 || (c === 33 && s.charCodeAt(i + 1) === 61)) {
      let j = i + 1;
      while (j < s.length && j - i < 3 && (s.charCodeAt(j) === 61 || s.charCodeAt(j) === 62)) j++;
      tokens.push({ type: '=', text: s.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    if (c === 43 || c === 45 || c === 42 || c === 47 || c === 37 || c === 94 || c === 126 || c === 33 || c === 58) {
      tokens.push({ type: 'o', text: s[i] as string, start, end: i + 1 });
      i++;
      continue;
    }
    tokens.push({ type: 'x', text: s[i] as string, start, end: i + 1 });
    i++;
  }
  return tokens;
}
