import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import type { GeoLocation } from '../../core/geo.js';
import { ImpossibleTravelDetector, impossibleTravelConfigSchema } from './impossible-travel.js';
import { ok, recorder, T0, testIds } from './test-support.js';

/** A fake locator: 1.x is Paris, 2.x is New York (5837 km), 3.x is Lyon (392 km from Paris), 10.x private. */
const PLACES: Record<string, GeoLocation> = {
  '1': { latitude: 48.8566, longitude: 2.3522, country: 'FR', city: 'Paris' },
  '2': { latitude: 40.7128, longitude: -74.006, country: 'US', city: 'New York' },
  '3': { latitude: 45.764, longitude: 4.8357, country: 'FR', city: 'Lyon' },
};
const geo = { lookup: (ip: string) => PLACES[ip.split('.')[0] as string] };

function detector(over: object = {}) {
  const rec = recorder();
  const config = { ...(Value.Default(impossibleTravelConfigSchema, {}) as object), ...over } as never;
  return { d: new ImpossibleTravelDetector(config, rec.listener, testIds(), geo), ...rec };
}

describe('ImpossibleTravelDetector', () => {
  it('has the documented defaults', () => {
    expect(Value.Default(impossibleTravelConfigSchema, {})).toMatchObject({ minDistanceKm: 1000, maxSpeedKmh: 1000, severity: 'MEDIUM' });
  });

  it('Paris then New York an hour later is impossible; seven hours later is not', () => {
    const a = detector();
    const b = detector();
    a.d.onEvent(ok('1.0.0.1', 'alice', 0));
    a.d.onEvent(ok('2.0.0.1', 'alice', 3600));
    b.d.onEvent(ok('1.0.0.1', 'alice', 0));
    b.d.onEvent(ok('2.0.0.1', 'alice', 7 * 3600)); // 834 km/h
    expect(a.opened).toHaveLength(1);
    expect(a.opened[0]).toMatchObject({ type: 'impossible_travel', username: 'alice', severity: 'MEDIUM' });
    expect(a.opened[0]?.evidence.firstHop).toMatchObject({ distanceKm: 5837, speedKmh: 5837 });
    expect(b.opened).toHaveLength(0);
  });

  it('needs more than 1000 km: Paris → Lyon in one minute is not flagged', () => {
    const { d, opened } = detector();
    d.onEvent(ok('1.0.0.1', 'bob', 0));
    d.onEvent(ok('3.0.0.1', 'bob', 60));
    expect(opened).toHaveLength(0);
  });

  it('private or unknown addresses never trigger', () => {
    const { d, opened } = detector();
    d.onEvent(ok('1.0.0.1', 'carol', 0));
    d.onEvent(ok('10.0.0.1', 'carol', 1));
    d.onEvent(ok('9.9.9.9', 'carol', 2));
    expect(opened).toHaveLength(0);
  });

  it('out of order: the older login compares by absolute time and does not replace the newer', () => {
    const { d, opened } = detector();
    d.onEvent(ok('2.0.0.1', 'dave', 3600));
    d.onEvent(ok('1.0.0.1', 'dave', 0));
    expect(opened).toHaveLength(1);
    d.onEvent(ok('2.0.0.2', 'dave', 3700)); // same city as the newest: no new hop
    expect(opened[0]?.evidence.hops).toBe(1);
  });

  it('one detection per user per window, further hops extend it; eviction counted', () => {
    const { d, opened, closed } = detector({ maxTrackedUsers: 1 });
    d.onEvent(ok('1.0.0.1', 'erin', 0));
    d.onEvent(ok('2.0.0.1', 'erin', 600));
    d.onEvent(ok('1.0.0.1', 'erin', 1200));
    expect(opened).toHaveLength(1);
    expect(opened[0]?.evidence.hops).toBe(2);
    d.advance(T0 + 1_200_000 + 3_600_001);
    expect(closed).toHaveLength(1);
    d.onEvent(ok('1.0.0.1', 'frank', 9000));
    expect(d.stats()).toEqual({ trackedKeys: 1, evictedKeys: 1 });
  });

  it('uses event.geo when the enricher set it', () => {
    const { d, opened } = detector();
    d.onEvent(ok('9.0.0.1', 'gina', 0, { geo: PLACES['1'] }));
    d.onEvent(ok('9.0.0.2', 'gina', 60, { geo: PLACES['2'] }));
    expect(opened).toHaveLength(1);
  });
});
