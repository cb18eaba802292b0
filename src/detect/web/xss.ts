import { finding, type WebFinding } from './types.js';

/**
 * Cross-site scripting: a small HTML tag/attribute tokenizer (as the HTML
 * spec's tokenizer would split `<tag attr=value>`) plus checks for script
 * URLs, CSS expressions, script-context breakouts and template injection.
 * `<b>bold</b>`, `a<b`, `<3` and `email me <john@example.com>` produce tags
 * with nothing executable in them and stay benign.
 */

/** Tags that load or run active content, or change how the page is parsed. */
const DANGEROUS_TAGS = new Set([
  'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'meta', 'base', 'link', 'style', 'svg',
  'math', 'isindex', 'xml', 'import', 'vmlframe', 'bgsound', 'layer', 'ilayer', 'xss', 'noscript', 'noembed',
  'plaintext', 'xmp', 'comment', 'portal', 'animate', 'set', 'handler', 'listener', 'foreignobject',
]);

const SCRIPT_SCHEMES = ['javascript:', 'vbscript:', 'livescript:', 'mocha:', 'data:text/html', 'data:image/svg', 'data:application/x-javascript', 'data:text/javascript'];

/** Calls and properties that only script payloads use in a parameter. */
const SCRIPT_SINKS = [
  'alert(', 'prompt(', 'confirm(', 'eval(', 'document.cookie', 'document.domain', 'document.write', 'document.location',
  'window.location', 'location.href', 'fromcharcode(', '.innerhtml', 'settimeout(', 'setinterval(', 'window.open(',
  'constructor(', 'import(', 'atob(', 'xmlhttprequest', 'activexobject',
];

/** UTF-7 spellings of markup characters (`+ADw-script+AD4-`). */
const UTF7: ReadonlyArray<[string, string]> = [
  ['+adw-', '<'],
  ['+ad4-', '>'],
  ['+aci-', '"'],
  ['+acc-', "'"],
];

interface Attr {
  name: string;
  value: string;
  start: number;
  end: number;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 12 || c === 13;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function compactUrl(value: string): string {
  // Browsers drop ASCII whitespace and control characters inside URL schemes.
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 32) out += value[i];
  }
  return out;
}

function schemeAt(value: string): string | null {
  let compact = compactUrl(value.trim());
  const first = compact.charCodeAt(0);
  if (first === 34 || first === 39 || first === 96) compact = compact.slice(1);
  for (const scheme of SCRIPT_SCHEMES) {
    if (compact.startsWith(scheme)) return scheme;
  }
  return null;
}

interface Tag {
  name: string;
  start: number;
  end: number;
  attrs: Attr[];
}

/** Parse the tag whose `<` is at `lt`; `null` when `<` does not open a tag. */
function parseTag(s: string, lt: number): Tag | null {
  let i = lt + 1;
  if (s.charCodeAt(i) === 47 /* / */) i++;
  if (!isAsciiLetter(s.charCodeAt(i))) return null;
  const nameStart = i;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (isSpace(c) || c === 47 || c === 62 /* > */ || c === 60 /* < */) break;
    i++;
  }
  const name = s.slice(nameStart, i);
  const attrs: Attr[] = [];
  while (i < s.length && attrs.length < 64) {
    const c = s.charCodeAt(i);
    if (isSpace(c) || c === 47) {
      i++;
      continue;
    }
    if (c === 62 || c === 60) break;
    const attrStart = i;
    while (i < s.length) {
      const d = s.charCodeAt(i);
      if (isSpace(d) || d === 47 || d === 62 || (d === 61 && i > attrStart)) break;
      i++;
    }
    const attrName = s.slice(attrStart, i);
    let j = i;
    while (j < s.length && isSpace(s.charCodeAt(j))) j++;
    let value = '';
    if (s.charCodeAt(j) === 61 /* = */) {
      j++;
      while (j < s.length && isSpace(s.charCodeAt(j))) j++;
      const q = s.charCodeAt(j);
      if (q === 34 || q === 39 || q === 96) {
        const close = s.indexOf(s[j] as string, j + 1);
        const end = close < 0 ? s.length : close;
        value = s.slice(j + 1, end);
        j = close < 0 ? s.length : close + 1;
      } else {
        const vStart = j;
        while (j < s.length && !isSpace(s.charCodeAt(j)) && s.charCodeAt(j) !== 62) j++;
        value = s.slice(vStart, j);
      }
      i = j;
      attrs.push({ name: attrName, value, start: attrStart, end: j });
    } else {
      attrs.push({ name: attrName, value: '', start: attrStart, end: i });
      if (i === attrStart) i++;
    }
  }
  return { name, start: lt, end: Math.min(i + 1, s.length), attrs };
}

function isEventHandler(name: string): boolean {
  if (name.length < 5 || !name.startsWith('on')) return false;
  for (let i = 2; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  return true;
}

/** CSS escapes (`\\6a`, `\\-\\m\\o`) decoded and `/* … *\/` comments removed, as a CSS parser reads it. */
export function cssView(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '/' && value[i + 1] === '*') {
      const close = value.indexOf('*/', i + 2);
      i = close < 0 ? value.length : close + 1;
      continue;
    }
    if (c !== '\\') {
      out += c;
      continue;
    }
    let j = i + 1;
    let hex = 0;
    let digits = 0;
    while (j < value.length && digits < 6) {
      const h = parseInt(value[j] as string, 16);
      if (Number.isNaN(h)) break;
      hex = hex * 16 + h;
      digits++;
      j++;
    }
    if (digits > 0) {
      if (value[j] === ' ') j++;
      if (hex > 0 && hex <= 0x10ffff) out += String.fromCodePoint(hex).toLowerCase();
      i = j - 1;
    } else if (j < value.length) {
      out += value[j];
      i = j;
    }
  }
  return out;
}

function hasCssScript(raw: string): boolean {
  const compact = compactUrl(raw.indexOf('\\') >= 0 || raw.indexOf('/*') >= 0 ? cssView(raw) : raw);
  return (
    compact.includes('expression(') ||
    compact.includes('javascript:') ||
    compact.includes('vbscript:') ||
    compact.includes('behavior:url') ||
    compact.includes('-moz-binding') ||
    compact.includes('binding:url(')
  );
}

function checkTags(s: string): WebFinding | null {
  let best: WebFinding | null = null;
  const take = (rule: string, confidence: number, start: number, end: number): void => {
    if (best === null || confidence > best.confidence) best = finding('xss', rule, confidence, s, start, end);
  };
  let lt = s.indexOf('<');
  let tags = 0;
  while (lt >= 0 && tags < 256) {
    if (s.startsWith('<!--', lt)) {
      // Markup inside a comment is inert; what follows `-->` is not.
      const close = s.indexOf('-->', lt + 4);
      if (close < 0) break;
      lt = s.indexOf('<', close + 3);
      continue;
    }
    if (s.startsWith('<?import', lt) || (s.startsWith('<!entity', lt) && (s.includes('system', lt) || s.includes('public', lt)))) {
      take('xss.dangerous-markup', 0.85, lt, lt + 80);
      lt = s.indexOf('<', lt + 1);
      continue;
    }
    const tag = parseTag(s, lt);
    if (tag !== null) {
      tags++;
      const closing = s.charCodeAt(lt + 1) === 47;
      if (tag.name === 'script') take('xss.script-tag', 0.95, tag.start, tag.end);
      for (const attr of tag.attrs) {
        if (closing) break;
        if (isEventHandler(attr.name) && attr.end > attr.start + attr.name.length) {
          take('xss.event-handler', 0.9, attr.start, attr.end);
        } else if (schemeAt(attr.value) !== null) {
          take('xss.script-url', 0.9, attr.start, attr.end);
        } else if ((attr.name === 'style' || tag.name === 'style') && hasCssScript(attr.value)) {
          take('xss.css-expression', 0.85, attr.start, attr.end);
        } else if ((attr.name === 'http-equiv' && attr.value.includes('refresh')) || attr.name.startsWith('xmlns:') || attr.name.startsWith('ev:') || (attr.name === 'xmlns' && tag.name !== 'html')) {
          take('xss.dangerous-markup', 0.85, tag.start, tag.end);
        }
      }
      if (!closing && DANGEROUS_TAGS.has(tag.name)) take('xss.dangerous-tag', 0.85, tag.start, tag.end);
      if (tag.name === 'style' || tag.name.startsWith('style')) {
        const close = s.indexOf('</style', tag.end);
        const css = s.slice(tag.end, close < 0 ? s.length : close);
        if (hasCssScript(css)) take('xss.css-expression', 0.9, tag.start, close < 0 ? s.length : close);
      }
      if (best !== null && (best as WebFinding).confidence >= 0.95) return best;
      lt = s.indexOf('<', Math.max(lt + 1, tag.end - 1));
    } else {
      lt = s.indexOf('<', lt + 1);
    }
  }
  return best;
}

/** `javascript:` & co. used as a URL: at the start of the value or after `=`, a quote or `(`. */
function checkScriptUrls(s: string): WebFinding | null {
  for (const scheme of SCRIPT_SCHEMES) {
    const compact = s.indexOf(scheme) >= 0 ? s : compactUrl(s);
    let at = compact.indexOf(scheme);
    while (at >= 0) {
      let p = at - 1;
      while (p >= 0 && compact.charCodeAt(p) === 32) p--;
      const before = p < 0 ? '' : compact[p];
      const tail = compact.slice(at + scheme.length, at + scheme.length + 200);
      const codeLike = tail.includes('(') || tail.includes('=') || tail.includes('`') || tail.includes('/') || scheme.startsWith('data:');
      if ((before === '' && codeLike) || before === '=' || before === '"' || before === "'" || before === '(' || before === '`' || before === '>' || (before === ':' && codeLike)) {
        return finding('xss', 'xss.script-url', 0.85, compact, at, at + scheme.length + 40);
      }
      at = compact.indexOf(scheme, at + 1);
    }
  }
  return null;
}

function checkSinks(s: string): WebFinding | null {
  for (const sink of SCRIPT_SINKS) {
    let at = s.indexOf(sink);
    while (at >= 0) {
      // A call needs a name boundary before it (`alert(`, not `realert(`).
      const prev = at > 0 ? s.charCodeAt(at - 1) : 32;
      const boundary = sink.includes('.') || !((prev >= 97 && prev <= 122) || (prev >= 48 && prev <= 57) || prev === 95);
      if (boundary) return finding('xss', 'xss.script-injection', 0.8, s, at, at + sink.length + 40);
      at = s.indexOf(sink, at + 1);
    }
  }
  // Dialog and eval functions passed around as values (`a=alert;a(1)`, `[1].find(alert)`) or tag-called (alert`1`).
  for (const name of SCRIPT_FUNCTIONS) {
    let at = s.indexOf(name);
    while (at >= 0) {
      const before = at > 0 ? s[at - 1] : '';
      const after = s[at + name.length];
      const prev = before === '' ? 32 : (before as string).charCodeAt(0);
      const wordBefore = (prev >= 97 && prev <= 122) || (prev >= 48 && prev <= 57) || prev === 95 || prev === 46;
      if (!wordBefore) {
        if (after === '`' || (after === '(' && before !== ' ')) return finding('xss', 'xss.script-injection', 0.8, s, at, at + name.length + 40);
        if ((before === '=' || before === '(' || before === ',') && (after === undefined || after === ';' || after === ')' || after === ',' || after === ' ')) {
          return finding('xss', 'xss.script-injection', 0.8, s, Math.max(0, at - 20), at + name.length + 20);
        }
      }
      at = s.indexOf(name, at + 1);
    }
  }
  return null;
}

const SCRIPT_FUNCTIONS = ['alert', 'prompt', 'confirm', 'eval', 'settimeout', 'setinterval'];

function checkCssExpression(s: string): WebFinding | null {
  for (const marker of ['-moz-binding', 'behavior:url(']) {
    const m = s.indexOf(marker);
    if (m >= 0) return finding('xss', 'xss.css-expression', 0.85, s, m, m + 60);
  }
  let at = s.indexOf('expression(');
  while (at >= 0) {
    let p = at - 1;
    while (p >= 0 && s.charCodeAt(p) === 32) p--;
    if (p >= 0 && (s[p] === ':' || s[p] === '=')) return finding('xss', 'xss.css-expression', 0.85, s, at, at + 40);
    at = s.indexOf('expression(', at + 1);
  }
  return null;
}

/** `{{constructor.constructor('…')()}}` and friends: client-side template injection. */
function checkTemplate(s: string): WebFinding | null {
  const open = s.indexOf('{{');
  if (open < 0) return null;
  const close = s.indexOf('}}', open + 2);
  const body = s.slice(open + 2, close < 0 ? Math.min(s.length, open + 500) : close);
  if (body.includes('constructor') || body.includes('$on') || body.includes('$eval') || body.includes('__proto__')) {
    return finding('xss', 'xss.template-injection', 0.85, s, open, close < 0 ? open + 60 : close + 2);
  }
  return null;
}

function decodeUtf7(s: string): string {
  if (s.indexOf('+a') < 0) return s;
  let out = s;
  for (const [from, to] of UTF7) out = out.split(from).join(to);
  return out;
}

/** Classify a normalised value. */
export function detectXss(value: string): WebFinding | null {
  const s = decodeUtf7(value);
  const results = [
    s.indexOf('<') >= 0 ? checkTags(s) : null,
    s.indexOf('script:') >= 0 || s.indexOf('data:') >= 0 || s.indexOf('cript') >= 0 ? checkScriptUrls(s) : null,
    checkSinks(s),
    s.indexOf('expression(') >= 0 || s.indexOf('binding') >= 0 || s.indexOf('behavior') >= 0 ? checkCssExpression(s.indexOf('\\') >= 0 ? cssView(s) : s) : null,
    checkTemplate(s),
  ];
  let best: WebFinding | null = null;
  for (const r of results) if (r !== null && (best === null || r.confidence > best.confidence)) best = r;
  return best;
}
