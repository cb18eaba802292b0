import { describe, expect, it } from 'vitest';
import type { Detection } from '../../core/detection.js';
import type { SecurityEvent } from '../../core/event.js';
import { IdGenerator } from '../../core/ids.js';
import type { DetectionListener } from '../detector.js';
import { BruteForceDetector, type BruteForceConfig } from './brute-force.js';

const defaults: BruteForceConfig = { enabled: true, threshold: 5, windowSeconds: 300, severity: 'HIGH', maxTrackedIps: 1000 };

function harness(config: Partial<BruteForceConfig> = {}) {
  const opened: Detection[] = [];
  const closed: Detection[] = [];
  const listener: DetectionListener = { opened: (d) => opened.push(d), closed: (d) => closed.push(d) };
  const detector = new BruteForceDetector({ ...defaults, ...config }, listener, new IdGenerator('det', 't'));
  let n = 0;
  const fail = (ip: string, seconds: number, username = 'alice'): SecurityEvent => {
    const event: SecurityEvent = {
      id: `e${++n}`,
      timestamp: seconds * 1000,
      kind: 'login.failure',
      sourceIp: ip,
      username,
      labels: {},
    };
    detector.onEvent(event);
    return event;
  };
  return { detector, opened, closed, fail };
}

describe('BruteForceDetector', () => {
  it('4 failures in the window are not an attack; the 5th is', () => {
    const h = harness();
    for (let i = 0; i < 4; i++) h.fail('198.51.100.1', i * 10);
    expect(h.opened).toHaveLength(0);
    h.fail('198.51.100.1', 40);
    expect(h.opened).toHaveLength(1);
    const d = h.opened[0] as Detection;
    expect(d.type).toBe('brute_force');
    expect(d.severity).toBe('HIGH');
    expect(d.sourceIp).toBe('198.51.100.1');
    expect(d.evidence.eventCount).toBe(5);
    expect(d.eventIds).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
  });

  it('5 failures spread over 299 s are an attack, over 301 s are not', () => {
    const inside = harness();
    for (const s of [0, 70, 150, 220, 299]) inside.fail('198.51.100.2', s);
    expect(inside.opened).toHaveLength(1);

    const outside = harness();
    for (const s of [0, 70, 150, 220, 301]) outside.fail('198.51.100.2', s);
    expect(outside.opened).toHaveLength(0);
  });

  it('raises one detection per attack and updates it, not one per event', () => {
    const h = harness();
    for (let i = 0; i < 50; i++) h.fail('198.51.100.3', i, `user${i % 7}`);
    expect(h.opened).toHaveLength(1);
    const d = h.opened[0] as Detection;
    expect(d.evidence.eventCount).toBe(50);
    expect(d.evidence.distinctUsernames).toBe(7);
    expect(d.evidence.usernames).toHaveLength(7);
    expect(d.evidence.firstSeen).toBe(0);
    expect(d.evidence.lastSeen).toBe(49_000);
    expect(d.confidence).toBeGreaterThan(0.8);
    expect(d.confidence).toBeLessThanOrEqual(0.99);
  });

  it('counts out-of-order failures into the right window', () => {
    const h = harness();
    // Arrival order differs from event order; all five fall within 40 s.
    for (const s of [1040, 1000, 1030, 1010]) h.fail('198.51.100.4', s);
    expect(h.opened).toHaveLength(0);
    h.fail('198.51.100.4', 1020);
    expect(h.opened).toHaveLength(1);
    expect(h.opened[0]?.evidence.firstSeen).toBe(1_000_000);
    expect(h.opened[0]?.evidence.lastSeen).toBe(1_040_000);
  });

  it('a late failure still completes a window it belongs to', () => {
    const h = harness();
    for (const s of [0, 10, 20, 30]) h.fail('198.51.100.5', s);
    h.fail('198.51.100.5', 400); // newer, outside the first window
    expect(h.opened).toHaveLength(0);
    h.fail('198.51.100.5', 5); // arrives late, belongs with 0..30
    expect(h.opened).toHaveLength(1);
    expect(h.opened[0]?.evidence.eventCount).toBe(5);
  });

  it('does not count companion lines (a second log line for the same attempt)', () => {
    const h = harness();
    for (let i = 0; i < 4; i++) h.fail('198.51.100.10', i);
    h.detector.onEvent({ id: 'c', timestamp: 5000, kind: 'login.failure', sourceIp: '198.51.100.10', labels: { companion: 'true' } });
    expect(h.opened).toHaveLength(0);
    h.fail('198.51.100.10', 6);
    expect(h.opened).toHaveLength(1);
  });

  it('keeps IPs apart and ignores successes and other kinds', () => {
    const h = harness();
    for (let i = 0; i < 4; i++) h.fail('198.51.100.6', i);
    for (let i = 0; i < 4; i++) h.fail('198.51.100.7', i);
    h.detector.onEvent({ id: 's', timestamp: 5000, kind: 'login.success', sourceIp: '198.51.100.6', labels: {} });
    h.detector.onEvent({ id: 'w', timestamp: 5000, kind: 'waf.violation', sourceIp: '198.51.100.6', labels: {} });
    expect(h.opened).toHaveLength(0);
  });

  it('closes after a quiet window, and a new attack opens a new detection', () => {
    const h = harness();
    for (let i = 0; i < 5; i++) h.fail('198.51.100.8', i);
    h.detector.advance(4_000 + 300_000); // quiet for exactly one window: still open
    expect(h.closed).toHaveLength(0);
    h.detector.advance(4_000 + 300_001);
    expect(h.closed).toHaveLength(1);
    expect(h.closed[0]?.status).toBe('closed');
    for (let i = 0; i < 5; i++) h.fail('198.51.100.8', 1000 + i);
    expect(h.opened).toHaveLength(2);
    expect(h.opened[1]?.id).not.toBe(h.opened[0]?.id);
  });

  it('flush closes everything open', () => {
    const h = harness();
    for (let i = 0; i < 5; i++) h.fail('198.51.100.9', i);
    h.detector.flush();
    expect(h.closed).toHaveLength(1);
    expect(h.detector.stats().trackedKeys).toBe(0);
  });

  it('stays within maxTrackedIps, counts evictions and closes what an evicted IP held open', () => {
    const h = harness({ maxTrackedIps: 3 });
    for (let i = 0; i < 5; i++) h.fail('203.0.113.1', i);
    expect(h.opened).toHaveLength(1);
    // An IP gets state of its own at its second failure (its first is in the shared index).
    for (let k = 2; k <= 5; k++) {
      h.fail(`203.0.113.${k}`, 10);
      h.fail(`203.0.113.${k}`, 11);
    }
    const stats = h.detector.stats();
    expect(stats.trackedKeys).toBe(3);
    expect(stats.evictedKeys).toBe(2);
    expect(h.closed.map((d) => d.sourceIp)).toEqual(['203.0.113.1']);
  });

  it('honours a configured threshold, window and severity', () => {
    const h = harness({ threshold: 3, windowSeconds: 10, severity: 'CRITICAL' });
    h.fail('192.0.2.1', 0);
    h.fail('192.0.2.1', 5);
    h.fail('192.0.2.1', 11);
    expect(h.opened).toHaveLength(0);
    h.fail('192.0.2.1', 12);
    expect(h.opened).toHaveLength(1);
    expect(h.opened[0]?.severity).toBe('CRITICAL');
  });
});
