import type { Store } from './store.js';

export interface DailySecurityStatistics {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  totalAttempts: number;
  failedAttempts: number;
  uniqueIps: number;
  uniqueUsers: number;
  /** Percent, two decimals. */
  failureRate: number;
}

export interface SuspiciousActivity {
  sourceIp: string;
  failedAttempts: number;
  uniqueUsers: number;
  firstSeen: number;
  lastSeen: number;
}

/** The `security_statistics` view: login attempts per UTC day over the last 30 days (database clock), oldest first. */
export async function securityStatistics(store: Store): Promise<DailySecurityStatistics[]> {
  const rows = await store.db.selectFrom('security_statistics').selectAll().orderBy('day').execute();
  return rows.map((r) => ({
    day: String(r.day),
    totalAttempts: Number(r.total_attempts),
    failedAttempts: Number(r.failed_attempts),
    uniqueIps: Number(r.unique_ips),
    uniqueUsers: Number(r.unique_users),
    failureRate: Number(r.failure_rate),
  }));
}

/** The `suspicious_activities` view: IPs with at least 5 failed logins in the last hour, most failures first. */
export async function suspiciousActivities(store: Store): Promise<SuspiciousActivity[]> {
  const rows = await store.db.selectFrom('suspicious_activities').selectAll().orderBy('failed_attempts', 'desc').orderBy('source_ip').execute();
  return rows.map((r) => ({
    sourceIp: r.source_ip,
    failedAttempts: Number(r.failed_attempts),
    uniqueUsers: Number(r.unique_users),
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
  }));
}
