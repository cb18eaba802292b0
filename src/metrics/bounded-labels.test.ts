import { describe, expect, it } from 'vitest';
import { BoundedLabels, OVERFLOW_LABEL } from './bounded-labels.js';

describe('BoundedLabels', () => {
  it('gives each value a stable index until the cap, then everything shares "other"', () => {
    const labels = new BoundedLabels(2);
    expect(labels.indexOf('a')).toBe(0);
    expect(labels.indexOf('b')).toBe(1);
    expect(labels.indexOf('a')).toBe(0);
    const other = labels.indexOf('c');
    expect(labels.values[other]).toBe(OVERFLOW_LABEL);
    expect(labels.indexOf('d')).toBe(other);
    expect(labels.indexOf('b')).toBe(1);
    expect(labels.values).toEqual(['a', 'b', 'other']);
    expect(labels.overflowed).toBe(2);
  });

  it('does not count seeded values against the cap', () => {
    const labels = new BoundedLabels(1, ['KNOWN_1', 'KNOWN_2']);
    expect(labels.known('KNOWN_2')).toBe(1);
    expect(labels.known('x')).toBeUndefined();
    expect(labels.indexOf('x')).toBe(2);
    expect(labels.values[labels.indexOf('y')]).toBe('other');
    expect(labels.indexOf('KNOWN_1')).toBe(0);
  });
});
