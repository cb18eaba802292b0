import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { Allowlist, AllowlistError, allowlistConfigSchema, type AllowlistConfig } from './allowlist.js';

function allowlist(config: Partial<AllowlistConfig> = {}): Allowlist {
  return new Allowlist({ ...(Value.Default(allowlistConfigSchema, {}) as AllowlistConfig), ...config });
}

describe('Allowlist', () => {
  it('matches IPv6 CIDR ranges, including other spellings of the address', () => {
    const list = allowlist({ entries: ['2001:db8:abcd::/48'] });
    expect(list.contains('2001:db8:abcd:12::1', 0)).toBe(true);
    expect(list.contains('2001:DB8:ABCD:0:0:0:0:5', 0)).toBe(true);
    expect(list.contains('2001:db8:abce::1', 0)).toBe(false);
  });

  it('matches IPv4 CIDRs and IPv4-mapped IPv6 forms of them', () => {
    const list = allowlist({ entries: ['192.0.2.0/24'] });
    expect(list.contains('192.0.2.200', 0)).toBe(true);
    expect(list.contains('::ffff:192.0.2.7', 0)).toBe(true);
    expect(list.contains('192.0.3.1', 0)).toBe(false);
  });

  it('expires entries in event time: live before until, gone at it', () => {
    const list = allowlist({ entries: [] });
    list.add('2001:db8::/32', { until: 10_000, reason: 'partner' });
    expect(list.contains('2001:db8::9', 9_999)).toBe(true);
    expect(list.contains('2001:db8::9', 10_000)).toBe(false);
    expect(list.list(10_000).map((e) => e.value)).toEqual(['::1', '127.0.0.0/8']); // only the default trusted proxies
  });

  it('configured entries may carry an RFC 3339 until and a reason', () => {
    const list = allowlist({ entries: [{ value: '198.51.100.1', until: '2024-01-01T00:00:00Z', reason: 'pentest' }] });
    const t = Date.parse('2024-01-01T00:00:00Z');
    expect(list.match('198.51.100.1', t - 1)).toMatchObject({ reason: 'pentest', source: 'config', until: t });
    expect(list.contains('198.51.100.1', t)).toBe(false);
  });

  it('add / remove / list', () => {
    const list = allowlist({ trustedProxies: [] });
    list.add('203.0.113.9', { reason: 'office' });
    expect(list.list(0)).toEqual([{ value: '203.0.113.9', until: undefined, reason: 'office', source: 'manual' }]);
    expect(list.remove('203.0.113.9')).toBe(true);
    expect(list.remove('203.0.113.9')).toBe(false);
    expect(list.contains('203.0.113.9', 0)).toBe(false);
  });

  it('trusted proxies are never removable and always allowlisted', () => {
    const list = allowlist({ trustedProxies: ['173.245.48.0/20'] });
    expect(list.isTrustedProxy('173.245.50.1', 0)).toBe(true);
    expect(list.remove('173.245.48.0/20')).toBe(false);
    expect(list.contains('173.245.50.1', 0)).toBe(true);
  });

  it('detects a range overlapping an allowlisted address', () => {
    const list = allowlist({ entries: ['10.1.2.3'], trustedProxies: [] });
    expect(list.overlapping('10.0.0.0/8', 0)?.value).toBe('10.1.2.3');
    expect(list.overlapping('11.0.0.0/8', 0)).toBeUndefined();
  });

  it('rejects bad config with an error naming the path', () => {
    expect(() => allowlist({ entries: ['10.0.0.0/99'] })).toThrow(AllowlistError);
    expect(() => allowlist({ trustedProxies: ['proxy'] })).toThrow(/allowlist.trustedProxies/);
    expect(() => allowlist({ entries: [{ value: '10.0.0.1', until: 'tomorrow' }] })).toThrow(/RFC 3339/);
  });
});
