import { isIPv4 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIp, isDottedQuad, isLoopback, maskIp } from './ip.js';

describe('ip helpers', () => {
  it('canonicalises addresses and rejects non-addresses', () => {
    expect(canonicalIp('203.0.113.7')).toBe('203.0.113.7');
    expect(canonicalIp('::FFFF:203.0.113.7')).toBe('203.0.113.7');
    expect(canonicalIp('2001:DB8::1')).toBe('2001:db8::1');
    expect(canonicalIp('256.1.1.1')).toBeUndefined();
    expect(canonicalIp('example.com')).toBeUndefined();
    expect(canonicalIp('')).toBeUndefined();
  });
  it('masks the host part for logs and metric labels', () => {
    expect(maskIp('203.0.113.7')).toBe('203.0.***.***');
    expect(maskIp('2001:db8:1:2::1')).toBe('2001:db8:****');
  });
  it('knows loopback', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.8.9.10')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
  });
  it('checks dotted quads exactly as net.isIPv4 does', () => {
    for (const v of ['0.0.0.0', '255.255.255.255', '1.2.3.4', '256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1..2.3', '1.2.3.4 ', '', '1.2.3.0x1']) {
      expect(isDottedQuad(v), v).toBe(isIPv4(v));
    }
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '007', '', 'a', '1 ', '٣'));
    const candidate = fc.oneof(
      fc.array(octet, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
      fc.string({ unit: fc.constantFrom('0', '1', '2', '5', '9', '.', ' ', ':'), maxLength: 17 }),
    );
    fc.assert(fc.property(candidate, (v) => isDottedQuad(v) === isIPv4(v)), { numRuns: 20_000 });
  });
});
