import type { Incident } from '../core/detection.js';
import type { ThreatLevel } from '../core/threat-level.js';
import { trimTrailingSlashes } from '../core/trim-trailing-slashes.js';

/**
 * One alert as channels see it. An alert is about one (type, subject): a
 * later detection of the same type for the same subject within the group
 * window updates it (occurrences, eventCount) instead of making another.
 * `revision` grows with every change that is sent again (escalation,
 * resolution), so (id, revision, channel) is unique: the idempotency key.
 */
export interface Alert {
  id: string;
  revision: number;
  kind: 'incident' | 'digest' | 'test';
  status: 'firing' | 'resolved';
  level: ThreatLevel;
  /** Attack class (brute_force, sqli, …); `digest` or `test` for those kinds. */
  type: string;
  subject?: { scope: 'ip' | 'user'; value: string };
  incidentId?: string;
  summary: string;
  description: string;
  /** 0..1 */
  confidence: number;
  eventCount: number;
  /** Times this (type, subject) came up while the alert was open (grouped updates included). */
  occurrences: number;
  /** Short facts for messages: detectors, usernames, source IPs, reasons (capped). */
  evidence: AlertEvidence;
  /** Epoch ms. */
  startsAt: number;
  updatedAt: number;
  endsAt?: number;
  labels: Record<string, string>;
  /** Link to this alert's incident in the dashboard / API, when alerts.dashboardUrl is set. */
  url?: string;
}

export interface AlertEvidence {
  detectors: string[];
  usernames: string[];
  sourceIps: string[];
  reasons: string[];
}

const CAP = 10;

function capped(values: Iterable<string | undefined>): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (v === undefined || v === '' || out.includes(v)) continue;
    out.push(v);
    if (out.length >= CAP) break;
  }
  return out;
}

/** Figures of one type's detections in an incident. */
export function incidentFacts(incident: Incident, type: string, reasons: readonly string[] = []): Pick<Alert, 'confidence' | 'eventCount' | 'evidence'> {
  const detections = incident.detections.filter((d) => d.type === type);
  const chosen = detections.length > 0 ? detections : incident.detections;
  return {
    confidence: Math.max(0, ...chosen.map((d) => d.confidence)),
    eventCount: chosen.reduce((sum, d) => sum + (Number.isFinite(d.evidence.eventCount) ? d.evidence.eventCount : 0), 0),
    evidence: {
      detectors: capped(chosen.map((d) => d.detector)),
      usernames: capped(chosen.flatMap((d) => [d.username, ...(d.evidence.usernames ?? [])])),
      sourceIps: capped(chosen.flatMap((d) => [d.sourceIp, ...(d.evidence.ips ?? [])])),
      reasons: capped(reasons),
    },
  };
}

export function subjectText(subject: Alert['subject']): string {
  if (subject === undefined) return '-';
  return subject.scope === 'ip' ? subject.value : `user ${subject.value}`;
}

/** A new alert for one type of an incident. */
export function alertFromIncident(options: {
  id: string;
  incident: Incident;
  type: string;
  level: ThreatLevel;
  reasons: readonly string[];
  now: number;
  dashboardUrl: string;
}): Alert {
  const { incident, type, level } = options;
  const facts = incidentFacts(incident, type, options.reasons);
  const subject = { ...incident.subject };
  const base = trimTrailingSlashes(options.dashboardUrl);
  const alert: Alert = {
    id: options.id,
    revision: 1,
    kind: 'incident',
    status: 'firing',
    level,
    type,
    subject,
    incidentId: incident.id,
    summary: `${level} ${type.replace(/_/g, ' ')} from ${subjectText(subject)}`,
    description: describe(facts.evidence, facts.eventCount),
    ...facts,
    occurrences: 1,
    startsAt: Math.min(incident.openedAt, options.now),
    updatedAt: options.now,
    labels: { level, type, scope: subject.scope, detector: facts.evidence.detectors[0] ?? 'unknown' },
  };
  if (base !== '') alert.url = `${base}/api/v1/incidents/${encodeURIComponent(incident.id)}`;
  return alert;
}

export function describe(evidence: AlertEvidence, eventCount: number): string {
  const parts = [`${eventCount} events`];
  if (evidence.detectors.length > 0) parts.push(`detectors: ${evidence.detectors.join(', ')}`);
  if (evidence.usernames.length > 0) parts.push(`users: ${evidence.usernames.join(', ')}`);
  if (evidence.sourceIps.length > 0) parts.push(`sources: ${evidence.sourceIps.join(', ')}`);
  if (evidence.reasons.length > 0) parts.push(`why: ${evidence.reasons.slice(0, 5).join('; ')}`);
  return parts.join(' · ');
}

/** The test alert of `vigil alerts test`. */
export function testAlert(id: string, now: number): Alert {
  return {
    id,
    revision: 1,
    kind: 'test',
    status: 'firing',
    level: 'LOW',
    type: 'test',
    subject: { scope: 'ip', value: '192.0.2.1' },
    summary: 'Vigil test alert: this channel works',
    description: 'Sent by `vigil alerts test`. No action is needed.',
    confidence: 1,
    eventCount: 0,
    occurrences: 1,
    evidence: { detectors: [], usernames: [], sourceIps: ['192.0.2.1'], reasons: [] },
    startsAt: now,
    updatedAt: now,
    endsAt: now + 300_000,
    labels: { level: 'LOW', type: 'test', scope: 'ip', detector: 'test' },
  };
}
