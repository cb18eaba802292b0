import { describe, expect, it } from 'vitest';
import { TimeWindow } from './time-window.js';

describe('TimeWindow', () => {
  it('counts the busiest closed interval containing t', () => {
    const w = new TimeWindow(600, 100);
    for (const t of [0, 100, 200, 300]) w.add(t, undefined);
    expect(w.maxInSpan(300, 300)).toBe(4); // 0..300 inclusive
    expect(w.maxInSpan(300, 299)).toBe(3); // 100..300
    expect(w.spanFrom).toBe(1);
    expect(w.spanTo).toBe(4);
  });

  it('keeps out-of-order arrivals sorted with their payloads', () => {
    const w = new TimeWindow<string>(10_000, 100);
    w.add(500, 'c');
    w.add(100, 'a');
    w.add(300, 'b');
    w.add(700, 'd');
    expect(w.times).toEqual([100, 300, 500, 700]);
    expect(w.items).toEqual(['a', 'b', 'c', 'd']);
    // A late event can complete a window around an earlier time.
    expect(w.maxInSpan(100, 200)).toBe(2);
  });

  it('drops what falls beyond the horizon of the newest time', () => {
    const w = new TimeWindow(1000, 100);
    w.add(0, undefined);
    w.add(500, undefined);
    w.add(1600, undefined);
    expect(w.times).toEqual([1600]);
    expect(w.add(100, undefined)).toBe(false);
    expect(w.length).toBe(1);
  });

  it('never holds more than its capacity (oldest go first)', () => {
    const w = new TimeWindow<number>(1_000_000, 3);
    for (let t = 0; t < 10; t++) w.add(t, t);
    expect(w.times).toEqual([7, 8, 9]);
    expect(w.items).toEqual([7, 8, 9]);
  });
});
