import { describe, expect, it } from 'vitest';
import { AddressSet } from './address-set.js';
import { InvalidAddressError, parseAddress, rangeContains } from './address.js';

describe('parseAddress', () => {
  it('canonicalises addresses and ranges', () => {
    expect(parseAddress('10.1.2.3/8').value).toBe('10.0.0.0/8');
    expect(parseAddress('1.2.3.4/32')).toMatchObject({ value: '1.2.3.4', exact: true });
    expect(parseAddress('2001:DB8:0:0:0:0:0:1').value).toBe('2001:db8::1');
    expect(parseAddress('2001:db8:1:2::/32').value).toBe('2001:db8::/32');
    expect(parseAddress('::ffff:192.0.2.1').value).toBe('192.0.2.1');
    expect(parseAddress('::ffff:10.0.0.0/104').value).toBe('10.0.0.0/8');
    expect(parseAddress('2001:0:0:1:0:0:0:1').value).toBe('2001:0:0:1::1');
    expect(parseAddress('::').value).toBe('::');
    expect(parseAddress('::1.2.3.4').value).toBe('::102:304');
  });

  it('rejects bad values with a typed error naming the value', () => {
    expect(() => parseAddress('10.0.0.0/33')).toThrow(InvalidAddressError);
    expect(() => parseAddress('nope')).toThrow(/"nope"/);
    expect(() => parseAddress('10.0.0.0/x')).toThrow(InvalidAddressError);
  });

  it('containment respects families and prefixes', () => {
    expect(rangeContains(parseAddress('10.0.0.0/8'), parseAddress('10.255.0.0/16'))).toBe(true);
    expect(rangeContains(parseAddress('10.0.0.0/16'), parseAddress('10.0.0.0/8'))).toBe(false);
    expect(rangeContains(parseAddress('::/0'), parseAddress('10.0.0.1'))).toBe(false);
  });
});

describe('AddressSet', () => {
  it('matches exact entries first, then the narrowest range, and forgets expired ones', () => {
    const set = new AddressSet<string>();
    set.add('10.0.0.0/8', 'wide');
    set.add('10.1.0.0/16', 'narrow', 1000);
    set.add('10.1.2.3', 'exact');
    expect(set.match('10.1.2.3', 0)?.data).toBe('exact');
    expect(set.match('10.1.9.9', 999)?.data).toBe('narrow');
    expect(set.match('10.1.9.9', 1000)?.data).toBe('wide');
    expect(set.match('11.0.0.1', 0)).toBeUndefined();
    expect(set.remove('10.0.0.0/8')?.data).toBe('wide');
    expect(set.match('10.1.9.9', 1000)).toBeUndefined();
    expect(set.entries(1000).map((e) => e.value)).toEqual(['10.1.2.3']);
  });
});
