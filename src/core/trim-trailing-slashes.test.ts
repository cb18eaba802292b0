import { describe, expect, it } from 'vitest';
import { trimTrailingSlashes } from './trim-trailing-slashes.js';

describe('trimTrailingSlashes', () => {
  it('removes every trailing slash and nothing else', () => {
    expect(trimTrailingSlashes('http://h:1/api///')).toBe('http://h:1/api');
    expect(trimTrailingSlashes('http://h:1')).toBe('http://h:1');
    expect(trimTrailingSlashes('///')).toBe('');
    expect(trimTrailingSlashes('')).toBe('');
    expect(trimTrailingSlashes('a//b/')).toBe('a//b');
  });

  it('handles a long run of slashes that does not end the string (the input that made /\\/+$/ quadratic)', () => {
    const input = '/'.repeat(100_000) + 'x';
    expect(trimTrailingSlashes(input)).toBe(input);
  });
});
