import { describe, expect, it } from 'vitest';
import { KeyedState } from './keyed-state.js';

interface S {
  lastSeen: number;
}

describe('KeyedState', () => {
  it('expires entries not touched within the ttl of the watermark', () => {
    const removed: string[] = [];
    const state = new KeyedState<S>({ maxKeys: 10, ttlMs: 100, onRemove: (k, _s, why) => removed.push(`${k}:${why}`) });
    state.touch('a', () => ({ lastSeen: 0 }));
    state.touch('b', () => ({ lastSeen: 50 }));
    state.touch('c', () => ({ lastSeen: 120 }));
    expect(state.sweep(149)).toBe(1); // a: 0 < 49
    expect(removed).toEqual(['a:expired']);
    expect(state.sweep(151)).toBe(1); // b: 50 < 51
    expect(state.size).toBe(1);
    expect(state.expired).toBe(2);
  });

  it('evicts the least recently touched entry at maxKeys and counts it', () => {
    const removed: string[] = [];
    const state = new KeyedState<S>({ maxKeys: 2, ttlMs: 1e9, onRemove: (k, _s, why) => removed.push(`${k}:${why}`) });
    state.touch('a', () => ({ lastSeen: 1 }));
    state.touch('b', () => ({ lastSeen: 2 }));
    state.touch('a', () => ({ lastSeen: 3 })); // a is now the most recent
    state.touch('c', () => ({ lastSeen: 4 }));
    expect(removed).toEqual(['b:evicted']);
    expect(state.evicted).toBe(1);
    expect(state.get('a')).toBeDefined();
    expect(state.get('b')).toBeUndefined();
    expect(state.size).toBe(2);
  });

  it('returns the existing state without calling create', () => {
    const state = new KeyedState<S>({ maxKeys: 5, ttlMs: 10 });
    const first = state.touch('k', () => ({ lastSeen: 1 }));
    const second = state.touch('k', () => {
      throw new Error('must not create');
    });
    expect(second).toBe(first);
  });

  it('refuses a zero bound', () => {
    expect(() => new KeyedState<S>({ maxKeys: 0, ttlMs: 1 })).toThrow(RangeError);
  });
});
