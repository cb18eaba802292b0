import { describe, expect, it } from 'vitest';
import { hostileDetection, openDetection } from '../test-fixtures.js';
import { escapeLeefValue, formatLeef, leefDevTime, LeefDelimiterError } from './leef.js';

function attributes(line: string, delimiter: string): Record<string, string> {
  const body = line.split('|').slice(6).join('|');
  const out: Record<string, string> = {};
  // Split on unescaped delimiters; a pair splits at its first `=`.
  const parts = body.split(new RegExp(`(?<!\\\\)${delimiter === '\t' ? '\\t' : `\\${delimiter}`}`));
  for (const part of parts) {
    const eq = part.indexOf('=');
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

describe('LEEF 2.0 (IBM QRadar LEEF guide)', () => {
  it('writes the 2.0 header with the delimiter declared in hex by default (tab = x09)', () => {
    expect(formatLeef(openDetection, { version: '1.0' }).startsWith('LEEF:2.0|Vigil|Vigil|1.0|brute_force|x09|devTime=')).toBe(true);
  });
  it('declares a caret delimiter as the character or as x5E, like the guide example', () => {
    expect(formatLeef(openDetection, { delimiter: '^', delimiterNotation: 'char' })).toMatch(/^LEEF:2\.0\|Vigil\|Vigil\|[^|]+\|brute_force\|\^\|devTime=[^^]+\^devTimeFormat=/);
    expect(formatLeef(openDetection, { delimiter: '^' })).toMatch(/\|x5E\|devTime=/);
  });
  it('declares devTimeFormat and formats devTime to match it', () => {
    const attrs = attributes(formatLeef(openDetection), '\t');
    expect(attrs.devTimeFormat).toBe('MMM dd yyyy HH:mm:ss.SSS zzz');
    expect(attrs.devTime).toBe('Jan 05 2026 13:45:00.123 UTC');
    expect(leefDevTime(Date.UTC(2026, 11, 31, 23, 59, 59, 7))).toBe('Dec 31 2026 23:59:59.007 UTC');
    expect(attrs).toMatchObject({ sev: '8', src: '203.0.113.7', usrName: 'alice', cat: 'brute_force' });
  });
  it('escapes the delimiter, backslashes and newlines so hostile values stay in their attribute', () => {
    expect(escapeLeefValue('a\tb\\c\nd', '\t')).toBe('a\\tb\\\\c\\nd');
    expect(escapeLeefValue('a^b', '^')).toBe('a\\^b');
    const attrs = attributes(formatLeef(hostileDetection, { delimiter: '^' }), '^');
    expect(attrs.usrName).toBe('ev|l=user\\\\name\\r\\n"quoted"] tab\\there \u00e9\u4e2d\u{1F600} \uFFFDnul');
    expect(attrs.detector).toBe('brute|force=x');
  });
  it('refuses delimiters that cannot work', () => {
    expect(() => formatLeef(openDetection, { delimiter: '=' })).toThrow(LeefDelimiterError);
    expect(() => formatLeef(openDetection, { delimiter: '||' })).toThrow(LeefDelimiterError);
  });
});
