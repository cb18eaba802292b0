import { describe, expect, it } from 'vitest';
import { canonicalIp, isLoopback, maskIp } from './ip.js';

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
});
