import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { StoreKind } from './config.js';
import { StoreUnavailableError } from './errors.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on the current schema types */
type AnyDb = Kysely<any>;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Table options: utf8mb4 with binary collation on MariaDB/MySQL (ids compare bytewise, as in SQLite). */
function tableEnd(kind: StoreKind, partitioned = false) {
  if (kind === 'mysql') return sql`ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
  if (kind === 'postgres' && partitioned) return sql`PARTITION BY RANGE (ts)`;
  return sql``;
}

/** Ids compare bytewise everywhere (cursor pagination merges rows in JS): C collation on PostgreSQL. */
function idType(kind: StoreKind) {
  return kind === 'postgres' ? sql`varchar(128) COLLATE "C"` : sql`varchar(128)`;
}

/** Long text (JSON documents): TEXT caps at 64 KiB on MariaDB. */
function longText(kind: StoreKind) {
  return kind === 'mysql' ? sql`mediumtext` : sql`text`;
}

function initialSchema(kind: StoreKind): Migration {
  return {
    async up(db: AnyDb) {
      const text = longText(kind);
      const pg = kind === 'postgres';

      await db.schema
        .createTable('users')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('username', 'varchar(255)', (c) => c.notNull().unique())
        .addColumn('email', 'varchar(255)')
        .addColumn('role', 'varchar(32)', (c) => c.notNull().defaultTo('user'))
        .addColumn('is_locked', 'smallint', (c) => c.notNull().defaultTo(0))
        .addColumn('failed_login_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_login_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .modifyEnd(tableEnd(kind))
        .execute();

      // Partitioned on PostgreSQL: the partition key must be part of the primary key.
      let logins = db.schema
        .createTable('login_attempts')
        .addColumn('id', idType(kind), (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'varchar(64)', (c) => c.notNull())
        .addColumn('success', 'smallint', (c) => c.notNull())
        .addColumn('source_ip', 'varchar(64)', (c) => c.notNull())
        .addColumn('username', 'varchar(255)')
        .addColumn('user_id', 'varchar(255)')
        .addColumn('user_agent', text)
        .addColumn('reason', 'varchar(255)')
        .addColumn('session_id', 'varchar(255)')
        .addColumn('country', 'varchar(64)')
        .addColumn('city', 'varchar(128)')
        .addColumn('data', text, (c) => c.notNull());
      logins = pg ? logins.addPrimaryKeyConstraint('login_attempts_pk', ['id', 'ts']) : logins.addPrimaryKeyConstraint('login_attempts_pk', ['id']);
      await logins.modifyEnd(tableEnd(kind, true)).execute();
      await db.schema.createIndex('login_attempts_ts_id').on('login_attempts').columns(['ts', 'id']).execute();
      await db.schema.createIndex('login_attempts_ip_ts').on('login_attempts').columns(['source_ip', 'ts']).execute();
      await db.schema.createIndex('login_attempts_user_ts').on('login_attempts').columns(['username', 'ts']).execute();

      let events = db.schema
        .createTable('security_events')
        .addColumn('id', idType(kind), (c) => c.notNull())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'varchar(64)', (c) => c.notNull())
        .addColumn('event_type', 'varchar(128)', (c) => c.notNull())
        .addColumn('severity', 'varchar(16)')
        .addColumn('source_ip', 'varchar(64)', (c) => c.notNull())
        .addColumn('username', 'varchar(255)')
        .addColumn('user_id', 'varchar(255)')
        .addColumn('data', text, (c) => c.notNull());
      events = pg ? events.addPrimaryKeyConstraint('security_events_pk', ['id', 'ts']) : events.addPrimaryKeyConstraint('security_events_pk', ['id']);
      await events.modifyEnd(tableEnd(kind, true)).execute();
      await db.schema.createIndex('security_events_ts_id').on('security_events').columns(['ts', 'id']).execute();
      await db.schema.createIndex('security_events_ip_ts').on('security_events').columns(['source_ip', 'ts']).execute();
      await db.schema.createIndex('security_events_user_ts').on('security_events').columns(['username', 'ts']).execute();
      await db.schema.createIndex('security_events_kind_ts').on('security_events').columns(['kind', 'ts']).execute();

      let locations = db.schema.createTable('user_locations');
      locations = pg
        ? locations.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : locations.addColumn('id', kind === 'mysql' ? 'bigint' : 'integer', (c) => c.primaryKey().autoIncrement());
      await locations
        .addColumn('username', 'varchar(255)', (c) => c.notNull())
        .addColumn('ip', 'varchar(64)', (c) => c.notNull())
        .addColumn('country', 'varchar(64)')
        .addColumn('city', 'varchar(128)')
        .addColumn('latitude', 'double precision')
        .addColumn('longitude', 'double precision')
        .addColumn('first_seen', 'bigint', (c) => c.notNull())
        .addColumn('last_seen', 'bigint', (c) => c.notNull())
        .addColumn('login_count', 'integer', (c) => c.notNull().defaultTo(1))
        .modifyEnd(tableEnd(kind))
        .execute();
      await db.schema.createIndex('user_locations_user').on('user_locations').columns(['username', 'last_seen']).execute();

      await db.schema
        .createTable('blacklisted_ips')
        .addColumn('value', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('scope', 'varchar(16)', (c) => c.notNull().defaultTo('ip'))
        .addColumn('reason', 'varchar(1024)')
        .addColumn('origin', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .modifyEnd(tableEnd(kind))
        .execute();
      await db.schema.createIndex('blacklisted_ips_expires').on('blacklisted_ips').column('expires_at').execute();

      await db.schema
        .createTable('security_policies')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('description', 'varchar(1024)')
        .addColumn('config', text, (c) => c.notNull())
        .addColumn('enabled', 'smallint', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .modifyEnd(tableEnd(kind))
        .execute();

      await db.schema
        .createTable('audit_logs')
        .addColumn('id', 'bigint', (c) => c.primaryKey())
        .addColumn('ts', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'varchar(255)', (c) => c.notNull())
        .addColumn('action', 'varchar(128)', (c) => c.notNull())
        .addColumn('target', 'varchar(255)')
        .addColumn('details', text, (c) => c.notNull())
        .addColumn('prev_hash', 'char(64)', (c) => c.notNull())
        .addColumn('hash', 'char(64)', (c) => c.notNull())
        .modifyEnd(tableEnd(kind))
        .execute();
      await db.schema.createIndex('audit_logs_ts').on('audit_logs').columns(['ts', 'id']).execute();
      await db.schema.createIndex('audit_logs_actor').on('audit_logs').columns(['actor', 'ts']).execute();

      await db.schema
        .createTable('detections')
        .addColumn('id', idType(kind), (c) => c.primaryKey())
        .addColumn('detector', 'varchar(64)', (c) => c.notNull())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('source_ip', 'varchar(64)')
        .addColumn('username', 'varchar(255)')
        .addColumn('severity', 'varchar(16)', (c) => c.notNull())
        .addColumn('confidence', 'double precision', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('detected_at', 'bigint', (c) => c.notNull())
        .addColumn('first_seen', 'bigint', (c) => c.notNull())
        .addColumn('last_seen', 'bigint', (c) => c.notNull())
        .addColumn('event_count', 'integer', (c) => c.notNull())
        .addColumn('evidence', text, (c) => c.notNull())
        .addColumn('event_ids', text, (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .modifyEnd(tableEnd(kind))
        .execute();
      await db.schema.createIndex('detections_last_seen').on('detections').columns(['last_seen', 'id']).execute();
      await db.schema.createIndex('detections_ip').on('detections').columns(['source_ip', 'last_seen']).execute();
      await db.schema.createIndex('detections_user').on('detections').columns(['username', 'last_seen']).execute();

      await db.schema
        .createTable('store_meta')
        .addColumn('key', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('value', text, (c) => c.notNull())
        .modifyEnd(tableEnd(kind))
        .execute();
    },
    async down(db: AnyDb) {
      for (const table of [
        'store_meta',
        'detections',
        'audit_logs',
        'security_policies',
        'blacklisted_ips',
        'user_locations',
        'security_events',
        'login_attempts',
        'users',
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}

/** "Now" in epoch ms, per dialect (the views are evaluated against the database clock). */
function nowMs(kind: StoreKind) {
  switch (kind) {
    case 'sqlite':
      return sql`(CAST(strftime('%s', 'now') AS INTEGER) * 1000)`;
    case 'postgres':
      return sql`(CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT))`;
    case 'mysql':
      return sql`(UNIX_TIMESTAMP() * 1000)`;
  }
}

/** The UTC day of an epoch-ms column as YYYY-MM-DD text, per dialect. */
function utcDay(kind: StoreKind) {
  switch (kind) {
    case 'sqlite':
      return sql`date(ts / 1000, 'unixepoch')`;
    case 'postgres':
      return sql`to_char(to_timestamp(ts / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    case 'mysql':
      // Arithmetic on a literal, so the session time zone plays no part.
      return sql`DATE_FORMAT(TIMESTAMP '1970-01-01 00:00:00' + INTERVAL (ts DIV 1000) SECOND, '%Y-%m-%d')`;
  }
}

function views(kind: StoreKind): Migration {
  return {
    async up(db: AnyDb) {
      const failed = sql`SUM(CASE WHEN success = 0 THEN 1 ELSE 0 END)`;
      await sql`CREATE VIEW security_statistics AS
        SELECT ${utcDay(kind)} AS day,
               COUNT(*) AS total_attempts,
               ${failed} AS failed_attempts,
               COUNT(DISTINCT source_ip) AS unique_ips,
               COUNT(DISTINCT username) AS unique_users,
               ROUND(100.0 * ${failed} / COUNT(*), 2) AS failure_rate
        FROM login_attempts
        WHERE ts >= ${nowMs(kind)} - ${sql.lit(30 * DAY_MS)}
        GROUP BY ${utcDay(kind)}`.execute(db);
      await sql`CREATE VIEW suspicious_activities AS
        SELECT source_ip,
               COUNT(*) AS failed_attempts,
               COUNT(DISTINCT username) AS unique_users,
               MIN(ts) AS first_seen,
               MAX(ts) AS last_seen
        FROM login_attempts
        WHERE success = 0 AND ts >= ${nowMs(kind)} - ${sql.lit(HOUR_MS)}
        GROUP BY source_ip
        HAVING COUNT(*) >= 5`.execute(db);
    },
    async down(db: AnyDb) {
      await sql`DROP VIEW IF EXISTS suspicious_activities`.execute(db);
      await sql`DROP VIEW IF EXISTS security_statistics`.execute(db);
    },
  };
}

/** The alert outbox: one row per (alert revision, channel) delivery; its id is the idempotency key. */
function alertOutbox(kind: StoreKind): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('alert_outbox')
        .addColumn('id', idType(kind), (c) => c.primaryKey())
        .addColumn('alert_id', idType(kind), (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('channel', 'varchar(64)', (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('level', 'varchar(16)', (c) => c.notNull())
        .addColumn('type', 'varchar(64)', (c) => c.notNull())
        .addColumn('subject', 'varchar(255)')
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('delivered_at', 'bigint')
        .addColumn('last_error', 'varchar(1024)')
        .addColumn('payload', longText(kind), (c) => c.notNull())
        .modifyEnd(tableEnd(kind))
        .execute();
      await db.schema.createIndex('alert_outbox_due').on('alert_outbox').columns(['status', 'next_attempt_at']).execute();
      await db.schema.createIndex('alert_outbox_created').on('alert_outbox').columns(['created_at', 'id']).execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('alert_outbox').ifExists().execute();
    },
  };
}

/** Indicators of compromise (src/intel): one row per (type, value), keyed by a hash of both (values can be long URLs). */
function iocs(kind: StoreKind): Migration {
  return {
    async up(db: AnyDb) {
      await db.schema
        .createTable('iocs')
        .addColumn('id', kind === 'postgres' ? sql`char(64) COLLATE "C"` : sql`char(64)`, (c) => c.primaryKey())
        .addColumn('type', 'varchar(16)', (c) => c.notNull())
        .addColumn('value', 'varchar(2048)', (c) => c.notNull())
        .addColumn('threat_type', 'varchar(64)', (c) => c.notNull())
        .addColumn('confidence', 'integer', (c) => c.notNull())
        .addColumn('source', 'varchar(128)', (c) => c.notNull())
        .addColumn('first_seen', 'bigint', (c) => c.notNull())
        .addColumn('last_seen', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('tags', longText(kind), (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .modifyEnd(tableEnd(kind))
        .execute();
      await db.schema.createIndex('iocs_updated').on('iocs').columns(['updated_at', 'id']).execute();
      await db.schema.createIndex('iocs_expires').on('iocs').column('expires_at').execute();
      await db.schema.createIndex('iocs_first_seen').on('iocs').column('first_seen').execute();
      await db.schema.createIndex('iocs_type').on('iocs').column('type').execute();
      await db.schema.createIndex('iocs_source').on('iocs').column('source').execute();
    },
    async down(db: AnyDb) {
      await db.schema.dropTable('iocs').ifExists().execute();
    },
  };
}

/** Migrations compiled into the code (no folder scan), so they run the same from src/ and dist/. */
export function storeMigrations(kind: StoreKind): Record<string, Migration> {
  return {
    '0001_schema': initialSchema(kind),
    '0002_views': views(kind),
    '0003_alert_outbox': alertOutbox(kind),
    '0004_iocs': iocs(kind),
  };
}

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.migrations;
  }
}

/** Bring the schema to the latest version; a no-op when it already is. Returns the names applied now. */
export async function migrateToLatest(db: AnyDb, kind: StoreKind): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(storeMigrations(kind)) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new StoreUnavailableError(
      `store migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`.replace('  ', ' '),
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
