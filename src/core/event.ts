import type { GeoLocation } from './geo.js';

/**
 * What happened, normalised. Every source and parser produces these; every
 * later stage reads and annotates them. `kind` is a dotted name:
 *   login.success, login.failure, http.request, waf.violation, process, …
 */
export type EventKind =
  | 'login.success'
  | 'login.failure'
  | 'http.request'
  | 'waf.violation'
  | 'process'
  | (string & {});

export interface HttpInfo {
  method?: string;
  path?: string;
  query?: string;
  status?: number;
  headers?: Record<string, string>;
  /** Request body excerpt (length-capped by the parser). */
  body?: string;
  bytes?: number;
}

export interface SecurityEvent {
  /** Unique within a Vigil process run; sources may supply their own. */
  id: string;
  /** Event time in epoch milliseconds (when it happened, not when it arrived). */
  timestamp: number;
  kind: EventKind;
  /** Source address as text (IPv4 dotted or IPv6), validated by the parser. */
  sourceIp: string;
  username?: string;
  userId?: string;
  userAgent?: string;
  /** Failure reason for login.failure (INVALID_PASSWORD, ACCOUNT_LOCKED, …). */
  reason?: string;
  sessionId?: string;
  /** How long the login took in milliseconds, when the reporter measured it (login_duration_seconds). */
  durationMs?: number;
  /** The native violation type (XSS_ATTACK, SQL_INJECTION, …) for waf.violation. */
  violationType?: string;
  /** Free-form payload of a violation event (kept as text, length-capped). */
  eventData?: string;
  http?: HttpInfo;
  /** Command line for `process` events. */
  command?: string;
  /** Destination port of a connection (firewall / flow / access logs), for port-scan detection. */
  destinationPort?: number;
  geo?: GeoLocation;
  /** Free-form labels: source name, host, parser, … */
  labels: Record<string, string>;
  /** The original record, kept only when the source is configured to. */
  raw?: string;
}

/**
 * Parsers mark the secondary lines one attempt leaves (sshd's `Invalid user`
 * or PAM line next to its `Failed password`) with the label companion=true.
 * Detectors that count attempts skip them; presence-based ones may use them.
 */
export function isCompanion(event: SecurityEvent): boolean {
  return event.labels.companion === 'true';
}
