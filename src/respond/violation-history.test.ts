import { describe, expect, it } from 'vitest';
import { makeDetection } from './test-helpers.js';
import { ViolationHistory } from './violation-history.js';

const DAY = 86_400_000;
const ip = '203.0.113.5';

function history(overrides: Partial<ConstructorParameters<typeof ViolationHistory>[0]> = {}): ViolationHistory {
  return new ViolationHistory({ retentionDays: 30, maxDetailsPerIp: 100, maxIps: 1000, ...overrides });
}

describe('ViolationHistory', () => {
  it('counts violation events within the retention period only', () => {
    const h = history();
    h.record(ip, makeDetection(), 0);
    h.record(ip, makeDetection({ evidence: { eventCount: 3 } }), DAY);
    expect(h.count(ip, DAY)).toBe(4);
    expect(h.count(ip, 30 * DAY - 1)).toBe(4);
    expect(h.count(ip, 30 * DAY)).toBe(3); // the first is exactly 30 days old: out
    expect(h.count('198.51.100.1', DAY)).toBe(0);
  });

  it('re-recording a grown detection adds only the new events', () => {
    const h = history();
    const d = makeDetection({ evidence: { eventCount: 2 } });
    h.record(ip, d, 1000);
    d.evidence.eventCount = 5;
    h.record(ip, d, 2000);
    h.record(ip, d, 3000);
    expect(h.count(ip, 3000)).toBe(5);
    expect(h.details(ip)).toHaveLength(1);
    expect(h.levelCounts(ip).MEDIUM).toBe(5);
  });

  it('lists distinct types and counts events in a short window', () => {
    const h = history();
    h.record(ip, makeDetection({ type: 'xss_attack' }), 0);
    h.record(ip, makeDetection({ type: 'sql_injection', severity: 'CRITICAL' }), 200_000);
    h.record(ip, makeDetection({ type: 'xss_attack', evidence: { eventCount: 4 } }), 400_000);
    expect(h.types(ip, 400_000).sort()).toEqual(['sql_injection', 'xss_attack']);
    expect(h.eventsWithin(ip, 400_000, 300_000)).toBe(5); // 200 000 and 400 000
    expect(h.eventsWithin(ip, 500_000, 300_000)).toBe(4);
    expect(h.levelCounts(ip)).toEqual({ LOW: 0, MEDIUM: 5, HIGH: 0, CRITICAL: 1 });
  });

  it('keeps only the last maxDetailsPerIp details but still counts the older ones by day', () => {
    const h = history({ maxDetailsPerIp: 3 });
    for (let i = 0; i < 5; i++) h.record(ip, makeDetection({ type: `t${i}` }), i * 1000);
    expect(h.details(ip).map((d) => d.type)).toEqual(['t2', 't3', 't4']);
    expect(h.count(ip, 5000)).toBe(5);
    expect(h.types(ip, 5000)).toEqual(['t2', 't3', 't4']);
  });

  it('is bounded in IPs and sweeps quiet ones', () => {
    const h = history({ maxIps: 2 });
    h.record('10.0.0.1', makeDetection(), 0);
    h.record('10.0.0.2', makeDetection(), 1);
    h.record('10.0.0.3', makeDetection(), 2);
    expect(h.size).toBe(2);
    expect(h.evicted).toBe(1);
    expect(h.count('10.0.0.1', 2)).toBe(0);
    expect(h.sweep(30 * DAY + 2)).toBe(1);
    expect(h.size).toBe(1);
  });
});
