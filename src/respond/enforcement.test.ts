import { describe, expect, it } from 'vitest';
import type { Decision } from '../core/detection.js';
import { EnforcementError, EnforcementRegistry } from './enforcement.js';

const decision = (id: string, createdAt: number, extra: Partial<Decision> = {}): Decision => ({
  id,
  scope: 'ip',
  value: '203.0.113.5',
  action: 'block',
  until: createdAt + 3_600_000,
  reason: 'test',
  origin: 'test',
  createdAt,
  ...extra,
});

describe('EnforcementRegistry', () => {
  it('authenticates by API key and never exposes the key or its digest', () => {
    const r = new EnforcementRegistry();
    r.register('nginx', 'exporter', 'k'.repeat(32), 0);
    r.register('fw', 'bouncer', 'f'.repeat(32), 0);
    expect(r.authenticate('f'.repeat(32))?.name).toBe('fw');
    expect(r.authenticate('x'.repeat(32))).toBeUndefined();
    expect(JSON.stringify(r.list())).not.toContain('kkkk');
    expect(Object.keys(r.list()[0]!)).toEqual(['name', 'kind', 'registeredAt', 'lastPullAt']);
    expect(() => r.register('short', 'bouncer', 'abc', 0)).toThrow(EnforcementError);
  });

  it('a decision older than 60 s that nobody pulled since its creation is unacknowledged', () => {
    const r = new EnforcementRegistry();
    r.register('fw', 'bouncer', 'f'.repeat(32), 0);
    const d = decision('1', 1000);
    expect(r.unacknowledged([d], 60_999)).toHaveLength(0); // 59.999 s old: within the grace period
    expect(r.unacknowledged([d], 61_000)).toHaveLength(1); // 60 s old, never pulled
    r.recordPull('fw', 500); // before creation: does not count
    expect(r.unacknowledged([d], 61_000).map((x) => x.id)).toEqual(['1']);
    r.recordPull('fw', 1000);
    expect(r.unacknowledged([d], 61_000)).toHaveLength(0);
  });

  it('ignores simulated and expired decisions; with no point registered, everything old is unacknowledged', () => {
    const r = new EnforcementRegistry();
    const list = [decision('1', 0), decision('2', 0, { simulated: true }), decision('3', 0, { until: 100 })];
    expect(r.unacknowledged(list, 120_000).map((x) => x.id)).toEqual(['1']);
    expect(r.recordPull('unknown', 1)).toBe(false);
  });
});
