import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { Suppressions, SuppressionError, suppressionsConfigSchema, type SuppressionsConfig } from './suppressions.js';
import { makeDetection } from './test-helpers.js';

function suppressions(config: Partial<SuppressionsConfig> = {}): Suppressions {
  return new Suppressions({ ...(Value.Default(suppressionsConfigSchema, {}) as SuppressionsConfig), ...config });
}

const base = { reason: 'false positive', createdBy: 'ops' };

describe('Suppressions', () => {
  it('matches the same detector and subject until the expiry, nothing else', () => {
    const list = suppressions();
    list.add({ ...base, detector: 'brute_force', scope: 'ip', value: '203.0.113.7', durationSeconds: 60 }, 1000);
    const hit = makeDetection({ detector: 'brute_force', sourceIp: '203.0.113.7' });
    expect(list.match(hit, 2000)?.detector).toBe('brute_force');
    expect(list.match(makeDetection({ detector: 'waf_violation', sourceIp: '203.0.113.7' }), 2000)).toBeUndefined();
    expect(list.match(makeDetection({ detector: 'brute_force', sourceIp: '203.0.113.8' }), 2000)).toBeUndefined();
    expect(list.match(hit, 61_000)).toBeUndefined();
    expect(list.size).toBe(0);
    expect(list.matched).toBe(1);
  });

  it('matches other spellings of an IPv6 subject and user subjects', () => {
    const list = suppressions();
    list.add({ ...base, detector: 'brute_force', scope: 'ip', value: '2001:DB8:0:0:0:0:0:1' }, 0);
    list.add({ ...base, detector: 'account_takeover', scope: 'user', value: 'alice' }, 0);
    expect(list.match(makeDetection({ detector: 'brute_force', sourceIp: '2001:db8::1' }), 1)).toBeDefined();
    expect(list.match(makeDetection({ detector: 'account_takeover', sourceIp: undefined, username: 'alice' }), 1)).toBeDefined();
  });

  it('keeps one entry per detector and subject, extending it', () => {
    const list = suppressions();
    const first = list.add({ ...base, detector: 'd', scope: 'ip', value: '192.0.2.1', durationSeconds: 10 }, 0);
    const again = list.add({ ...base, detector: 'd', scope: 'ip', value: '192.0.2.1', durationSeconds: 100 }, 0);
    expect(again.id).toBe(first.id);
    expect(again.until).toBe(100_000);
    expect(list.list(0)).toHaveLength(1);
  });

  it('is bounded: the entry expiring soonest is dropped and counted', () => {
    const list = suppressions({ maxEntries: 2 });
    list.add({ ...base, detector: 'd', scope: 'ip', value: '192.0.2.1', durationSeconds: 50 }, 0);
    list.add({ ...base, detector: 'd', scope: 'ip', value: '192.0.2.2', durationSeconds: 10 }, 0);
    list.add({ ...base, detector: 'd', scope: 'ip', value: '192.0.2.3', durationSeconds: 30 }, 0);
    expect(list.list(0).map((s) => s.value)).toEqual(['192.0.2.1', '192.0.2.3']);
    expect(list.evicted).toBe(1);
  });

  it('removes by id and refuses bad input with a clear error', () => {
    const list = suppressions({ maxSeconds: 100 });
    const s = list.add({ ...base, detector: 'd', scope: 'user', value: 'bob', durationSeconds: 10 }, 0);
    expect(list.remove(s.id)?.value).toBe('bob');
    expect(list.remove(s.id)).toBeUndefined();
    expect(() => list.add({ ...base, detector: 'd', scope: 'ip', value: 'not-an-ip', durationSeconds: 10 }, 0)).toThrow(SuppressionError);
    expect(() => list.add({ ...base, detector: ' ', scope: 'ip', value: '192.0.2.1', durationSeconds: 10 }, 0)).toThrow(/detector/);
    expect(() => list.add({ ...base, detector: 'd', scope: 'ip', value: '192.0.2.1', durationSeconds: 101 }, 0)).toThrow(/at most 100/);
  });
});
