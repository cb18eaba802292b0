import { describe, expect, it } from 'vitest';
import { maskedNetwork } from './ip-label.js';

describe('maskedNetwork', () => {
  it('keeps the /24 of an IPv4 address', () => {
    expect(maskedNetwork('203.0.113.77')).toBe('203.0.113.0/24');
    expect(maskedNetwork('8.8.8.8')).toBe('8.8.8.0/24');
  });

  it('keeps the /48 of an IPv6 address, compressed or not', () => {
    expect(maskedNetwork('2001:db8:1:2::5')).toBe('2001:db8:1::/48');
    expect(maskedNetwork('2001:0db8:00ab:ffff:0:0:0:1')).toBe('2001:db8:ab::/48');
    expect(maskedNetwork('::1')).toBe('0:0:0::/48');
  });

  it('never passes anything else through', () => {
    expect(maskedNetwork('not-an-ip')).toBe('invalid');
    expect(maskedNetwork('alice')).toBe('invalid');
  });
});
