export { storeConfigSchema, parseStoreUrl, type StoreConfig, type StoreKind, type StoreTarget } from './config.js';
export { openStore, Store, describeTarget, type StoreOptions } from './store.js';
export { EventWriter, DetectionWriter, type EventWriterStats, type EventWriterOptions } from './event-writer.js';
export { GENESIS_HASH, auditHash, type AuditEntry, type AuditInput, type AuditVerification } from './audit-log.js';
export { runRetention, type RetentionReport } from './retention.js';
export {
  queryEvents,
  queryDetections,
  queryIncidents,
  queryAudit,
  allPages,
  MAX_PAGE_SIZE,
  type Page,
  type PageQuery,
  type EventQuery,
  type DetectionQuery,
  type AuditQuery,
  type StoredDetection,
} from './queries.js';
export { securityStatistics, suspiciousActivities, type DailySecurityStatistics, type SuspiciousActivity } from './statistics.js';
export { csvStream, ndjsonStream, csvField, csvRecord, EVENT_CSV_COLUMNS, type CsvColumn, type CsvOptions } from './export.js';
export { backupSqlite, restoreSqlite, processesUsing } from './backup.js';
export { benchInsert, type InsertRate } from './bench-insert.js';
export { StoreError, StoreConfigError, StoreUnavailableError, StoreBacklogFullError, InvalidCursorError } from './errors.js';
