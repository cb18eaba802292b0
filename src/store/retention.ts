import { sql } from 'kysely';
import type { Store } from './store.js';

const DAY_MS = 86_400_000;

export interface RetentionReport {
  /** Rows deleted, by table (batched deletes). */
  deleted: Record<string, number>;
  /** PostgreSQL partitions dropped, by name. */
  droppedPartitions: string[];
}

type DeletableTable = 'login_attempts' | 'security_events' | 'detections';

/**
 * Applies `retentionDays`. PostgreSQL drops whole month partitions of
 * login_attempts / security_events once their range is older than the cutoff
 * (and creates this month's and the next two); elsewhere rows are deleted by
 * age in batches of `retentionBatchSize`, so no statement holds locks for long.
 */
export async function runRetention(store: Store, now: number): Promise<RetentionReport> {
  const { retentionDays, retentionBatchSize } = store.config;
  const report: RetentionReport = { deleted: {}, droppedPartitions: [] };
  const cutoff = (days: number) => now - days * DAY_MS;

  const timeTables: [DeletableTable, number, 'ts' | 'last_seen'][] = [
    ['login_attempts', retentionDays.loginAttempts, 'ts'],
    ['security_events', retentionDays.securityEvents, 'ts'],
    ['detections', retentionDays.detections, 'last_seen'],
  ];
  for (const [table, days, column] of timeTables) {
    if (days <= 0) continue;
    if (store.partitions !== undefined && (table === 'login_attempts' || table === 'security_events')) {
      report.droppedPartitions.push(...(await store.partitions.dropOlderThan(table, cutoff(days))));
      continue;
    }
    report.deleted[table] = await deleteInBatches(store, table, column, cutoff(days), retentionBatchSize);
  }
  if (retentionDays.auditLogs > 0) {
    report.deleted.audit_logs = await store.pruneAudit(cutoff(retentionDays.auditLogs), retentionBatchSize);
  }
  await store.partitions?.ensureAhead(now);
  return report;
}

async function deleteInBatches(store: Store, table: DeletableTable, column: 'ts' | 'last_seen', cutoff: number, batch: number): Promise<number> {
  let total = 0;
  for (;;) {
    let deleted: number;
    if (store.kind === 'mysql') {
      const r = await sql`DELETE FROM ${sql.table(table)} WHERE ${sql.ref(column)} < ${cutoff} LIMIT ${sql.lit(batch)}`.execute(store.db);
      deleted = Number(r.numAffectedRows ?? 0n);
    } else {
      // SQLite (without SQLITE_ENABLE_UPDATE_DELETE_LIMIT) and PostgreSQL: bound the delete through its keys.
      const key = store.kind === 'sqlite' ? sql.raw('rowid') : sql.raw('ctid');
      const r = await sql`DELETE FROM ${sql.table(table)} WHERE ${key} IN (
          SELECT ${key} FROM ${sql.table(table)} WHERE ${sql.ref(column)} < ${cutoff} LIMIT ${sql.lit(batch)})`.execute(store.db);
      deleted = Number(r.numAffectedRows ?? 0n);
    }
    total += deleted;
    if (deleted < batch) return total;
  }
}
