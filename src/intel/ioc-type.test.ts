import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalCidr, detectIocType, InvalidIocError, ipv6Words, parseIoc, parseIpv4Int, parseIpv6Words } from './ioc-type.js';

describe('IOC type detection and validation', () => {
  it.each([
    ['198.51.100.7', 'ipv4', '198.51.100.7'],
    ['::ffff:198.51.100.7', 'ipv4', '198.51.100.7'],
    ['2001:DB8::1', 'ipv6', '2001:db8::1'],
    ['198.51.100.77/24', 'cidr', '198.51.100.0/24'],
    ['2001:db8:abcd:12::/48', 'cidr', '2001:db8:abcd::/48'],
    ['Evil.Example.', 'domain', 'evil.example'],
    ['HTTP://Evil.Example:80/a?b=1#frag', 'url', 'http://evil.example/a?b=1'],
    ['Phish@Evil.Example', 'email', 'phish@evil.example'],
    ['D41D8CD98F00B204E9800998ECF8427E', 'md5', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['da39a3ee5e6b4b0d3255bfef95601890afd80709', 'sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ])('%s is %s', (text, type, value) => {
    expect(parseIoc(text)).toEqual({ type, value });
  });

  it('stores a single-address range as the address', () => {
    expect(parseIoc('203.0.113.9/32')).toEqual({ type: 'ipv4', value: '203.0.113.9' });
    expect(parseIoc('2001:db8::1/128')).toEqual({ type: 'ipv6', value: '2001:db8::1' });
  });

  it.each(['', '   ', 'hello', '999.1.1.1', '1.2.3.4/33', 'bad_domain', 'http://', 'a@b@c.example', 'abc123', 'example.123', 'x'.repeat(3000), 'javascript:alert(1)'])(
    'refuses %j',
    (text) => {
      expect(() => parseIoc(text)).toThrow(InvalidIocError);
    },
  );

  it('validates against a declared type', () => {
    expect(() => parseIoc('198.51.100.7', 'domain')).toThrow(/not a valid domain/);
    expect(() => parseIoc('d41d8cd98f00b204e9800998ecf8427e', 'sha1')).toThrow(/not a valid sha1/);
    expect(parseIoc('198.51.100.7', 'ipv4').value).toBe('198.51.100.7');
    expect(detectIocType('not an indicator')).toBeUndefined();
  });

  it('parses IPv4 to an int like the reference, refusing what net.isIP refuses', () => {
    expect(parseIpv4Int('0.0.0.0')).toBe(0);
    expect(parseIpv4Int('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4Int('1.2.3.4')).toBe(0x01020304);
    for (const bad of ['1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1', '1..2.3', 'a.b.c.d', '1.2.3.4 ', '']) expect(parseIpv4Int(bad)).toBe(-1);
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const expected = ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
        expect(parseIpv4Int(ip)).toBe(expected);
      }),
    );
  });

  it('parses IPv6 in every notation to the same words as its expansion', () => {
    const expand = (ip: string): number[] => {
      // Reference: the URL parser's canonical form, expanded by hand.
      const host = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
      const [head, tail] = host.includes('::') ? host.split('::') : [host, undefined];
      const h = head ? head.split(':') : [];
      const t = tail ? tail.split(':') : [];
      const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
      const n = groups.map((g) => parseInt(g, 16));
      return [0, 1, 2, 3].map((w) => (((n[w * 2] as number) << 16) | (n[w * 2 + 1] as number)) >>> 0);
    };
    for (const ip of ['::', '::1', '1::', '2001:db8::', '2001:db8::1:0:0:1', 'fe80::1:2', '::ffff:1.2.3.4', '64:ff9b::192.0.2.33', '1:2:3:4:5:6:7:8']) {
      expect([...(ipv6Words(ip) ?? [])], ip).toEqual(expand(ip));
    }
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        expect([...(ipv6Words(ip) ?? [])]).toEqual(expand(ip));
      }),
    );
    const out = new Uint32Array(4);
    for (const bad of [':', ':1', '1:', '1:::2', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3:4:5:6:7']) expect(parseIpv6Words(bad, out), bad).toBe(false);
  });

  it('clears host bits of ranges', () => {
    expect(canonicalCidr('10.1.2.3/8')).toBe('10.0.0.0/8');
    expect(canonicalCidr('0.0.0.0/0')).toBe('0.0.0.0/0');
    expect(canonicalCidr('2001:db8:ffff::1/33')).toBe('2001:db8:8000::/33');
    expect(canonicalCidr('10.0.0.0/x')).toBeUndefined();
  });
});
