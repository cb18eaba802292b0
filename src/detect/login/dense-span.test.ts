import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDenseSpan, noteName, tooFewNames, type DenseSpan } from './dense-span.js';

describe('findDenseSpan', () => {
  it('finds the first interval containing t that is accepted', () => {
    const out: DenseSpan = { from: 0, to: 0, count: 0, distinct: 0 };
    const times = [0, 10, 20, 30, 100];
    const items = ['a', 'b', 'a', 'c', 'd'];
    expect(findDenseSpan(times, items, (x) => x, 30, 30, (count, distinct) => count >= 4 && distinct >= 3, new Map(), out)).toBe(true);
    expect([out.from, out.to, out.count, out.distinct]).toEqual([0, 4, 4, 3]);
    expect(findDenseSpan(times, items, (x) => x, 100, 30, (count) => count >= 2, new Map(), out)).toBe(false);
  });
});

describe('noteName / tooFewNames', () => {
  // The skip is sound: whenever it says "too few", the search could not have accepted.
  it('never skips a search that would accept', () => {
    const event = fc.record({ t: fc.integer({ min: 0, max: 100 }), name: fc.option(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 4 }), (events, need, drop) => {
        const cap = 6;
        const names: string[] = [];
        for (const e of events) noteName(names, e.name, cap);
        // A window only loses items: drop some from the front.
        const kept = [...events].sort((x, y) => x.t - y.t).slice(drop);
        const times = kept.map((e) => e.t);
        const items = kept.map((e) => e.name);
        const out: DenseSpan = { from: 0, to: 0, count: 0, distinct: 0 };
        for (const t of times) {
          const found = findDenseSpan(times, items, (x) => x, t, 30, (_count, distinct) => distinct >= need, new Map(), out);
          if (tooFewNames(names, need, cap)) expect(found).toBe(false);
        }
      }),
    );
  });
});
