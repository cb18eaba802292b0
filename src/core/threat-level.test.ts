import { describe, expect, it } from 'vitest';
import { compareLevels, isThreatLevel, maxLevel, THREAT_LEVELS, upgrade } from './threat-level.js';

describe('ThreatLevel', () => {
  it('orders LOW < MEDIUM < HIGH < CRITICAL', () => {
    const sorted = [...THREAT_LEVELS].reverse().sort(compareLevels);
    expect(sorted).toEqual(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
    expect(compareLevels('HIGH', 'MEDIUM')).toBeGreaterThan(0);
    expect(compareLevels('LOW', 'LOW')).toBe(0);
  });

  it('upgrades one level at a time and saturates at CRITICAL', () => {
    expect(upgrade('LOW')).toBe('MEDIUM');
    expect(upgrade('MEDIUM')).toBe('HIGH');
    expect(upgrade('HIGH')).toBe('CRITICAL');
    expect(upgrade('CRITICAL')).toBe('CRITICAL');
    expect(upgrade('LOW', 2)).toBe('HIGH');
    expect(upgrade('MEDIUM', 10)).toBe('CRITICAL');
  });

  it('recognises level names and takes the maximum', () => {
    expect(isThreatLevel('HIGH')).toBe(true);
    expect(isThreatLevel('high')).toBe(false);
    expect(isThreatLevel('toString')).toBe(false);
    expect(maxLevel('MEDIUM', 'HIGH')).toBe('HIGH');
    expect(maxLevel('CRITICAL', 'LOW')).toBe('CRITICAL');
  });
});
