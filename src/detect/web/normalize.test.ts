import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBackslashEscapes, normalize, percentDecodeOnce, stripSqlComments } from './normalize.js';

describe('normalize', () => {
  it('decodes URL encoding repeatedly until stable', () => {
    expect(normalize('%2e%2e%2f')).toBe('../');
    expect(normalize('%252e%252e%252f')).toBe('../');
    expect(normalize('%25252e')).toBe('.');
  });

  it('bounds the number of decoding rounds', () => {
    // Five layers of %25: four rounds leave one layer.
    expect(normalize('%2525252525', { maxRounds: 4 })).toBe('%25');
  });

  it('treats + as a space only in query context', () => {
    expect(normalize('union+select')).toBe('union select');
    expect(normalize('1+1', { plusAsSpace: false })).toBe('1+1');
    expect(normalize('a%2Bb')).toBe('a+b');
  });

  it('decodes HTML entities: named, decimal, hex, without semicolons', () => {
    expect(normalize('&lt;script&gt;')).toBe('<script>');
    expect(normalize('&#106;&#97;&#118;&#97;')).toBe('java');
    expect(normalize('&#x6A;&#x61;')).toBe('ja');
    expect(normalize('&#0000106&#0000097')).toBe('ja');
    expect(normalize('&amp;lt;')).toBe('<');
  });

  it('decodes \\uXXXX, %uXXXX and \\xXX', () => {
    expect(normalize('\\u003cscript')).toBe('<script');
    expect(normalize('%u003cscript')).toBe('<script');
    expect(decodeBackslashEscapes('\\x3c\\u{3e}')).toBe('<>');
  });

  it('decodes overlong UTF-8 sequences', () => {
    expect(normalize('%c0%ae%c0%ae%c0%af')).toBe('../');
    expect(normalize('%c1%9c')).toBe('\\');
    expect(normalize('%e0%80%ae')).toBe('.');
    expect(percentDecodeOnce('%c3%a9')).toBe('é');
  });

  it('keeps malformed escapes as they are', () => {
    expect(percentDecodeOnce('50%')).toBe('50%');
    expect(percentDecodeOnce('%zz%c0%9v')).toBe('%zz\u00c0%9v');
  });

  it('removes null bytes, folds case and squeezes blank runs', () => {
    expect(normalize('A%00B')).toBe('ab');
    expect(normalize('SeLeCt \t\t  1')).toBe('select 1');
    expect(normalize('a%0Ab')).toBe('a\nb');
  });

  it('folds Unicode look-alikes (fullwidth, set minus, prime)', () => {
    expect(normalize('%uff0e%uff0e%u2216')).toBe('..\\');
    expect(normalize('1\u2032 or')).toBe("1' or");
  });

  it('caps the value length before matching', () => {
    expect(normalize('a'.repeat(10_000)).length).toBe(8 * 1024);
    expect(normalize('abcdef', { maxLength: 3 })).toBe('abc');
  });

  it('strips SQL comments for the comment-free view', () => {
    expect(stripSqlComments('union/**/select')).toBe('union select');
    expect(stripSqlComments("admin'-- x")).toBe("admin'");
    expect(stripSqlComments("1 # tail")).toBe('1');
  });

  it('is idempotent on its own output', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const once = normalize(s);
        // A second pass may only decode further layers, never grow the value.
        expect(normalize(once, { plusAsSpace: false }).length).toBeLessThanOrEqual(once.length);
      }),
      { numRuns: 300 },
    );
  });
});
