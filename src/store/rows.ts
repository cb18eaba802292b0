import type { Detection } from '../core/detection.js';
import type { SecurityEvent } from '../core/event.js';
import { isThreatLevel } from '../core/threat-level.js';
import type { DetectionRecord } from '../sinks/sink.js';
import type { DetectionsTable, LoginAttemptsTable, SecurityEventsTable } from './database.js';

/** Something the writer stores: an event, or a detection as raised/closed. Also the spool line format. */
export type StoreItem = { k: 'e'; v: SecurityEvent } | { k: 'd'; v: DetectionRecord };

export function isLoginEvent(event: SecurityEvent): boolean {
  return event.kind.startsWith('login.');
}

/**
 * Column values are capped to the column width and stripped of NUL (which
 * PostgreSQL rejects): attacker-controlled text must not make a whole batch fail.
 * The full event is kept, JSON-escaped, in `data`.
 */
export function cap(value: string | undefined | null, width: number): string | null {
  if (value === undefined || value === null) return null;
  let s = value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
  if (s.length > width) {
    s = s.slice(0, width);
    const last = s.charCodeAt(s.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) s = s.slice(0, -1);
  }
  return s;
}

function req(value: string | undefined | null, width: number): string {
  return cap(value, width) ?? '';
}

function safeTs(ts: number): number {
  return Number.isFinite(ts) ? Math.trunc(ts) : 0;
}

export function loginRow(event: SecurityEvent): LoginAttemptsTable {
  return {
    id: req(event.id, 128),
    ts: safeTs(event.timestamp),
    kind: req(event.kind, 64),
    success: event.kind === 'login.success' ? 1 : 0,
    source_ip: req(event.sourceIp, 64),
    username: cap(event.username, 255),
    user_id: cap(event.userId, 255),
    user_agent: cap(event.userAgent, 8192),
    reason: cap(event.reason, 255),
    session_id: cap(event.sessionId, 255),
    country: cap(event.geo?.country, 64),
    city: cap(event.geo?.city, 128),
    data: JSON.stringify(event),
  };
}

function eventSeverity(event: SecurityEvent): string | null {
  const label = event.labels.severity ?? event.labels.level;
  if (label === undefined) return null;
  const upper = label.toUpperCase();
  return isThreatLevel(upper) ? upper : null;
}

export function securityEventRow(event: SecurityEvent): SecurityEventsTable {
  return {
    id: req(event.id, 128),
    ts: safeTs(event.timestamp),
    kind: req(event.kind, 64),
    event_type: req(event.violationType ?? event.kind, 128),
    severity: eventSeverity(event),
    source_ip: req(event.sourceIp, 64),
    username: cap(event.username, 255),
    user_id: cap(event.userId, 255),
    data: JSON.stringify(event),
  };
}

export function detectionRow(record: DetectionRecord, now: number): DetectionsTable {
  const d: Detection = record.detection;
  return {
    id: req(d.id, 128),
    detector: req(d.detector, 64),
    type: req(d.type, 64),
    source_ip: cap(d.sourceIp, 64),
    username: cap(d.username, 255),
    severity: req(d.severity, 16),
    confidence: Number.isFinite(d.confidence) ? d.confidence : 0,
    status: record.status,
    detected_at: safeTs(d.detectedAt),
    first_seen: safeTs(d.evidence.firstSeen),
    last_seen: safeTs(d.evidence.lastSeen),
    event_count: Math.trunc(d.evidence.eventCount) || 0,
    evidence: JSON.stringify(d.evidence),
    event_ids: JSON.stringify(d.eventIds),
    updated_at: now,
  };
}
