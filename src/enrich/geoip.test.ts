import { describe, expect, it } from 'vitest';
import { distanceKm, GeoIp, isRoutable } from './geoip.js';

describe('GeoIp', () => {
  const geo = new GeoIp({ cacheSize: 2 });

  it('locates public addresses from the bundled DB-IP Lite database', () => {
    expect(geo.lookup('8.8.8.8')).toMatchObject({ country: 'US' });
    const london = geo.lookup('81.2.69.160');
    expect(london?.country).toBe('GB');
    expect(london?.latitude).toBeCloseTo(51.5, 0);
  });

  it('returns undefined for private, loopback, link-local, documentation and invalid addresses', () => {
    for (const ip of ['10.1.2.3', '192.168.1.1', '172.16.0.1', '127.0.0.1', '169.254.1.1', '100.64.0.1', '203.0.113.5', '::1', 'fe80::1', 'fd00::1', 'nonsense']) {
      expect(geo.lookup(ip)).toBeUndefined();
    }
  });

  it('caches answers in a bounded LRU', () => {
    const g = new GeoIp({ cacheSize: 2 });
    g.lookup('8.8.8.8');
    g.lookup('8.8.8.8');
    expect(g.hits).toBe(1);
    g.lookup('1.1.1.1');
    g.lookup('9.9.9.9'); // evicts 8.8.8.8
    g.lookup('8.8.8.8');
    expect(g.misses).toBe(4);
  });

  it('isRoutable and distanceKm', () => {
    expect(isRoutable('8.8.8.8')).toBe(true);
    expect(isRoutable('172.32.0.1')).toBe(true);
    expect(isRoutable('172.31.0.1')).toBe(false);
    expect(isRoutable('2001:db8::1')).toBe(false);
    const paris = { latitude: 48.8566, longitude: 2.3522 };
    const ny = { latitude: 40.7128, longitude: -74.006 };
    expect(Math.round(distanceKm(paris, ny))).toBe(5837);
  });
});
