import { describe, expect, it } from 'vitest';
import { normalizeIoc, DEFAULT_IOC_DEFAULTS, type IocInput } from './ioc.js';
import { IocMatcher } from './matcher.js';

const NOW = 1_700_000_000_000;
const ioc = (input: IocInput | string) => normalizeIoc(typeof input === 'string' ? { value: input } : input, DEFAULT_IOC_DEFAULTS, NOW);

function matcherWith(...values: (IocInput | string)[]): IocMatcher {
  const m = new IocMatcher();
  for (const v of values) m.set(ioc(v));
  return m;
}

describe('IocMatcher', () => {
  it('matches IPs exactly and by the longest range, IPv4 and IPv6', () => {
    const m = matcherWith('198.51.100.7', '203.0.113.0/24', { value: '203.0.113.128/25', threatType: 'c2' }, '2001:db8::1', '2001:db8:bad::/48');
    expect(m.matchIp('198.51.100.7')?.value).toBe('198.51.100.7');
    expect(m.matchIp('198.51.100.8')).toBeUndefined();
    expect(m.matchIp('203.0.113.5')?.value).toBe('203.0.113.0/24');
    expect(m.matchIp('203.0.113.200')).toMatchObject({ value: '203.0.113.128/25', threatType: 'c2' });
    expect(m.matchIp('2001:db8::1')?.type).toBe('ipv6');
    expect(m.matchIp('2001:db8:bad:1::9')?.value).toBe('2001:db8:bad::/48');
    expect(m.matchIp('2001:db8:bae::1')).toBeUndefined();
    expect(m.matchIp('not an ip')).toBeUndefined();
    expect(m.matches).toMatchObject({ ipv4: 1, ipv6: 1, cidr: 3 });
  });

  it('matches hosts: IP literals, listed domains and their subdomains', () => {
    const m = matcherWith('evil.example', '192.0.2.66');
    expect(m.matchHost('login.evil.example')?.value).toBe('evil.example');
    expect(m.matchHost('EVIL.example')?.value).toBe('evil.example');
    expect(m.matchHost('devil.example')).toBeUndefined();
    expect(m.matchHost('192.0.2.66')?.value).toBe('192.0.2.66');
    expect(m.matchHost('[::ffff:192.0.2.66]')?.value).toBe('192.0.2.66');
  });

  it('matches URLs exactly, else by host; hashes and emails in any case', () => {
    const m = matcherWith('http://files.example/dropper.exe', 'bad.example', 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', 'ceo@phish.example');
    expect(m.matchUrl('HTTP://files.example:80/dropper.exe')?.type).toBe('url');
    expect(m.matchUrl('http://files.example/other')).toBeUndefined();
    expect(m.matchUrl('https://www.bad.example/x')?.value).toBe('bad.example');
    expect(m.matchHash('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')?.type).toBe('sha256');
    expect(m.matchHash('E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855')?.type).toBe('sha256');
    expect(m.matchEmail('CEO@phish.example')?.type).toBe('email');
    expect(m.counts()).toMatchObject({ url: 1, domain: 1, sha256: 1, email: 1, md5: 0 });
  });

  it('checks any value, saying how it matched', () => {
    const m = matcherWith('10.0.0.0/8', 'evil.example');
    expect(m.check('10.1.2.3')).toMatchObject({ type: 'ipv4', match: { kind: 'cidr', ioc: { value: '10.0.0.0/8' } } });
    expect(m.check('10.0.0.0/8')).toMatchObject({ type: 'cidr', match: { kind: 'exact' } });
    expect(m.check('a.evil.example')).toMatchObject({ type: 'domain', match: { kind: 'domain' } });
    expect(m.check('x@a.evil.example')).toMatchObject({ type: 'email', match: { kind: 'domain' } });
    expect(m.check('good.example')).toEqual({ type: 'domain', match: undefined });
    expect(m.check('???')).toEqual({ type: undefined, match: undefined });
  });

  it('replaces, deletes and expires incrementally', () => {
    const m = matcherWith({ value: '10.0.0.0/8', expiresAt: NOW + 1000 }, { value: '192.0.2.1', expiresAt: NOW + 5000 }, 'evil.example');
    m.set(ioc({ value: 'evil.example', threatType: 'phishing' }));
    expect(m.matchHost('evil.example')?.threatType).toBe('phishing');
    expect(m.size).toBe(3);
    expect(m.expire(NOW + 1000).map((i) => i.value)).toEqual(['10.0.0.0/8']);
    expect(m.matchIp('10.1.1.1')).toBeUndefined();
    expect(m.matchIp('192.0.2.1')).toBeDefined();
    expect(m.delete('domain', 'evil.example')).toBe(true);
    expect(m.delete('domain', 'evil.example')).toBe(false);
    expect(m.size).toBe(1);
  });

  it('keeps matching correctly through many IPv4 removals (the /24 filter is rebuilt from what is live)', () => {
    const m = new IocMatcher();
    const address = (i: number) => `198.${(i >> 8) & 255}.${i & 255}.9`;
    for (let i = 0; i < 3000; i++) m.set(ioc(address(i)));
    m.set(ioc('203.0.113.0/24'));
    for (let i = 0; i < 2900; i++) expect(m.delete('ipv4', address(i))).toBe(true);
    expect(m.matchIp(address(5))).toBeUndefined();
    expect(m.matchIp(address(2950))?.value).toBe(address(2950));
    expect(m.matchIp('203.0.113.77')?.value).toBe('203.0.113.0/24');
    expect(m.delete('cidr', '203.0.113.0/24')).toBe(true);
    expect(m.matchIp('203.0.113.77')).toBeUndefined();
    m.set(ioc(address(5)));
    expect(m.matchIp(address(5))?.value).toBe(address(5));
  });
});
