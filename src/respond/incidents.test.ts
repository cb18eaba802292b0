import { describe, expect, it } from 'vitest';
import type { Incident } from '../core/detection.js';
import { IdGenerator } from '../core/ids.js';
import { IncidentTracker } from './incidents.js';
import { makeDetection } from './test-helpers.js';

const HOUR = 3_600_000;
const tracker = (max = 100) =>
  new IncidentTracker({ gapSeconds: 3600, maxOpenIncidents: max, maxDetectionsPerIncident: 100, maxReasonsPerIncident: 50 }, new IdGenerator('inc', 'x'));
const score = (level: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL', confidence = 0.5, reasons: string[] = []) => ({ level, confidence, reasons });

describe('IncidentTracker', () => {
  it('groups by IP within the gap; level and confidence are the max', () => {
    const t = tracker();
    const a = t.add(makeDetection(), score('MEDIUM', 0.9, ['r1']), 0)!;
    const b = t.add(makeDetection(), score('CRITICAL', 0.4, ['r2']), HOUR)!;
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.escalated).toBe(true);
    expect(b.incident.id).toBe(a.incident.id);
    expect(b.incident.level).toBe('CRITICAL');
    expect(b.incident.confidence).toBe(0.9);
    expect(b.incident.detections).toHaveLength(2);
    expect(b.reasons).toEqual(['r1', 'r2']);
  });

  it('a detection after more than the gap opens a new incident and resolves the old one', () => {
    const t = tracker();
    const first = t.add(makeDetection(), score('HIGH'), 0)!;
    const resolved: Incident[] = [];
    const second = t.add(makeDetection(), score('LOW'), HOUR + 1, resolved)!;
    expect(second.created).toBe(true);
    expect(second.incident.level).toBe('LOW');
    expect(resolved.map((i) => i.id)).toEqual([first.incident.id]);
    expect(first.incident.status).toBe('resolved');
  });

  it('uses the user as subject when there is no IP, and skips detections with neither', () => {
    const t = tracker();
    const u = t.add(makeDetection({ sourceIp: undefined, username: 'alice' }), score('HIGH'), 0)!;
    expect(u.incident.subject).toEqual({ scope: 'user', value: 'alice' });
    expect(t.add(makeDetection({ sourceIp: undefined }), score('HIGH'), 0)).toBeUndefined();
  });

  it('replaces a re-scored detection instead of listing it twice', () => {
    const t = tracker();
    const d = makeDetection();
    t.add(d, score('MEDIUM'), 0);
    const again = t.add(d, score('HIGH'), 10)!;
    expect(again.incident.detections).toHaveLength(1);
    expect(again.incident.level).toBe('HIGH');
  });

  it('resolves quiet incidents (gap exceeded), keeps the others', () => {
    const t = tracker();
    t.add(makeDetection({ sourceIp: '10.0.0.1' }), score('LOW'), 0);
    t.add(makeDetection({ sourceIp: '10.0.0.2' }), score('LOW'), HOUR);
    expect(t.resolveQuiet(HOUR)).toHaveLength(0);
    expect(t.resolveQuiet(HOUR + 1).map((i) => i.subject.value)).toEqual(['10.0.0.1']);
    expect(t.size).toBe(1);
  });

  it('is bounded: the least recently updated incident is resolved early', () => {
    const t = tracker(2);
    t.add(makeDetection({ sourceIp: '10.0.0.1' }), score('LOW'), 0);
    t.add(makeDetection({ sourceIp: '10.0.0.2' }), score('LOW'), 1);
    t.add(makeDetection({ sourceIp: '10.0.0.1' }), score('LOW'), 2);
    const resolved: Incident[] = [];
    t.add(makeDetection({ sourceIp: '10.0.0.3' }), score('LOW'), 3, resolved);
    expect(resolved.map((i) => i.subject.value)).toEqual(['10.0.0.2']);
    expect(t.evicted).toBe(1);
  });
});
