import { describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../core/event.js';
import { LiveStats } from './live-stats.js';

function event(kind: string, sourceIp: string, username?: string, country?: string): SecurityEvent {
  const e: SecurityEvent = { id: 'e', timestamp: 0, kind, sourceIp, labels: {} };
  if (username !== undefined) e.username = username;
  if (country !== undefined) e.geo = { country, latitude: 0, longitude: 0 };
  return e;
}

describe('LiveStats', () => {
  it('counts events and login failures per second and keeps a bounded history', () => {
    const stats = new LiveStats({ historySeconds: 3, topWindowSeconds: 60, maxKeys: 100 });
    stats.record([event('login.failure', '192.0.2.1', 'a'), event('login.success', '192.0.2.1', 'a'), event('http.request', '192.0.2.2')]);
    expect(stats.closeSecond(1000)).toEqual({ t: 1000, events: 3, failures: 1 });
    expect(stats.closeSecond(2000)).toEqual({ t: 2000, events: 0, failures: 0 });
    stats.closeSecond(3000);
    stats.closeSecond(4000);
    expect(stats.series().map((p) => p.t)).toEqual([2000, 3000, 4000]);
  });

  it('ranks the busiest IPs, usernames and countries (from event geo)', () => {
    const stats = new LiveStats({ historySeconds: 10, topWindowSeconds: 60, maxKeys: 100 });
    const batch: SecurityEvent[] = [];
    for (let i = 0; i < 5; i++) batch.push(event('login.failure', '198.51.100.7', 'root', 'NL'));
    for (let i = 0; i < 3; i++) batch.push(event('login.failure', '198.51.100.8', 'admin', 'FR'));
    batch.push(event('login.failure', '198.51.100.9', 'guest'));
    stats.record(batch);
    const top = stats.top(2);
    expect(top.ips).toEqual([
      { key: '198.51.100.7', count: 5 },
      { key: '198.51.100.8', count: 3 },
    ]);
    expect(top.usernames.map((e) => e.key)).toEqual(['root', 'admin']);
    expect(top.countries).toEqual([
      { key: 'NL', count: 5 },
      { key: 'FR', count: 3 },
    ]);
  });

  it('counts over the current and previous window only, and bounds the keys (overflow counted)', () => {
    const stats = new LiveStats({ historySeconds: 10, topWindowSeconds: 10, maxKeys: 2 });
    stats.closeSecond(0);
    stats.record([event('x', '192.0.2.1'), event('x', '192.0.2.2'), event('x', '192.0.2.3')]);
    expect(stats.top().ips.map((e) => e.key).sort()).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(stats.top().overflow).toBe(1);
    stats.closeSecond(10_000); // rotate: those counts are now the previous window
    expect(stats.top().ips).toHaveLength(2);
    stats.closeSecond(20_000); // rotate again: forgotten
    expect(stats.top().ips).toEqual([]);
  });

  it('samples the top lists above topSamplesPerSecond, weighting what it counts', () => {
    const stats = new LiveStats({ historySeconds: 10, topWindowSeconds: 60, maxKeys: 100, topSamplesPerSecond: 1000 });
    // A periodic pattern (every 4th event from the attacker, 40 % of the rest spread over three IPs):
    // a fixed one-in-four sampler would see only one of the four positions.
    const burst = Array.from({ length: 4000 }, (_, i) => event('login.failure', i % 4 === 0 ? '192.0.2.9' : `192.0.2.${i % 4}`));
    stats.record(burst); // the first second: every event counted
    expect(stats.closeSecond(0)).toMatchObject({ events: 4000, failures: 4000 });
    expect(stats.top().sampleEvery).toBe(4);
    stats.record(burst); // now about one in four, with weight four: the series still counts every event
    expect(stats.closeSecond(1000)).toMatchObject({ events: 4000, failures: 4000 });
    const second = stats.top().ips.map((e) => ({ ...e, count: e.count - 1000 })); // minus the exact first second
    const attacker = second.find((e) => e.key === '192.0.2.9');
    for (const entry of second) expect(entry.count).toBeGreaterThan(700); // each ≈ 1000 (sd ≈ 55)
    expect(attacker?.count).toBeLessThan(1300);
  });
});
