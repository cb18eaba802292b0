import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipKey, ipOfKey, networkKey, networkOfKey, parseIpv4 } from './ip-key.js';
import { networkOf } from './network-key.js';

describe('ip keys', () => {
  it('turns canonical IPv4 addresses into int32 numbers and back', () => {
    expect(ipKey('0.0.0.0')).toBe(0);
    expect(ipKey('255.255.255.255')).toBe(-1);
    expect(ipKey('203.0.113.7')).toBe((203 << 24) | (113 << 8) | 7);
    for (const ip of ['0.0.0.0', '255.255.255.255', '203.0.113.7', '10.1.20.255']) expect(ipOfKey(ipKey(ip))).toBe(ip);
  });

  it('keeps anything else as the string itself', () => {
    for (const text of ['01.2.3.4', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', '1.2.3.4 ', '::1', '2001:db8::1', 'host', '']) {
      expect(ipKey(text)).toBe(text);
    }
  });

  it('agrees with net.isIP on which strings are IPv4, and is one-to-one', () => {
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '007', '', 'a'));
    const dotted = fc.array(octet, { minLength: 3, maxLength: 5 }).map((parts) => parts.join('.'));
    fc.assert(
      fc.property(fc.oneof(dotted, fc.string(), fc.ipV4(), fc.ipV6()), fc.ipV4(), (text, other) => {
        expect(parseIpv4(text) !== undefined).toBe(isIP(text) === 4);
        expect(ipOfKey(ipKey(text))).toBe(text);
        expect(ipKey(text) === ipKey(other)).toBe(text === other);
      }),
    );
  });

  it('networkKey names the same network as networkOf', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()), (ip) => {
        const key = networkKey(ip);
        expect(key === undefined ? undefined : networkOfKey(key)).toBe(networkOf(ip));
      }),
    );
  });
});
