import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import type { Incident } from '../core/detection.js';
import type { ThreatLevel } from '../core/threat-level.js';
import { Allowlist } from './allowlist.js';
import { DecisionStore } from './decisions.js';
import { ProtectionMode } from './protection-mode.js';
import { Responder, responderConfigSchema, responseConfigSchema, type ResponderConfig, type ResponseConfig } from './responder.js';
import { makeDetection } from './test-helpers.js';
import { ViolationHistory } from './violation-history.js';

const DAY = 86_400_000;
const defaults = Value.Default(responderConfigSchema, {}) as ResponderConfig;

function setup(overrides: Partial<ResponderConfig> = {}, allowlisted: string[] = []) {
  const history = new ViolationHistory({ retentionDays: 30, maxDetailsPerIp: 100, maxIps: 100 });
  const decisions = new DecisionStore({
    config: { maxActive: 1000, maxChanges: 1000 },
    allowlist: new Allowlist({ entries: allowlisted, trustedProxies: [] }),
  });
  const protection = new ProtectionMode({ enabled: true, criticalThreshold: 5, windowSeconds: 3600, durationSeconds: 1800 });
  const responder = new Responder({ config: { ...defaults, ...overrides }, decisions, history, protection });
  return { history, decisions, protection, responder };
}

let n = 0;
function incident(level: ThreatLevel, ip = '203.0.113.5', id = `inc${++n}`): Incident {
  return {
    id,
    subject: { scope: 'ip', value: ip },
    level,
    confidence: 0.8,
    detections: [makeDetection({ sourceIp: ip, type: 'xss_attack' })],
    openedAt: 0,
    updatedAt: 0,
    status: 'open',
  };
}

describe('Responder by level', () => {
  it('CRITICAL: block 3600 s, critical alert', () => {
    const { responder, decisions } = setup();
    const r = responder.handle(incident('CRITICAL'), 0);
    expect(r.decisions).toHaveLength(1);
    expect(r.decisions[0]).toMatchObject({ scope: 'ip', value: '203.0.113.5', action: 'block', until: 3_600_000, origin: 'waf_violation' });
    expect(r.actions.map((a) => a.type)).toEqual(['alert', 'block']);
    expect(decisions.lookup('203.0.113.5', 3_599_999)).toBeDefined();
  });

  it('HIGH: block 1800 s, no alert', () => {
    const r = setup().responder.handle(incident('HIGH'), 0);
    expect(r.decisions[0]?.until).toBe(1_800_000);
    expect(r.actions.map((a) => a.type)).toEqual(['block']);
  });

  it('MEDIUM: 3 violations → no block (digest), 4 → block 300 s', () => {
    const { responder, history } = setup();
    history.record('203.0.113.5', makeDetection({ evidence: { eventCount: 3 } }), 0);
    const three = responder.handle(incident('MEDIUM'), 0);
    expect(three.decisions).toHaveLength(0);
    expect(three.actions.map((a) => a.type)).toEqual(['skipped', 'digest']);
    history.record('203.0.113.5', makeDetection(), 0);
    const four = responder.handle(incident('MEDIUM'), 0);
    expect(four.decisions[0]?.until).toBe(300_000);
  });

  it('LOW: digest only', () => {
    const r = setup().responder.handle(incident('LOW'), 0);
    expect(r).toEqual({ decisions: [], actions: [{ type: 'digest', level: 'LOW', incidentId: expect.any(String) }] });
  });

  it('durations are configurable; auto-blocking can be switched off (the alert stays)', () => {
    expect(setup({ highBlockSeconds: 60 }).responder.handle(incident('HIGH'), 0).decisions[0]?.until).toBe(60_000);
    const off = setup({ autoBlock: false }).responder.handle(incident('CRITICAL'), 0);
    expect(off.decisions).toHaveLength(0);
    expect(off.actions.map((a) => (a.type === 'skipped' ? a.reason : a.type))).toEqual(['alert', 'auto_block_disabled']);
  });

  it('acts once per incident and level; a rise acts again without counting a second offence', () => {
    const { responder } = setup();
    const inc = incident('HIGH');
    expect(responder.handle(inc, 0).decisions).toHaveLength(1);
    expect(responder.handle(inc, 10)).toEqual({ decisions: [], actions: [] });
    inc.level = 'CRITICAL';
    const again = responder.handle(inc, 20);
    expect(again.decisions[0]?.until).toBe(20 + 3_600_000); // not doubled
    expect(responder.previousBans('203.0.113.5', 20)).toBe(1);
  });
});

describe('Responder escalation', () => {
  it('doubles per previous ban within the memory and caps at the maximum', () => {
    const { responder } = setup({ maxBlockSeconds: 10_000 });
    const ip = '198.51.100.9';
    const durations: number[] = [];
    for (let i = 0; i < 4; i++) {
      const at = i * DAY;
      const r = responder.handle(incident('HIGH', ip), at);
      durations.push(((r.decisions[0]?.until ?? at) - at) / 1000);
    }
    expect(durations).toEqual([1800, 3600, 7200, 10_000]);
    expect(responder.escalatedSeconds(3600, 3)).toBe(10_000);
  });

  it('previous bans older than banMemoryDays no longer count; factor is configurable', () => {
    const { responder } = setup({ banMemoryDays: 1, escalationFactor: 3 });
    responder.handle(incident('HIGH'), 0);
    expect(responder.handle(incident('HIGH'), 2 * DAY).decisions[0]?.until).toBe(2 * DAY + 1_800_000);
    expect(responder.handle(incident('HIGH'), 2 * DAY + 3_600_000).decisions[0]?.until).toBe(2 * DAY + 3_600_000 + 5_400_000);
  });

  it('default cap is 7 days', () => {
    const { responder } = setup();
    expect(responder.escalatedSeconds(3600, 20)).toBe(604_800);
  });
});

describe('Responder safety', () => {
  it('never blocks an allowlisted IP (IPv6 CIDR)', () => {
    const { responder, decisions } = setup({}, ['2001:db8::/32']);
    const r = responder.handle(incident('CRITICAL', '2001:db8::42'), 0);
    expect(r.decisions).toHaveLength(0);
    expect(r.actions.some((a) => a.type === 'skipped' && a.reason === 'allowlisted')).toBe(true);
    expect(decisions.size).toBe(0);
  });

  it('simulation: decisions recorded and flagged, not enforced, counted apart from real bans', () => {
    const { responder, decisions } = setup({ simulation: true });
    const r = responder.handle(incident('CRITICAL'), 0);
    expect(r.decisions[0]?.simulated).toBe(true);
    expect(decisions.lookup('203.0.113.5', 1)).toBeUndefined();
    expect(decisions.list(1)).toHaveLength(1);
    expect(responder.previousBans('203.0.113.5', 1, false)).toBe(0);
    expect(responder.previousBans('203.0.113.5', 1, true)).toBe(1);
  });

  it('user incidents are not IP-blocked', () => {
    const inc = { ...incident('HIGH'), subject: { scope: 'user' as const, value: 'alice' } };
    const r = setup().responder.handle(inc, 0);
    expect(r.actions).toEqual([expect.objectContaining({ type: 'skipped', reason: 'no_ip' })]);
  });

  it('the 6th critical incident switches protection mode on', () => {
    const { responder } = setup();
    for (let i = 1; i <= 5; i++) {
      expect(responder.handle(incident('CRITICAL', `10.0.0.${i}`), i).actions.some((a) => a.type === 'protection_mode')).toBe(false);
    }
    const sixth = responder.handle(incident('CRITICAL', '10.0.0.6'), 6);
    expect(sixth.actions).toContainEqual(expect.objectContaining({ type: 'protection_mode', change: expect.objectContaining({ active: true }) }));
  });
});

describe('responseConfigSchema', () => {
  it('fills every default and rejects unknown options', () => {
    const config = Value.Default(responseConfigSchema, {}) as ResponseConfig;
    expect(Value.Check(responseConfigSchema, config)).toBe(true);
    expect(config.responder.criticalBlockSeconds).toBe(3600);
    expect(config.scoring.timeZone).toBe('UTC');
    expect(config.protectionMode.durationSeconds).toBe(1800);
    expect(config.allowlist.trustedProxies).toEqual(['127.0.0.0/8', '::1']);
    expect(Value.Check(responseConfigSchema, { ...config, responder: { ...config.responder, blockForever: true } })).toBe(false);
  });

  it('describes every option', () => {
    const missing: string[] = [];
    const walk = (schema: Record<string, unknown>, path: string): void => {
      const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
      if (properties === undefined) return;
      for (const [key, child] of Object.entries(properties)) {
        if (child.properties === undefined && typeof child.description !== 'string') missing.push(`${path}${key}`);
        walk(child, `${path}${key}.`);
      }
    };
    walk(responseConfigSchema as unknown as Record<string, unknown>, '');
    expect(missing).toEqual([]);
  });
});
