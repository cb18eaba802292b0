import type { Decision, Detection } from '../core/detection.js';
import type { SecurityEvent } from '../core/event.js';
import type { SiemRecord } from './record.js';

/** Fixed records for golden files and transport tests (times are fixed; no clock involved). */
export const T0 = Date.UTC(2026, 0, 5, 13, 45, 0, 123);

export function detection(overrides: Partial<Detection> = {}): Detection {
  return {
    id: 'det-7f3a9c-1',
    detector: 'brute-force',
    type: 'brute_force',
    sourceIp: '203.0.113.7',
    username: 'alice',
    confidence: 0.87,
    severity: 'HIGH',
    evidence: { eventCount: 42, firstSeen: T0 - 60_000, lastSeen: T0, usernames: ['alice'], ips: ['203.0.113.7'] },
    eventIds: ['ev-1', 'ev-2', 'ev-3'],
    status: 'open',
    detectedAt: T0,
    ...overrides,
  };
}

export const openDetection: SiemRecord = { kind: 'detection', status: 'open', severity: 'HIGH', detection: detection() };

export const closedIpv6Detection: SiemRecord = {
  kind: 'detection',
  status: 'closed',
  severity: 'CRITICAL',
  detection: detection({
    id: 'det-7f3a9c-2',
    detector: 'web-attack',
    type: 'sqli',
    sourceIp: '2001:db8::17',
    username: undefined,
    confidence: 0.9,
    severity: 'CRITICAL',
    status: 'closed',
    evidence: { eventCount: 3, firstSeen: T0 - 5_000, lastSeen: T0 + 10_000, ips: ['2001:db8::17'] },
    eventIds: ['ev-9'],
  }),
};

const loginFailure: SecurityEvent = {
  id: 'ev-42',
  timestamp: T0,
  kind: 'login.failure',
  sourceIp: '198.51.100.23',
  username: 'bob',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) curl/8.5',
  reason: 'INVALID_PASSWORD',
  labels: { source: 'sshd', 'host.name': 'web-1' },
};
export const eventRecord: SiemRecord = { kind: 'event', severity: 'LOW', event: loginFailure };

const block: Decision = {
  id: 'dec-5',
  scope: 'ip',
  value: '203.0.113.7',
  action: 'block',
  until: T0 + 3_600_000,
  reason: 'brute_force (42 failures)',
  origin: 'brute-force',
  createdAt: T0,
};
export const decisionRecord: SiemRecord = { kind: 'decision', severity: 'HIGH', decision: block };

/** Everything a hostile log line can put in a field: delimiters of every format, escapes, newlines, unicode, length. */
export const HOSTILE_USER = 'ev|l=user\\name\r\n"quoted"] tab\there \u00e9\u4e2d\u{1F600} \u0000nul';
export const hostileDetection: SiemRecord = {
  kind: 'detection',
  status: 'open',
  severity: 'MEDIUM',
  detection: detection({
    id: 'det-hostile|=\\',
    detector: 'brute|force=x',
    type: 'brute_force',
    username: HOSTILE_USER,
    confidence: 0.5,
    severity: 'MEDIUM',
    eventIds: ['a|b', 'c=d'],
    evidence: { eventCount: 7, firstSeen: T0 - 1000, lastSeen: T0, usernames: [HOSTILE_USER, 'x'.repeat(5000)] },
  }),
};

export const longEvent: SiemRecord = {
  kind: 'event',
  severity: 'LOW',
  event: { ...loginFailure, id: 'ev-long', userAgent: `A${'\u00e9'.repeat(3000)}Z`, reason: 'x=y'.repeat(600) },
};

export const FIXTURES: Readonly<Record<string, SiemRecord>> = {
  'detection-open': openDetection,
  'detection-closed-ipv6': closedIpv6Detection,
  'event-login-failure': eventRecord,
  'decision-block': decisionRecord,
  'detection-hostile': hostileDetection,
  'event-long-values': longEvent,
};
