import type { Generated } from 'kysely';

/** Times are epoch milliseconds in BIGINT columns everywhere; booleans are 0/1. */
export interface LoginAttemptsTable {
  id: string;
  ts: number;
  kind: string;
  success: number;
  source_ip: string;
  username: string | null;
  user_id: string | null;
  user_agent: string | null;
  reason: string | null;
  session_id: string | null;
  country: string | null;
  city: string | null;
  /** The whole SecurityEvent as JSON. */
  data: string;
}

export interface SecurityEventsTable {
  id: string;
  ts: number;
  kind: string;
  /** violationType for waf.violation, else the kind. */
  event_type: string;
  /** A threat level when the source labelled one (labels.severity / labels.level). */
  severity: string | null;
  source_ip: string;
  username: string | null;
  user_id: string | null;
  data: string;
}

export interface DetectionsTable {
  id: string;
  detector: string;
  type: string;
  source_ip: string | null;
  username: string | null;
  severity: string;
  confidence: number;
  status: string;
  detected_at: number;
  first_seen: number;
  last_seen: number;
  event_count: number;
  evidence: string;
  event_ids: string;
  updated_at: number;
}

export interface AuditLogsTable {
  /** Assigned by the (single) appender: consecutive, so a gap is a deleted row. */
  id: number;
  ts: number;
  actor: string;
  action: string;
  target: string | null;
  /** Canonical JSON. */
  details: string;
  prev_hash: string;
  hash: string;
}

export interface UsersTable {
  id: string;
  username: string;
  email: string | null;
  role: string;
  is_locked: number;
  failed_login_count: number;
  last_login_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface UserLocationsTable {
  id: Generated<number>;
  username: string;
  ip: string;
  country: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  first_seen: number;
  last_seen: number;
  login_count: number;
}

export interface BlacklistedIpsTable {
  /** An IP or CIDR range. */
  value: string;
  scope: string;
  reason: string | null;
  origin: string;
  created_at: number;
  expires_at: number | null;
}

export interface SecurityPoliciesTable {
  id: string;
  name: string;
  description: string | null;
  /** JSON. */
  config: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface StoreMetaTable {
  key: string;
  value: string;
}

export interface SecurityStatisticsView {
  day: string;
  total_attempts: number | string;
  failed_attempts: number | string;
  unique_ips: number | string;
  unique_users: number | string;
  failure_rate: number | string;
}

export interface SuspiciousActivitiesView {
  source_ip: string;
  failed_attempts: number | string;
  unique_users: number | string;
  first_seen: number | string;
  last_seen: number | string;
}

/** Alert deliveries (src/alert/outbox.ts); `id` is the idempotency key. */
export interface AlertOutboxTable {
  id: string;
  alert_id: string;
  revision: number;
  channel: string;
  /** incident, digest, test */
  kind: string;
  level: string;
  type: string;
  subject: string | null;
  /** pending, delivered, dead, suppressed, recorded */
  status: string;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
  last_error: string | null;
  /** The Alert as JSON. */
  payload: string;
}

/** Indicators of compromise (see src/intel/ioc.ts). */
export interface IocsTable {
  /** sha256 hex of `type:value`. */
  id: string;
  type: string;
  value: string;
  threat_type: string;
  /** 0..100. */
  confidence: number;
  source: string;
  first_seen: number;
  last_seen: number;
  expires_at: number | null;
  /** JSON array of strings. */
  tags: string;
  updated_at: number;
}

export interface StoreDatabase {
  users: UsersTable;
  login_attempts: LoginAttemptsTable;
  security_events: SecurityEventsTable;
  user_locations: UserLocationsTable;
  blacklisted_ips: BlacklistedIpsTable;
  security_policies: SecurityPoliciesTable;
  audit_logs: AuditLogsTable;
  detections: DetectionsTable;
  store_meta: StoreMetaTable;
  alert_outbox: AlertOutboxTable;
  iocs: IocsTable;
  security_statistics: SecurityStatisticsView;
  suspicious_activities: SuspiciousActivitiesView;
}
