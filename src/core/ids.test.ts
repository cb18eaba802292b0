import { describe, expect, it } from 'vitest';
import { IdGenerator } from './ids.js';

describe('IdGenerator', () => {
  it('makes unique ids that sort in the order they were made (fixed-width counter)', () => {
    const ids = new IdGenerator('ev', 'abc');
    const made = Array.from({ length: 5000 }, () => ids.next());
    expect(new Set(made).size).toBe(made.length);
    expect([...made].sort()).toEqual(made);
    expect(made[0]).toBe('ev-abc-00000001');
    expect(made[35]).toBe('ev-abc-00000010');
  });

  it('uses a random prefix per generator unless one is given', () => {
    expect(new IdGenerator('ev').next()).not.toBe(new IdGenerator('ev').next());
  });
});
