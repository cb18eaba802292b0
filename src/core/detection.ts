import type { ThreatLevel } from './threat-level.js';

/** Evidence is detector-specific but always carries these fields. */
export interface Evidence {
  eventCount: number;
  firstSeen: number;
  lastSeen: number;
  /** Usernames involved, capped. */
  usernames?: string[];
  /** Source IPs involved, capped. */
  ips?: string[];
  [extra: string]: unknown;
}

/**
 * A detector's finding about one subject (an IP or a user) over a span of
 * event time. One detection per (detector, subject) per active window: later
 * events update it rather than produce a new one.
 */
export interface Detection {
  id: string;
  detector: string;
  /** Attack class: brute_force, credential_stuffing, sqli, … */
  type: string;
  sourceIp?: string;
  username?: string;
  confidence: number;
  severity: ThreatLevel;
  evidence: Evidence;
  /** Ids of contributing events (capped). */
  eventIds: string[];
  /** `open` while evidence may still grow; `closed` once its window has passed. */
  status: 'open' | 'closed';
  /** Event time at which it was first raised. */
  detectedAt: number;
}

/** Detections grouped by subject and time, with a level after scoring. */
export interface Incident {
  id: string;
  subject: { scope: 'ip' | 'user'; value: string };
  level: ThreatLevel;
  confidence: number;
  detections: Detection[];
  openedAt: number;
  updatedAt: number;
  status: 'open' | 'resolved';
  /** An analyst's verdict (dashboard or API), once given. */
  feedback?: IncidentFeedback;
}

/** Analyst feedback on an incident, and what it changed. */
export interface IncidentFeedback {
  verdict: 'true_positive' | 'false_positive';
  note?: string;
  /** The API principal that gave it. */
  by: string;
  at: number;
  /** Decisions lifted because of it. */
  unblocked: string[];
  /** Allowlist entry added because of it. */
  allowlisted?: string;
  /** Suppression ids added because of it. */
  suppressions: string[];
}

/** What an enforcement point acts on; shaped like CrowdSec decisions. */
export interface Decision {
  id: string;
  scope: 'ip' | 'range' | 'user';
  value: string;
  action: 'block' | 'captcha' | 'throttle';
  /** Epoch ms after which the decision no longer applies. */
  until: number;
  reason: string;
  /** Who decided: a detector name, `manual`, `import`, … */
  origin: string;
  createdAt: number;
  simulated?: boolean;
}
