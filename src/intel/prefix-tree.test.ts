import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BlockList } from 'node:net';
import { intToIpv4, ipv6Words, parseIpv4Int } from './ioc-type.js';
import { PrefixTree } from './prefix-tree.js';

const v4 = (ip: string) => [parseIpv4Int(ip)];

describe('PrefixTree', () => {
  it('finds the longest IPv4 prefix and nothing outside every prefix', () => {
    const tree = new PrefixTree<string>(32, 2);
    tree.insert(v4('10.0.0.0'), 8, 'ten');
    tree.insert(v4('10.1.0.0'), 16, 'ten-one');
    tree.insert(v4('10.1.2.3'), 32, 'host');
    expect(tree.lookup32(parseIpv4Int('10.9.9.9'))).toBe('ten');
    expect(tree.lookup32(parseIpv4Int('10.1.9.9'))).toBe('ten-one');
    expect(tree.lookup32(parseIpv4Int('10.1.2.3'))).toBe('host');
    expect(tree.lookup32(parseIpv4Int('11.0.0.0'))).toBeUndefined();
    expect(tree.size).toBe(3);
    expect(tree.remove(v4('10.1.0.0'), 16)).toBe('ten-one');
    expect(tree.lookup32(parseIpv4Int('10.1.9.9'))).toBe('ten');
    expect(tree.remove(v4('10.1.0.0'), 16)).toBeUndefined();
    tree.compact();
    expect(tree.size).toBe(2);
    expect(tree.lookup32(parseIpv4Int('10.1.2.3'))).toBe('host');
    tree.insert([0], 0, 'everything');
    expect(tree.lookup32(parseIpv4Int('192.0.2.1'))).toBe('everything');
  });

  it('finds the longest IPv6 prefix', () => {
    const tree = new PrefixTree<string>(128);
    tree.insert(ipv6Words('2001:db8::') as Uint32Array, 32, 'doc');
    tree.insert(ipv6Words('2001:db8:1::') as Uint32Array, 48, 'doc-1');
    expect(tree.lookupWords(ipv6Words('2001:db8:1::5') as Uint32Array)).toBe('doc-1');
    expect(tree.lookupWords(ipv6Words('2001:db8:2::5') as Uint32Array)).toBe('doc');
    expect(tree.lookupWords(ipv6Words('2001:db9::') as Uint32Array)).toBeUndefined();
    expect(tree.get(ipv6Words('2001:db8::') as Uint32Array, 32)).toBe('doc');
  });

  it('agrees with net.BlockList on random IPv4 prefixes and addresses', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 32 })), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 50 }),
        (prefixes, addresses) => {
          const tree = new PrefixTree<number>(32);
          const list = new BlockList();
          prefixes.forEach(([n, len], i) => {
            tree.insert([n], len, i);
            list.addSubnet(intToIpv4(n), len, 'ipv4');
          });
          for (const a of addresses) {
            const hit = tree.lookup32(a);
            expect(hit !== undefined).toBe(list.check(intToIpv4(a), 'ipv4'));
          }
          // After removing every other prefix, lookups agree with a list of the rest.
          const rest = new BlockList();
          prefixes.forEach(([n, len], i) => {
            if (i % 2 === 0) tree.remove([n], len);
          });
          const kept = prefixes.filter((_, i) => i % 2 === 1 && !prefixes.some(([n2, l2], j) => j % 2 === 0 && l2 === prefixes[i]?.[1] && (n2 >>> (32 - l2)) === ((prefixes[i]?.[0] as number) >>> (32 - l2))));
          for (const [n, len] of kept) rest.addSubnet(intToIpv4(n), len, 'ipv4');
          for (const a of addresses) expect(tree.lookup32(a) !== undefined, intToIpv4(a)).toBe(rest.check(intToIpv4(a), 'ipv4'));
          prefixes.forEach(([n, len], i) => tree.insert([n], len, i));
          // Any address inside a prefix is matched by a prefix at least as long.
          for (const [n, len] of prefixes) {
            const hit = tree.lookup32(n >>> 0) as number;
            expect((prefixes[hit] as [number, number])[1]).toBeGreaterThanOrEqual(len);
          }
        },
      ),
    );
  });
});

describe('Ipv4Table', () => {
  it('maps every 32-bit address, survives deletes and growth', async () => {
    const { Ipv4Table } = await import('./ipv4-table.js');
    const table = new Ipv4Table<number>(4);
    const keys = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, parseIpv4Int('203.0.113.9')];
    for (let i = 0; i < 5000; i++) keys.push((i * 2654435761) >>> 0);
    keys.forEach((k, i) => table.set(k, i));
    const unique = new Map(keys.map((k, i) => [k, i]));
    expect(table.size).toBe(unique.size);
    for (const [k, i] of unique) expect(table.get(k)).toBe(i);
    expect(table.get(12345)).toBeUndefined();
    for (const [k] of [...unique].slice(0, 2500)) expect(table.delete(k)).toBe(true);
    expect(table.delete(0)).toBe(false);
    for (const [k, i] of [...unique].slice(2500)) expect(table.get(k)).toBe(i);
    for (const [k] of [...unique].slice(0, 2500)) expect(table.get(k)).toBeUndefined();
    table.set(0xffffffff, -1);
    expect(table.get(0xffffffff)).toBe(-1);
    expect([...table.all()].length).toBe(table.size);
  });
});
