import { describe, expect, it } from 'vitest';
import { IpColumn } from './ip-column.js';
import { ipKey, ipOfKey } from './ip-key.js';

describe('IpColumn', () => {
  it('keeps IPv4 keys in the typed array and anything else beside it, across overwrites and growth', () => {
    const column = new IpColumn();
    column.grow(4);
    column.set(0, ipKey('203.0.113.9'));
    column.set(1, ipKey('2001:db8::1'));
    column.grow(8);
    expect(ipOfKey(column.get(0))).toBe('203.0.113.9');
    expect(column.get(1)).toBe('2001:db8::1');
    column.set(1, ipKey('10.0.0.1'));
    expect(ipOfKey(column.get(1))).toBe('10.0.0.1');
    column.set(0, ipKey('fe80::1%eth0'));
    expect(column.get(0)).toBe('fe80::1%eth0');
    column.clear(0);
    expect(column.get(0)).toBe(0);
    expect(column.get(1)).toBe(ipKey('10.0.0.1'));
  });
});
