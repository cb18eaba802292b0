import type { Decision, Detection } from '../core/detection.js';
import type { SecurityEvent } from '../core/event.js';
import type { ThreatLevel } from '../core/threat-level.js';
import type { DetectionRecord } from '../sinks/sink.js';

/** What kinds of record a SIEM destination can receive (and filter on). */
export const SIEM_RECORD_KINDS = ['detection', 'event', 'decision'] as const;
export type SiemRecordKind = (typeof SIEM_RECORD_KINDS)[number];

/** A detection when raised (`open`) and once more when closed, with final evidence. */
export interface SiemDetectionRecord {
  kind: 'detection';
  status: 'open' | 'closed';
  severity: ThreatLevel;
  detection: Detection;
}

/** A raw security event, forwarded only to destinations that ask for events. */
export interface SiemEventRecord {
  kind: 'event';
  severity: ThreatLevel;
  event: SecurityEvent;
}

/** An enforcement decision (block / captcha / throttle). */
export interface SiemDecisionRecord {
  kind: 'decision';
  severity: ThreatLevel;
  decision: Decision;
}

/** Everything the SIEM forwarder delivers. Plain JSON data: it is what the spool stores. */
export type SiemRecord = SiemDetectionRecord | SiemEventRecord | SiemDecisionRecord;

export function fromDetectionRecord(record: DetectionRecord): SiemDetectionRecord {
  return { kind: 'detection', status: record.status, severity: record.detection.severity, detection: record.detection };
}

/** Events carry no level of their own; LOW unless the caller knows better. */
export function fromSecurityEvent(event: SecurityEvent, severity: ThreatLevel = 'LOW'): SiemEventRecord {
  return { kind: 'event', severity, event };
}

/** Decisions are the consequence of a scored incident; HIGH unless the caller passes the incident level. */
export function fromDecision(decision: Decision, severity: ThreatLevel = 'HIGH'): SiemDecisionRecord {
  return { kind: 'decision', severity, decision };
}

/** Event time of the record, epoch ms: when raised, when last seen (closed), when it happened, when decided. */
export function recordTime(record: SiemRecord): number {
  switch (record.kind) {
    case 'detection':
      return record.status === 'closed' ? record.detection.evidence.lastSeen : record.detection.detectedAt;
    case 'event':
      return record.event.timestamp;
    case 'decision':
      return record.decision.createdAt;
  }
}

/**
 * Stable identity of one delivered record: the same record delivered twice
 * (at-least-once after a retry or restart) has the same id, so receivers
 * that deduplicate on it (Elasticsearch `_id`) store it once.
 */
export function recordId(record: SiemRecord): string {
  switch (record.kind) {
    case 'detection':
      return `${record.detection.id}:${record.status}`;
    case 'event':
      return record.event.id;
    case 'decision':
      return record.decision.id;
  }
}

/** The source address the record is about, if any. */
export function recordSourceIp(record: SiemRecord): string | undefined {
  switch (record.kind) {
    case 'detection':
      return record.detection.sourceIp;
    case 'event':
      return record.event.sourceIp;
    case 'decision':
      return record.decision.scope === 'ip' ? record.decision.value : undefined;
  }
}

/** The user name the record is about, if any. */
export function recordUsername(record: SiemRecord): string | undefined {
  switch (record.kind) {
    case 'detection':
      return record.detection.username;
    case 'event':
      return record.event.username;
    case 'decision':
      return record.decision.scope === 'user' ? record.decision.value : undefined;
  }
}

/** Short machine name: the detection type, the event kind, or `decision.<action>`. */
export function recordType(record: SiemRecord): string {
  switch (record.kind) {
    case 'detection':
      return record.detection.type;
    case 'event':
      return record.event.kind;
    case 'decision':
      return `decision.${record.decision.action}`;
  }
}

/** A one-line human summary, the same in every format (CEF msg, ECS message, syslog text, …). */
export function recordSummary(record: SiemRecord): string {
  switch (record.kind) {
    case 'detection': {
      const d = record.detection;
      const subject = [d.sourceIp ? `ip ${d.sourceIp}` : '', d.username !== undefined ? `user ${d.username}` : ''].filter(Boolean).join(' ');
      const verb = record.status === 'open' ? 'detected' : 'ended';
      return `${d.type} ${verb}${subject ? ` for ${subject}` : ''}: ${d.evidence.eventCount} events, confidence ${Math.round(d.confidence * 100)}%`;
    }
    case 'event': {
      const e = record.event;
      const parts: string[] = [e.kind, `from ${e.sourceIp}`];
      if (e.username !== undefined) parts.push(`user ${e.username}`);
      if (e.reason !== undefined) parts.push(`reason ${e.reason}`);
      if (e.http?.path !== undefined) parts.push(`${e.http.method ?? 'GET'} ${e.http.path}`);
      return parts.join(' ');
    }
    case 'decision': {
      const d = record.decision;
      return `${d.action} ${d.scope} ${d.value} until ${new Date(d.until).toISOString()}: ${d.reason}`;
    }
  }
}
