import { decodeHTML } from 'entities';

/**
 * Canonicalisation of a parameter value before any matching. Attackers hide
 * payloads behind layers of encoding; every class detector works on the
 * output of `normalize`, so each layer is undone once, here.
 */

export const DEFAULT_MAX_VALUE_LENGTH = 8 * 1024;
const DEFAULT_MAX_ROUNDS = 4;

export interface NormalizeOptions {
  /** Characters kept from the value before anything else (default 8 KiB). */
  maxLength?: number;
  /** Treat `+` as a space (application/x-www-form-urlencoded); default true. */
  plusAsSpace?: boolean;
  /** Bound on decoding rounds (URL / entity / escape layers); default 4. */
  maxRounds?: number;
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

function hexAt(s: string, at: number, digits: number): number {
  if (at + digits > s.length) return -1;
  let value = 0;
  for (let i = 0; i < digits; i++) {
    const h = hexValue(s.charCodeAt(at + i));
    if (h < 0) return -1;
    value = value * 16 + h;
  }
  return value;
}

/**
 * Lenient UTF-8: valid sequences decode as usual, and so do *overlong* ones
 * (`c0 ae` → `.`, `c0 af` → `/`, `c1 9c` → `\`), which old IIS/Tomcat
 * decoders accepted and which traversal payloads rely on. Bytes that start
 * no sequence are kept as Latin-1 characters so nothing disappears.
 */
function decodeBytes(bytes: number[], out: string[]): void {
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] as number;
    if (b0 < 0x80) {
      out.push(String.fromCharCode(b0));
      i++;
      continue;
    }
    let need = 0;
    let cp = 0;
    if (b0 >= 0xc0 && b0 < 0xe0) {
      need = 1;
      cp = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 < 0xf0) {
      need = 2;
      cp = b0 & 0x0f;
    } else if (b0 >= 0xf0 && b0 < 0xf8) {
      need = 3;
      cp = b0 & 0x07;
    }
    let ok = need > 0;
    if (ok) {
      for (let k = 1; k <= need; k++) {
        const b = bytes[i + k];
        if (b === undefined || (b & 0xc0) !== 0x80) {
          ok = false;
          break;
        }
        cp = (cp << 6) | (b & 0x3f);
      }
    }
    if (ok && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff)) {
      out.push(String.fromCodePoint(cp));
      i += need + 1;
    } else {
      out.push(String.fromCharCode(b0));
      i++;
    }
  }
}

/** One round of `%XX` / `%uXXXX` decoding. Malformed escapes stay as they are. */
export function percentDecodeOnce(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const out: string[] = [];
  let bytes: number[] = [];
  let plainStart = 0;
  const flushPlain = (end: number): void => {
    if (end > plainStart) {
      if (bytes.length) {
        decodeBytes(bytes, out);
        bytes = [];
      }
      out.push(s.slice(plainStart, end));
    }
  };
  let i = 0;
  while (i < s.length) {
    if (s.charCodeAt(i) !== 37 /* % */) {
      i++;
      continue;
    }
    const byte = hexAt(s, i + 1, 2);
    if (byte >= 0) {
      flushPlain(i);
      bytes.push(byte);
      i += 3;
      plainStart = i;
      continue;
    }
    const next = s.charCodeAt(i + 1) | 0x20;
    if (next === 117 /* u */) {
      const cp = hexAt(s, i + 2, 4);
      if (cp >= 0) {
        flushPlain(i);
        if (bytes.length) {
          decodeBytes(bytes, out);
          bytes = [];
        }
        out.push(String.fromCharCode(cp));
        i += 6;
        plainStart = i;
        continue;
      }
    }
    i++;
  }
  if (bytes.length) decodeBytes(bytes, out);
  out.push(s.slice(plainStart));
  return out.join('');
}

/** `\uXXXX`, `\u{…}` and `\xXX` escapes (JavaScript / JSON / CSS-ish). */
export function decodeBackslashEscapes(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length - 1; i++) {
    if (s.charCodeAt(i) !== 92 /* \ */) continue;
    const kind = s.charCodeAt(i + 1) | 0x20;
    let cp = -1;
    let len = 0;
    if (kind === 117 /* u */) {
      if (s.charCodeAt(i + 2) === 123 /* { */) {
        const close = s.indexOf('}', i + 3);
        if (close > i + 3 && close - i - 3 <= 6) {
          cp = hexAt(s, i + 3, close - i - 3);
          len = close - i + 1;
        }
      } else {
        cp = hexAt(s, i + 2, 4);
        len = 6;
      }
    } else if (kind === 120 /* x */) {
      cp = hexAt(s, i + 2, 2);
      len = 4;
    }
    if (cp >= 0 && cp <= 0x10ffff) {
      out += s.slice(last, i) + String.fromCodePoint(cp);
      last = i + len;
      i += len - 1;
    }
  }
  return last === 0 ? s : out + s.slice(last);
}

/**
 * Characters NFKC leaves alone but that Windows "best fit" mappings and some
 * decoders turn into path separators or dots.
 */
const BEST_FIT: Record<string, string> = {
  '\u2215': '/', // division slash
  '\u2044': '/', // fraction slash
  '\u29f8': '/', // big solidus
  '\u2216': '\\', // set minus
  '\u29f5': '\\', // reverse solidus operator
  '\u29f9': '\\', // big reverse solidus
  '\u2024': '.', // one dot leader
  '\u3002': '.', // ideographic full stop
  '\u02bc': "'", // modifier letter apostrophe
  '\u2032': "'", // prime
  '\u2035': "'", // reversed prime
  '\u2013': '-', // en dash
  '\u2014': '-', // em dash
  '\u2018': "'",
  '\u2019': "'",
  '\u201c': '"',
  '\u201d': '"',
};

function foldUnicode(s: string): string {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return s;
  let folded = s.normalize('NFKC');
  let out = '';
  let last = 0;
  for (let i = 0; i < folded.length; i++) {
    const mapped = BEST_FIT[folded[i] as string];
    if (mapped !== undefined) {
      out += folded.slice(last, i) + mapped;
      last = i + 1;
    }
  }
  if (last > 0) folded = out + folded.slice(last);
  return folded;
}

/**
 * Null bytes go; tabs, vertical tabs, form feeds become spaces; runs of
 * spaces collapse to one. Line breaks are kept: they separate shell commands.
 */
function squeezeControls(s: string): string {
  let out = '';
  let last = 0;
  let prevSpace = false;
  let changed = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const isSpace = c === 32 || c === 9 || c === 11 || c === 12;
    const drop = (c < 32 && c !== 10 && c !== 13 && !isSpace) || c === 127 || (isSpace && prevSpace);
    if (drop || (isSpace && c !== 32)) {
      out += s.slice(last, i) + (drop ? '' : ' ');
      last = i + 1;
      changed = true;
    }
    prevSpace = isSpace;
  }
  return changed ? out + s.slice(last) : s;
}

/**
 * Decode every layer until the value is stable (bounded), then fold case and
 * Unicode look-alikes and squeeze control characters and blank runs.
 */
export function normalize(value: string, options: NormalizeOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_VALUE_LENGTH;
  const maxRounds = options.maxRounds ?? DEFAULT_MAX_ROUNDS;
  let s = value.length > maxLength ? value.slice(0, maxLength) : value;
  if (options.plusAsSpace ?? true) {
    if (s.indexOf('+') >= 0) s = s.split('+').join(' ');
  }
  for (let round = 0; round < maxRounds; round++) {
    const before = s;
    s = percentDecodeOnce(s);
    s = decodeBackslashEscapes(s);
    if (s.indexOf('&') >= 0) s = decodeHTML(s);
    if (s === before) break;
  }
  s = foldUnicode(s);
  s = squeezeControls(s);
  s = s.toLowerCase();
  // Decoding can expand; keep the cap an invariant of the output too.
  return s.length > maxLength ? s.slice(0, maxLength) : s;
}

/**
 * SQL comments (`/* … *\/`, `-- …`, `# …`) replaced by one space and blank
 * runs squeezed: the view used by custom `contains` rules and by evidence.
 */
export function stripSqlComments(s: string): string {
  if (s.indexOf('/*') < 0 && s.indexOf('--') < 0 && s.indexOf('#') < 0) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2);
      i = end < 0 ? s.length : end + 2;
      out += ' ';
      continue;
    }
    if ((c === '-' && s[i + 1] === '-') || c === '#') {
      const end = s.indexOf('\n', i);
      i = end < 0 ? s.length : end + 1;
      out += ' ';
      continue;
    }
    out += c;
    i++;
  }
  return squeezeControls(out).trim();
}
