import { describe, expect, it } from 'vitest';
import { truncateChars, truncateUtf8, utf8Length, wellFormed } from './truncate.js';

describe('truncation', () => {
  it('cuts by code points and never splits a surrogate pair', () => {
    expect(truncateChars('abc', 3)).toBe('abc');
    expect(truncateChars('abcd', 3)).toBe('ab\u2026');
    const emoji = '\u{1F600}'.repeat(5);
    const cut = truncateChars(emoji, 3);
    expect([...cut]).toEqual(['\u{1F600}', '\u{1F600}', '\u2026']);
    expect(truncateChars(emoji, 5)).toBe(emoji);
  });
  it('cuts by UTF-8 bytes on a character boundary', () => {
    const text = '\u00e9'.repeat(100); // 200 bytes
    const cut = truncateUtf8(text, 51);
    expect(utf8Length(cut)).toBeLessThanOrEqual(51);
    expect(cut.endsWith('\u2026')).toBe(true);
    expect(wellFormed(cut)).toBe(cut);
    expect(truncateUtf8('short', 100)).toBe('short');
  });
  it('replaces lone surrogates', () => {
    expect(wellFormed('a\uD800b\uDC00')).toBe('a\uFFFDb\uFFFD');
    expect(wellFormed('\u{1F600}')).toBe('\u{1F600}');
  });
});
