import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.js';

describe('BoundedQueue', () => {
  it('is FIFO across wrap-around', () => {
    const q = new BoundedQueue<number>(3);
    const out: number[] = [];
    q.offer(1);
    q.offer(2);
    q.drain(out, 1);
    q.offer(3);
    q.offer(4);
    expect(q.size).toBe(3);
    q.drain(out, 10);
    expect(out).toEqual([1, 2, 3, 4]);
    expect(q.size).toBe(0);
  });

  it('refuses when full and accepts batches all or nothing', () => {
    const q = new BoundedQueue<number>(4);
    expect(q.offerAll([1, 2, 3])).toBe(true);
    expect(q.offerAll([4, 5])).toBe(false);
    expect(q.size).toBe(3);
    expect(q.offer(4)).toBe(true);
    expect(q.offer(5)).toBe(false);
    expect(q.free).toBe(0);
    expect(q.highWater).toBe(4);
  });

  it('rejects a non-positive capacity', () => {
    expect(() => new BoundedQueue(0)).toThrow(RangeError);
  });
});
