import { describe, expect, it } from 'vitest';
import { ProtectionMode, type ProtectionChange } from './protection-mode.js';

const MIN = 60_000;
const mode = (changes: ProtectionChange[] = [], enabled = true) =>
  new ProtectionMode({ enabled, criticalThreshold: 5, windowSeconds: 3600, durationSeconds: 1800 }, (c) => changes.push(c));

describe('ProtectionMode', () => {
  it('turns on at the 6th distinct critical incident in the window, off 30 min later by itself', () => {
    const changes: ProtectionChange[] = [];
    const p = mode(changes);
    for (let i = 1; i <= 5; i++) expect(p.recordCritical(`i${i}`, i * MIN)).toEqual([]);
    expect(p.recordCritical('i3', 6 * MIN)).toEqual([]); // same incident again: not a 6th
    expect(p.isActive(6 * MIN)).toBe(false);
    const on = p.recordCritical('i6', 6 * MIN);
    expect(on).toHaveLength(1);
    expect(on[0]).toMatchObject({ active: true, trigger: 'auto', at: 6 * MIN, until: 36 * MIN });
    expect(p.isActive(36 * MIN - 1)).toBe(true);
    expect(p.isActive(36 * MIN)).toBe(false);
    expect(changes.map((c) => [c.active, c.trigger])).toEqual([
      [true, 'auto'],
      [false, 'expired'],
    ]);
  });

  it('only counts incidents within the window', () => {
    const p = mode();
    p.recordCritical('old', 0);
    for (let i = 1; i <= 5; i++) p.recordCritical(`i${i}`, 60 * MIN + i);
    expect(p.isActive(60 * MIN + 5)).toBe(false); // "old" (t=0) fell out of the hour before i5
    p.recordCritical('i6', 60 * MIN + 6);
    expect(p.isActive(60 * MIN + 6)).toBe(true);
  });

  it('can be forced on (with or without an end) and off', () => {
    const p = mode();
    p.forceOn(0);
    expect(p.state(10 * 24 * 60 * MIN)).toMatchObject({ active: true, trigger: 'manual', until: undefined });
    expect(p.forceOff(1)?.active).toBe(false);
    expect(p.forceOff(2)).toBeUndefined();
    p.forceOn(0, 10 * MIN);
    expect(p.isActive(10 * MIN - 1)).toBe(true);
    expect(p.isActive(10 * MIN)).toBe(false);
  });

  it('forcing off forgets the counted incidents; disabled auto mode never switches on', () => {
    const p = mode();
    for (let i = 1; i <= 6; i++) p.recordCritical(`i${i}`, i);
    p.forceOff(7);
    expect(p.recordCritical('i7', 8)).toEqual([]);
    const off = mode([], false);
    for (let i = 1; i <= 10; i++) off.recordCritical(`i${i}`, i);
    expect(off.isActive(10)).toBe(false);
  });
});
