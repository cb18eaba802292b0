import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedState, type TouchedState } from './keyed-state.js';
import { KeySpace } from './key-space.js';
import { SlotKeyedState } from './slot-keyed-state.js';

describe('SlotKeyedState', () => {
  it('evicts the least recently touched key at maxKeys and counts it', () => {
    const removed: string[] = [];
    const state = new SlotKeyedState({ maxKeys: 2, ttlMs: 1000, onRemove: (_slot, key, reason) => removed.push(`${key}:${reason}`) });
    state.insert('a', 1);
    state.insert('b', 2);
    state.insert('c', 3);
    expect(removed).toEqual(['a:evicted']);
    expect(state.evicted).toBe(1);
    expect(state.get('a')).toBe(-1);
    expect(state.size).toBe(2);
  });

  it('sweeps from the old end and stops at the first live entry', () => {
    const state = new SlotKeyedState({ maxKeys: 10, ttlMs: 100 });
    state.insert(1, 0);
    state.insert(2, 500);
    state.insert(3, 10);
    expect(state.sweep(300)).toBe(1);
    expect(state.get(1)).toBe(-1);
    expect(state.get(3)).not.toBe(-1);
    expect(state.expired).toBe(1);
  });

  it('reuses freed slots and grows its columns past the first allocation', () => {
    const capacities: number[] = [];
    const state = new SlotKeyedState({ maxKeys: 5000, ttlMs: 1, onGrow: (c) => capacities.push(c) });
    for (let i = 0; i < 3000; i++) state.insert(`k${i}`, i);
    expect(capacities).toEqual([1024, 2048, 4096]);
    state.delete('k5');
    expect(state.insert('again', 1)).toBe(5);
    expect(state.keyOf(5)).toBe('again');
  });

  // The property that keeps detections identical: same keys present, same order, same counters as KeyedState.
  it('behaves exactly like KeyedState under any sequence of operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('touch' as const), key: fc.integer({ min: 0, max: 12 }), t: fc.integer({ min: 0, max: 1000 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ kind: fc.constant('sweep' as const), t: fc.integer({ min: 0, max: 1500 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 200 }), (maxKeys, ops) => {
        const removedA: string[] = [];
        const removedB: string[] = [];
        const a = new KeyedState<TouchedState>({ maxKeys, ttlMs: 300, onRemove: (key, _s, reason) => removedA.push(`${key}:${reason}`) });
        const b = new SlotKeyedState({ maxKeys, ttlMs: 300, onRemove: (_slot, key, reason) => removedB.push(`${key}:${reason}`) });
        for (const o of ops) {
          if (o.kind === 'touch') {
            const key = `k${o.key}`;
            const s = a.touch(key, () => ({ lastSeen: o.t }));
            if (o.t > s.lastSeen) s.lastSeen = o.t;
            let slot = b.get(key);
            if (slot === -1) slot = b.insert(key, o.t);
            else b.touch(slot);
            if (o.t > (b.lastSeen[slot] as number)) b.lastSeen[slot] = o.t;
          } else if (o.kind === 'delete') {
            expect(b.delete(`k${o.key}`)).toBe(a.delete(`k${o.key}`));
          } else {
            expect(b.sweep(o.t)).toBe(a.sweep(o.t));
          }
        }
        expect(removedB).toEqual(removedA);
        expect([...b.entries()].map((slot) => b.keyOf(slot))).toEqual([...keysOf(a)]);
        expect([b.evicted, b.expired, b.size]).toEqual([a.evicted, a.expired, a.size]);
        a.clear();
        b.clear();
        expect(removedB).toEqual(removedA);
      }),
    );
  });
});

describe('SlotKeyedState key table', () => {
  it('finds exactly the keys present through inserts, deletes, evictions and growth', () => {
    const key = fc.oneof(fc.integer({ min: -2147483648, max: 2147483647 }), fc.integer({ min: 0, max: 300 }), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), key), { maxLength: 3000 }), fc.integer({ min: 1, max: 2500 }), (ops, maxKeys) => {
        const state = new SlotKeyedState({ maxKeys, ttlMs: 1 });
        const model = new Map<string | number, number>();
        for (const [add, k] of ops) {
          if (add) {
            if (state.get(k) !== -1) continue;
            if (model.size >= maxKeys) model.delete(model.keys().next().value as string | number);
            model.set(k, state.insert(k, 0));
          } else {
            expect(state.delete(k)).toBe(model.delete(k));
          }
        }
        expect(state.size).toBe(model.size);
        for (const [k, slot] of model) expect(state.get(k)).toBe(slot);
        for (const [, k] of ops) if (!model.has(k)) expect(state.get(k)).toBe(-1);
      }),
      { numRuns: 60 },
    );
  });
});

describe('SlotKeyedState on a shared KeySpace', () => {
  it('holds each key once, with membership, order and bounds per table', () => {
    const space = new KeySpace();
    const a = new SlotKeyedState({ maxKeys: 2, ttlMs: 100, keys: space });
    const b = new SlotKeyedState({ maxKeys: 10, ttlMs: 100, keys: space });
    const slot = a.insert('alice', 0);
    expect(b.get('alice')).toBe(-1);
    expect(b.insert('alice', 50)).toBe(slot);
    expect(space.size).toBe(1);
    a.insert('bob', 1);
    a.insert('carol', 2);
    // alice evicted from a only: b still holds her, in the same slot.
    expect(a.get('alice')).toBe(-1);
    expect(a.evicted).toBe(1);
    expect(b.get('alice')).toBe(slot);
    expect(b.lastSeen[slot]).toBe(50);
    expect(space.size).toBe(3);
    b.clear();
    expect(space.find('alice')).toBe(-1);
    expect(space.size).toBe(2);
  });
});

function* keysOf(state: KeyedState<TouchedState>): Generator<string> {
  // KeyedState exposes values only; its Map order is the order of its entries.
  const entries = (state as unknown as { entries: Map<string, TouchedState> }).entries;
  yield* entries.keys();
}
