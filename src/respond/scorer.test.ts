import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { ScorerConfigError, ThreatScorer, localHourAndWeekday, scorerConfigSchema, type ScorerConfig } from './scorer.js';
import { makeDetection } from './test-helpers.js';
import { ViolationHistory } from './violation-history.js';

const defaults = Value.Default(scorerConfigSchema, {}) as ScorerConfig;
function scorer(overrides: Partial<ScorerConfig> = {}, deps: ConstructorParameters<typeof ThreatScorer>[1] = {}): ThreatScorer {
  return new ThreatScorer({ ...defaults, timeZone: 'Europe/Berlin', ...overrides }, deps);
}

/** Monday 2024-01-15, Berlin is UTC+1 in January. */
const berlin = (hhmm: string): number => Date.parse(`2024-01-15T${hhmm}:00+01:00`);
const MONDAY_NOON = berlin('12:00');

describe('ThreatScorer level rules', () => {
  it('history: 5 keeps, 6 raises one level, 10 raises one level, 11 makes CRITICAL', () => {
    const s = scorer();
    const d = makeDetection({ severity: 'LOW' });
    expect(s.score(d, { at: MONDAY_NOON, violations: 5 }).level).toBe('LOW');
    expect(s.score(d, { at: MONDAY_NOON, violations: 6 }).level).toBe('MEDIUM');
    expect(s.score(d, { at: MONDAY_NOON, violations: 10 }).level).toBe('MEDIUM');
    const eleven = s.score(d, { at: MONDAY_NOON, violations: 11 });
    expect(eleven.level).toBe('CRITICAL');
    expect(eleven.reasons[0]).toMatch(/11 violations .*more than 10.*LOW → CRITICAL/);
  });

  it('off-hours in the configured time zone: 01:59 no, 02:00 yes, 05:59 yes, 06:00 no', () => {
    const s = scorer();
    const d = makeDetection({ severity: 'MEDIUM' });
    expect(s.score(d, { at: berlin('01:59') }).level).toBe('MEDIUM');
    expect(s.score(d, { at: berlin('02:00') }).level).toBe('HIGH');
    expect(s.score(d, { at: berlin('05:59') }).level).toBe('HIGH');
    expect(s.score(d, { at: berlin('06:00') }).level).toBe('MEDIUM');
    // The same instant, 02:30 UTC, is off-hours in UTC but 11:30 in Tokyo.
    expect(scorer({ timeZone: 'UTC' }).score(d, { at: Date.parse('2024-01-15T02:30:00Z') }).level).toBe('HIGH');
    expect(scorer({ timeZone: 'Asia/Tokyo' }).score(d, { at: Date.parse('2024-01-15T02:30:00Z') }).level).toBe('MEDIUM');
  });

  it('complex payload: 1000 characters no, 1001 yes; script+eval yes', () => {
    const s = scorer();
    expect(s.score(makeDetection({ severity: 'HIGH', evidence: { maxEventDataLength: 1000 } }), { at: MONDAY_NOON }).level).toBe('HIGH');
    const long = s.score(makeDetection({ severity: 'HIGH', evidence: { maxEventDataLength: 1001 } }), { at: MONDAY_NOON });
    expect(long.level).toBe('CRITICAL');
    expect(long.reasons).toEqual(['complex payload (1001 characters, more than 1000): HIGH → CRITICAL']);
    expect(s.score(makeDetection({ severity: 'LOW', evidence: { scriptAndEval: true } }), { at: MONDAY_NOON }).level).toBe('CRITICAL');
  });

  it('known threat source: IOC flag or configured IP / CIDR list (IPv6 too)', () => {
    const s = scorer({ threatList: ['198.51.100.0/24', '2001:db8:bad::/48'] });
    expect(s.score(makeDetection({ evidence: { ioc: true } }), { at: MONDAY_NOON }).level).toBe('CRITICAL');
    expect(s.score(makeDetection({ evidence: { ioc: { hit: true } } }), { at: MONDAY_NOON }).level).toBe('CRITICAL');
    expect(s.score(makeDetection({ evidence: { ioc: { hit: false } } }), { at: MONDAY_NOON }).level).toBe('MEDIUM');
    const listed = s.score(makeDetection({ sourceIp: '198.51.100.77' }), { at: MONDAY_NOON });
    expect(listed.level).toBe('CRITICAL');
    expect(listed.reasons[0]).toContain('threat list 198.51.100.0/24');
    expect(s.score(makeDetection({ sourceIp: '2001:db8:bad:1::1' }), { at: MONDAY_NOON }).level).toBe('CRITICAL');
    expect(s.score(makeDetection({ sourceIp: '198.51.101.1' }), { at: MONDAY_NOON }).level).toBe('MEDIUM');
  });

  it('upgrades stack: 6 violations and off-hours take LOW to HIGH', () => {
    const r = scorer().score(makeDetection({ severity: 'LOW' }), { at: berlin('03:00'), violations: 6 });
    expect(r.level).toBe('HIGH');
    expect(r.reasons.filter((x) => x.includes('→'))).toHaveLength(2);
  });

  it('analysis switched off: base level, unchanged confidence, no reasons', () => {
    const r = scorer({ enabled: false }).score(makeDetection({ severity: 'LOW', confidence: 0.4, evidence: { ioc: true } }), {
      at: berlin('03:00'),
      violations: 50,
    });
    expect(r).toEqual({ level: 'LOW', confidence: 0.4, reasons: [] });
  });
});

describe('ThreatScorer confidence rules', () => {
  const d = (evidence = {}) => makeDetection({ confidence: 0.3, evidence });
  it('reputation below 0.3 adds 0.2 (0.3 itself does not)', () => {
    expect(scorer().score(d(), { at: MONDAY_NOON, reputation: 0.29 }).confidence).toBe(0.5);
    expect(scorer().score(d(), { at: MONDAY_NOON, reputation: 0.3 }).confidence).toBe(0.3);
    const viaFunction = scorer({}, { reputation: () => 0.1 }).score(d(), { at: MONDAY_NOON });
    expect(viaFunction.confidence).toBe(0.5);
  });

  it('risky user agent adds 0.1 (pattern or flag); a browser does not', () => {
    expect(scorer().score(d({ userAgent: 'python-requests/2.31' }), { at: MONDAY_NOON }).confidence).toBe(0.4);
    expect(scorer().score(d({ riskyUserAgent: true }), { at: MONDAY_NOON }).confidence).toBe(0.4);
    const browser = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36';
    expect(scorer().score(d({ userAgent: browser }), { at: MONDAY_NOON }).confidence).toBe(0.3);
  });

  it('off-hours adds 0.2, weekend 0.1', () => {
    expect(scorer().score(d(), { at: berlin('02:00') }).confidence).toBe(0.5);
    const saturdayNoon = Date.parse('2024-01-13T12:00:00+01:00');
    const r = scorer().score(d(), { at: saturdayNoon });
    expect(r.confidence).toBe(0.4);
    expect(r.reasons).toEqual(['weekend (12h Sat in Europe/Berlin): confidence +0.1']);
    // Sunday 23:30 UTC is already Monday 00:30 in Berlin: not a weekend there.
    expect(scorer().score(d(), { at: Date.parse('2024-01-14T23:30:00Z') }).confidence).toBe(0.3);
  });

  it('burst: 10 events in 5 min no, 11 yes (+0.3); correlation of 2 types +0.2', () => {
    expect(scorer().score(d(), { at: MONDAY_NOON, recentEvents: 10 }).confidence).toBe(0.3);
    expect(scorer().score(d(), { at: MONDAY_NOON, recentEvents: 11 }).confidence).toBe(0.6);
    expect(scorer().score(d(), { at: MONDAY_NOON, attackTypes: 1 }).confidence).toBe(0.3);
    expect(scorer().score(d(), { at: MONDAY_NOON, attackTypes: 2 }).confidence).toBe(0.5);
  });

  it('is capped at 1', () => {
    const r = scorer().score(makeDetection({ confidence: 0.8, evidence: { riskyUserAgent: true } }), {
      at: Date.parse('2024-01-13T03:00:00+01:00'),
      reputation: 0,
      recentEvents: 100,
      attackTypes: 3,
    });
    expect(r.confidence).toBe(1);
    expect(r.reasons.filter((x) => x.includes('confidence +'))).toHaveLength(6);
  });

  it('reads counts, burst and types from the injected history', () => {
    const history = new ViolationHistory({ retentionDays: 30, maxDetailsPerIp: 100, maxIps: 10 });
    const ip = '203.0.113.5';
    history.record(ip, makeDetection({ type: 'xss_attack', evidence: { eventCount: 7 } }), MONDAY_NOON - 1000);
    history.record(ip, makeDetection({ type: 'sql_injection', evidence: { eventCount: 5 } }), MONDAY_NOON);
    const r = scorer({}, { history }).score(makeDetection({ severity: 'LOW', confidence: 0.3 }), { at: MONDAY_NOON });
    expect(r.level).toBe('CRITICAL'); // 12 violations
    expect(r.confidence).toBe(0.8); // burst 12 > 10 (+0.3), 2 types (+0.2)
  });
});

describe('ThreatScorer config', () => {
  it('rejects an unknown time zone and a bad threat-list entry', () => {
    expect(() => scorer({ timeZone: 'Mars/Olympus' })).toThrow(ScorerConfigError);
    expect(() => scorer({ threatList: ['10.0.0.0/40'] })).toThrow(/scoring.threatList/);
    expect(() => scorer({ offHoursStart: 6, offHoursEnd: 2 })).toThrow(ScorerConfigError);
  });

  it('local hour and weekday come from the zone', () => {
    expect(localHourAndWeekday(Date.parse('2024-07-01T00:30:00Z'), 'America/New_York')).toEqual({ hour: 20, weekday: 'Sun' });
  });
});
