import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache.js';

describe('LruCache', () => {
  it('keeps at most capacity entries, evicting the least recently used', () => {
    const cache = new LruCache<string, number>(4);
    for (const k of ['a', 'b', 'c', 'd']) cache.set(k, k.charCodeAt(0));
    expect(cache.get('a')).toBe(97); // a is the oldest: the hit makes it young
    cache.set('e', 101);
    expect(cache.size).toBe(4);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(97);
    expect(cache.get('e')).toBe(101);
  });

  it('stores null (a known miss) and replaces values', () => {
    const cache = new LruCache<string, number | null>(2);
    cache.set('x', null);
    expect(cache.get('x')).toBeNull();
    cache.set('x', 5);
    expect(cache.get('x')).toBe(5);
    expect(cache.size).toBe(1);
  });

  it('never evicts an entry hit within the last quarter of the order before older unhit ones', () => {
    const cache = new LruCache<number, number>(100);
    for (let i = 0; i < 100; i++) cache.set(i, i);
    // Keep touching 0..9: they must survive 90 more insertions, which push out 10..99.
    for (let i = 100; i < 190; i++) {
      for (let k = 0; k < 10; k++) cache.get(k);
      cache.set(i, i);
    }
    for (let k = 0; k < 10; k++) expect(cache.get(k)).toBe(k);
    expect(cache.get(50)).toBeUndefined();
  });

  it('keeps nothing with capacity 0', () => {
    const cache = new LruCache<string, number>(0);
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
  });
});
