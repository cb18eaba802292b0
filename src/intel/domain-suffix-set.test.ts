import { describe, expect, it } from 'vitest';
import { DomainSuffixSet } from './domain-suffix-set.js';

describe('DomainSuffixSet', () => {
  it('matches a listed domain and its subdomains, never a longer label', () => {
    const set = new DomainSuffixSet<string>();
    set.set('evil.example', 'evil');
    set.set('cdn.good.example', 'cdn');
    expect(set.match('evil.example')).toBe('evil');
    expect(set.match('a.b.EVIL.example.')).toBe('evil');
    expect(set.match('notevil.example')).toBeUndefined();
    expect(set.match('evil.example.org')).toBeUndefined();
    expect(set.match('good.example')).toBeUndefined();
    expect(set.match('x.cdn.good.example')).toBe('cdn');
    expect(set.match('')).toBeUndefined();
  });

  it('prefers the most specific listed domain', () => {
    const set = new DomainSuffixSet<string>();
    set.set('example', 'tld');
    set.set('bad.example', 'bad');
    expect(set.match('www.bad.example')).toBe('bad');
    expect(set.match('www.other.example')).toBe('tld');
  });

  it('deletes, keeping hash neighbours', () => {
    const set = new DomainSuffixSet<number>();
    for (let i = 0; i < 5000; i++) set.set(`d${i}.example`, i);
    expect(set.size).toBe(5000);
    for (let i = 0; i < 5000; i += 2) expect(set.delete(`d${i}.example`)).toBe(i);
    for (let i = 0; i < 5000; i++) expect(set.match(`www.d${i}.example`)).toBe(i % 2 === 0 ? undefined : i);
    expect(set.delete('nothing.example')).toBeUndefined();
  });
});
