import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdGenerator } from '../../core/ids.js';
import { EventIdColumn } from './event-id-column.js';

describe('EventIdColumn', () => {
  it('gives back every id exactly, generated or not', () => {
    const ids = new IdGenerator('ev');
    const samples = ['ev-521671702a-7o', 'f123456', 's0', '0', '007', 'a-00', 'x-zzzzzzzzzzzzzz', 'UPPER-12', '', '-', 'é-1', '550e8400-e29b-41d4-a716-446655440000'];
    for (let i = 0; i < 2000; i++) samples.push(ids.next());
    const column = new EventIdColumn();
    column.grow(samples.length);
    samples.forEach((id, slot) => column.set(slot, id));
    samples.forEach((id, slot) => expect(column.get(slot)).toBe(id));
  });

  it('round-trips arbitrary strings, also once the prefix table is full and after overwrites', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.stringMatching(/^[a-z0-9-]{0,20}$/)), { minLength: 1, maxLength: 300 }), (ids) => {
        const column = new EventIdColumn();
        column.grow(8);
        for (let i = 0; i < ids.length; i++) {
          const slot = i % 8;
          column.set(slot, ids[i] as string);
          expect(column.get(slot)).toBe(ids[i]);
        }
      }),
    );
    const column = new EventIdColumn();
    column.grow(5000);
    for (let i = 0; i < 5000; i++) column.set(i, `p${i}-x-${i.toString(36)}`);
    for (let i = 0; i < 5000; i++) expect(column.get(i)).toBe(`p${i}-x-${i.toString(36)}`);
  });
});
