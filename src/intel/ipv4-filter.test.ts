import { describe, expect, it } from 'vitest';
import { parseIpv4Int } from './ioc-type.js';
import { Ipv4Slash24Filter } from './ipv4-filter.js';

const ip = (text: string) => parseIpv4Int(text);

describe('Ipv4Slash24Filter', () => {
  it('marks the /24 of an exact address and nothing else', () => {
    const f = new Ipv4Slash24Filter();
    f.addAddress(ip('203.0.113.7'));
    expect(f.mayContain(ip('203.0.113.200'))).toBe(true);
    expect(f.mayContain(ip('203.0.112.7'))).toBe(false);
    expect(f.mayContain(ip('203.0.114.7'))).toBe(false);
  });

  it('marks every /24 a range overlaps, for short and long prefixes', () => {
    const f = new Ipv4Slash24Filter();
    f.addRange(ip('198.51.100.128'), 25);
    f.addRange(ip('10.20.4.0'), 22);
    f.addRange(ip('172.16.0.0'), 12);
    expect(f.mayContain(ip('198.51.100.1'))).toBe(true);
    for (const inside of ['10.20.4.1', '10.20.7.255']) expect(f.mayContain(ip(inside))).toBe(true);
    for (const outside of ['10.20.3.255', '10.20.8.0']) expect(f.mayContain(ip(outside))).toBe(false);
    for (const inside of ['172.16.0.0', '172.31.255.255']) expect(f.mayContain(ip(inside))).toBe(true);
    for (const outside of ['172.15.255.255', '172.32.0.0']) expect(f.mayContain(ip(outside))).toBe(false);
  });

  it('handles addresses above 2^31 and the whole space', () => {
    const f = new Ipv4Slash24Filter();
    f.addAddress(ip('255.255.255.255'));
    expect(f.mayContain(ip('255.255.255.0'))).toBe(true);
    expect(f.mayContain(ip('255.255.254.0'))).toBe(false);
    f.addRange(0, 0);
    expect(f.mayContain(ip('0.0.0.0'))).toBe(true);
    expect(f.mayContain(ip('128.1.2.3'))).toBe(true);
    f.clear();
    expect(f.mayContain(ip('128.1.2.3'))).toBe(false);
  });

  it('never misses: random ranges and addresses are always reported as possible', () => {
    const f = new Ipv4Slash24Filter();
    let seed = 1;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const ranges: [number, number][] = [];
    for (let i = 0; i < 200; i++) {
      const length = 8 + Math.floor(rand() * 25);
      const network = (Math.floor(rand() * 2 ** 32) & (length === 0 ? 0 : ~0 << (32 - length))) >>> 0;
      ranges.push([network, length]);
      f.addRange(network, length);
    }
    for (const [network, length] of ranges) {
      const last = (network + 2 ** (32 - length) - 1) >>> 0;
      expect(f.mayContain(network)).toBe(true);
      expect(f.mayContain(last)).toBe(true);
    }
  });
});
