import { describe, expect, it } from 'vitest';
import type { Incident } from '../core/detection.js';
import type { ThreatLevel } from '../core/threat-level.js';
import { DecisionStore } from './decisions.js';
import { ProtectionMode } from './protection-mode.js';
import { IncidentLevelLog, healthFor, securityStatus } from './status.js';

const HOUR = 3_600_000;
const inc = (id: string, level: ThreatLevel, updatedAt: number): Incident => ({
  id,
  subject: { scope: 'ip', value: '10.0.0.1' },
  level,
  confidence: 1,
  detections: [],
  openedAt: updatedAt,
  updatedAt,
  status: 'open',
});

describe('security status', () => {
  it('health thresholds: 20 healthy, 21 warning, 50 warning, 51 critical', () => {
    expect(healthFor(20)).toBe('HEALTHY');
    expect(healthFor(21)).toBe('WARNING');
    expect(healthFor(50)).toBe('WARNING');
    expect(healthFor(51)).toBe('CRITICAL');
  });

  it('counts incidents per level over 24 h (latest level of each), blocked IPs and protection mode', () => {
    const log = new IncidentLevelLog();
    log.record(inc('a', 'LOW', 0));
    log.record(inc('b', 'MEDIUM', 2 * HOUR));
    log.record(inc('b', 'HIGH', 3 * HOUR));
    for (let i = 0; i < 20; i++) log.record(inc(`c${i}`, 'CRITICAL', 4 * HOUR));
    const decisions = new DecisionStore({ config: { maxActive: 100, maxChanges: 100 } });
    decisions.add({ value: '203.0.113.5', durationMs: 48 * HOUR, reason: 'r', origin: 'o' }, 0);
    decisions.add({ value: '10.0.0.0/8', durationMs: 48 * HOUR, reason: 'r', origin: 'o' }, 0);
    decisions.add({ value: '198.51.100.1', durationMs: 48 * HOUR, reason: 'r', origin: 'o', simulated: true }, 0);
    const protection = new ProtectionMode({ enabled: true, criticalThreshold: 5, windowSeconds: 3600, durationSeconds: 1800 });
    protection.forceOn(0);
    const status = securityStatus({ incidents: log, decisions, protection, now: 24 * HOUR });
    expect(status.incidents).toEqual({ LOW: 0, MEDIUM: 0, HIGH: 1, CRITICAL: 20 });
    expect(status.health).toBe('WARNING');
    expect(status.blockedIps).toBe(1);
    expect(status.blockedRanges).toBe(1);
    expect(status.simulatedDecisions).toBe(1);
    expect(status.protectionMode.active).toBe(true);
    expect(securityStatus({ incidents: log, decisions, protection, now: 28 * HOUR }).health).toBe('HEALTHY');
  });
});
