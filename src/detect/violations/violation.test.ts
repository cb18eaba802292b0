import { describe, expect, it } from 'vitest';
import type { Detection } from '../../core/detection.js';
import type { SecurityEvent } from '../../core/event.js';
import { IdGenerator } from '../../core/ids.js';
import type { DetectionListener } from '../detector.js';
import {
  VIOLATION_BASE_LEVELS,
  ViolationDetector,
  baseLevelForViolation,
  detectionTypeFor,
  hasScriptAndEval,
  violationConfigSchema,
  type ViolationConfig,
} from './violation.js';
import { Value } from '@sinclair/typebox/value';

function listener() {
  const opened: Detection[] = [];
  const closed: Detection[] = [];
  const l: DetectionListener = { opened: (d) => void opened.push(d), closed: (d) => void closed.push(d) };
  return { l, opened, closed };
}

let n = 0;
function violation(t: number, type: string | undefined, ip = '203.0.113.5', extra: Partial<SecurityEvent> = {}): SecurityEvent {
  const event: SecurityEvent = { id: `e${++n}`, timestamp: t, kind: 'waf.violation', sourceIp: ip, labels: {}, ...extra };
  if (type !== undefined) event.violationType = type;
  return event;
}

const config = Value.Default(violationConfigSchema, {}) as ViolationConfig;

function detector(overrides: Partial<ViolationConfig> = {}) {
  const { l, opened, closed } = listener();
  const d = new ViolationDetector({ ...config, ...overrides }, l, new IdGenerator('t', 'x'));
  return { d, opened, closed };
}

describe('violation base levels', () => {
  it('maps the native types to the spec levels, anything else LOW', () => {
    expect(VIOLATION_BASE_LEVELS).toEqual({
      XSS_ATTACK: 'HIGH',
      CSRF_VIOLATION: 'HIGH',
      SQL_INJECTION: 'CRITICAL',
      CORS_VIOLATION: 'MEDIUM',
      RATE_LIMIT_VIOLATION: 'LOW',
    });
    expect(baseLevelForViolation('PATH_TRAVERSAL')).toBe('LOW');
    expect(baseLevelForViolation('toString')).toBe('LOW');
    expect(detectionTypeFor('XSS_ATTACK')).toBe('xss_attack');
    expect(detectionTypeFor('Weird-Type!')).toBe('weird_type_');
  });

  it('script+eval is case-insensitive and needs both', () => {
    expect(hasScriptAndEval('<SCRIPT>EvAl(1)</script>')).toBe(true);
    expect(hasScriptAndEval('<script>alert(1)</script>')).toBe(false);
    expect(hasScriptAndEval('eval(x)')).toBe(false);
  });
});

describe('ViolationDetector', () => {
  it('raises one detection per (ip, type) on the first event, at the base level', () => {
    const { d, opened } = detector();
    d.onEvent(violation(1000, 'XSS_ATTACK'));
    d.onEvent(violation(2000, 'SQL_INJECTION'));
    d.onEvent(violation(3000, 'XSS_ATTACK', '198.51.100.7'));
    d.onEvent(violation(4000, 'SOMETHING_NEW'));
    expect(opened.map((x) => [x.type, x.severity, x.sourceIp])).toEqual([
      ['xss_attack', 'HIGH', '203.0.113.5'],
      ['sql_injection', 'CRITICAL', '203.0.113.5'],
      ['xss_attack', 'HIGH', '198.51.100.7'],
      ['something_new', 'LOW', '203.0.113.5'],
    ]);
  });

  it('ignores other kinds of events', () => {
    const { d, opened } = detector();
    d.onEvent({ ...violation(1, 'XSS_ATTACK'), kind: 'http.request' });
    expect(opened).toHaveLength(0);
    expect(d.stats().trackedKeys).toBe(0);
  });

  it('extends the detection within the window with count, times, excerpts and payload signals', () => {
    const { d, opened } = detector();
    d.onEvent(violation(1000, 'XSS_ATTACK', undefined, { eventData: 'a'.repeat(250), userAgent: 'curl/8.0' }));
    for (let i = 1; i <= 6; i++) d.onEvent(violation(1000 + i * 1000, 'XSS_ATTACK', undefined, { eventData: `p${i}` }));
    d.onEvent(violation(9000, 'XSS_ATTACK', undefined, { eventData: '<script>eval(document.cookie)</script>' }));
    expect(opened).toHaveLength(1);
    const ev = opened[0]!.evidence;
    expect(ev.eventCount).toBe(8);
    expect(ev.firstSeen).toBe(1000);
    expect(ev.lastSeen).toBe(9000);
    expect(ev.excerpts).toEqual(['a'.repeat(200), 'p1', 'p2', 'p3', 'p4']);
    expect(ev.maxEventDataLength).toBe(250);
    expect(ev.scriptAndEval).toBe(true);
    expect(ev.userAgent).toBe('curl/8.0');
    expect(ev.violationType).toBe('XSS_ATTACK');
    expect(opened[0]!.eventIds).toHaveLength(8);
  });

  it('closes after a quiet window and opens a new detection afterwards', () => {
    const { d, opened, closed } = detector({ windowSeconds: 300 });
    d.onEvent(violation(0, 'CSRF_VIOLATION'));
    d.onEvent(violation(200_000, 'CSRF_VIOLATION'));
    d.advance(500_000); // last seen 200 000 = 500 000 - 300 000: not yet quiet for a whole window
    expect(closed).toHaveLength(0);
    d.advance(500_001);
    expect(closed).toHaveLength(1);
    expect(closed[0]!.status).toBe('closed');
    d.onEvent(violation(600_000, 'CSRF_VIOLATION'));
    expect(opened).toHaveLength(2);
    expect(opened[1]!.id).not.toBe(opened[0]!.id);
  });

  it('is bounded: the least recently seen pair is closed at the limit and counted', () => {
    const { d, closed } = detector({ maxOpenDetections: 2 });
    d.onEvent(violation(1, 'XSS_ATTACK', '10.0.0.1'));
    d.onEvent(violation(2, 'XSS_ATTACK', '10.0.0.2'));
    d.onEvent(violation(3, 'XSS_ATTACK', '10.0.0.3'));
    expect(closed.map((x) => x.sourceIp)).toEqual(['10.0.0.1']);
    expect(d.stats()).toEqual({ trackedKeys: 2, evictedKeys: 1 });
  });

  it('flush closes everything; a missing violationType is unknown_violation (LOW)', () => {
    const { d, opened, closed } = detector();
    d.onEvent(violation(1, undefined));
    d.flush();
    expect(opened[0]!.type).toBe('unknown_violation');
    expect(opened[0]!.severity).toBe('LOW');
    expect(closed).toHaveLength(1);
  });
});
