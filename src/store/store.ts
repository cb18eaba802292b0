import type Database from 'better-sqlite3';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import { AuditLog, type AuditEntry, type AuditInput, type AuditVerification } from './audit-log.js';
import { parseStoreUrl, SQLITE_MEMORY, type StoreConfig, type StoreKind, type StoreTarget } from './config.js';
import type { DetectionsTable, LoginAttemptsTable, SecurityEventsTable, StoreDatabase } from './database.js';
import { openDatabase, sqlitePragmas } from './dialect.js';
import { StoreUnavailableError } from './errors.js';
import { migrateToLatest } from './migrations.js';
import { PartitionManager } from './partitions.js';
import { runRetention, type RetentionReport } from './retention.js';
import { detectionRow, isLoginEvent, loginRow, securityEventRow, type StoreItem } from './rows.js';
import { SqliteWriteThread } from './sqlite-write-thread.js';

export interface StoreOptions {
  /** Wall clock for audit entries and row update times (injected in tests). */
  now?: () => number;
  logger?: Logger;
}

/** Bound parameters per statement stay well below SQLite's 32766 and PostgreSQL's 65535. */
const MAX_PARAMS = 30_000;
const MAX_ROWS_PER_STATEMENT = 1000;

/**
 * One SQL database behind Kysely: schema, batched writes, the audit chain
 * and retention. Queries live in queries.ts; the batching, spooling writer
 * in event-writer.ts.
 */
export class Store {
  readonly kind: StoreKind;
  readonly partitions: PartitionManager | undefined;
  readonly now: () => number;
  private readonly audit: AuditLog;
  private sqliteStatements: SqliteWrites | undefined;
  /** SQLite file with store.sqliteWriteThread: event batches are written there. */
  private readonly writeThread: SqliteWriteThread | undefined;
  private closed = false;

  constructor(
    readonly db: Kysely<StoreDatabase>,
    readonly target: StoreTarget,
    readonly config: StoreConfig,
    readonly dataDir: string,
    /** The better-sqlite3 handle, for `backupSqlite`; undefined on servers. */
    readonly sqlite: Database.Database | undefined,
    options: StoreOptions = {},
  ) {
    this.kind = target.kind;
    this.now = options.now ?? Date.now;
    this.partitions = target.kind === 'postgres' ? new PartitionManager(db) : undefined;
    this.audit = new AuditLog(db, this.kind, this.now);
    if (target.kind === 'sqlite' && target.file !== SQLITE_MEMORY && config.sqliteWriteThread) {
      this.writeThread = new SqliteWriteThread({
        file: target.file,
        busyTimeoutMs: config.sqliteBusyTimeoutMs,
        pragmas: sqlitePragmas(config, true),
        statements: SQLITE_WRITE_STATEMENTS,
      });
    }
  }

  /** Applies pending migrations (idempotent) and, on PostgreSQL, the partitions for this month and the next two. */
  async migrate(): Promise<string[]> {
    const applied = await migrateToLatest(this.db, this.kind);
    await this.partitions?.ensureAhead(this.now());
    return applied;
  }

  async ping(): Promise<void> {
    await sql`SELECT 1`.execute(this.db);
  }

  appendAudit(input: AuditInput): Promise<AuditEntry> {
    return this.audit.append(input);
  }

  verifyAuditChain(): Promise<AuditVerification> {
    return this.audit.verify();
  }

  /** @internal used by retention */
  pruneAudit(cutoff: number, batchSize: number): Promise<number> {
    return this.audit.prune(cutoff, batchSize);
  }

  runRetention(now: number = this.now()): Promise<RetentionReport> {
    return runRetention(this, now);
  }

  /** The rows of a batch, built on the calling thread (see `writeBatch`). */
  prepareBatch(items: readonly StoreItem[]): PreparedBatch {
    const logins: LoginAttemptsTable[] = [];
    const events: SecurityEventsTable[] = [];
    const detections = new Map<string, DetectionsTable>();
    const now = this.now();
    for (const item of items) {
      if (item.k === 'e') {
        if (isLoginEvent(item.v)) logins.push(loginRow(item.v));
        else events.push(securityEventRow(item.v));
      } else {
        const row = detectionRow(item.v, now);
        const seen = detections.get(row.id);
        if (seen === undefined || seen.status !== 'closed') detections.set(row.id, row);
      }
    }
    const prepared: PreparedBatch = { logins, events, detections: [...detections.values()] };
    // SQLite binds arrays: converted here, so the writer does it while the thread writes the batch before.
    if (this.kind === 'sqlite') prepared.sqlite = sqliteTables(prepared);
    return prepared;
  }

  /**
   * Writes events and detections in one transaction. Idempotent: an event id
   * already stored is skipped; a detection is upserted, and a closed one is never reopened.
   * `prepared` is `prepareBatch(items)` when the caller built the rows ahead
   * (the writer does, for the next batch, while the SQLite thread writes the current one).
   */
  async writeBatch(items: readonly StoreItem[], prepared: PreparedBatch = this.prepareBatch(items)): Promise<void> {
    const { logins, events, detections } = prepared;
    if (this.writeThread !== undefined) {
      await this.writeThread.write(prepared.sqlite ?? sqliteTables(prepared));
      return;
    }
    if (this.sqlite !== undefined) {
      await this.writeSqlite(this.sqlite, prepared.sqlite ?? sqliteTables(prepared));
      return;
    }
    if (this.partitions !== undefined) {
      await this.partitions.ensure('login_attempts', logins.map((r) => r.ts));
      await this.partitions.ensure('security_events', events.map((r) => r.ts));
    }
    await this.db.transaction().execute(async (trx) => {
      for (const chunk of chunks(logins)) await this.insertIgnoring(trx, 'login_attempts', chunk);
      for (const chunk of chunks(events)) await this.insertIgnoring(trx, 'security_events', chunk);
      for (const chunk of chunks(detections)) await this.upsertDetections(trx, chunk);
    });
  }

  /**
   * SQLite: the same statements, prepared once and run row by row inside one
   * transaction (better-sqlite3 is synchronous, so a batch costs no query
   * building and no re-preparing). Kysely's connection is held meanwhile, so no
   * other Kysely transaction (an audit append) interleaves on the handle.
   */
  private async writeSqlite(sqlite: Database.Database, tables: SqliteTables): Promise<void> {
    const statements = (this.sqliteStatements ??= prepareSqliteWrites(sqlite));
    await this.db.connection().execute(async () => {
      statements.batch(tables);
    });
  }

  private async insertIgnoring(
    trx: Transaction<StoreDatabase>,
    table: 'login_attempts' | 'security_events',
    rows: readonly (LoginAttemptsTable | SecurityEventsTable)[],
  ): Promise<void> {
    const insert = trx.insertInto(table).values(rows as never);
    if (this.kind === 'mysql') await insert.ignore().execute();
    else await insert.onConflict((oc) => oc.doNothing()).execute();
  }

  private async upsertDetections(trx: Transaction<StoreDatabase>, rows: readonly DetectionsTable[]): Promise<void> {
    const insert = trx.insertInto('detections').values(rows as DetectionsTable[]);
    const columns = DETECTION_UPDATED_COLUMNS;
    if (this.kind === 'mysql') {
      // Assignments run left to right: `status` last, so the others still see the old status.
      const set: Record<string, unknown> = {};
      for (const c of [...columns, 'status'] as const) {
        set[c] = sql`IF(${sql.ref('status')} = 'closed', ${sql.ref(c)}, VALUES(${sql.ref(c)}))`;
      }
      await insert.onDuplicateKeyUpdate(set as never).execute();
      return;
    }
    await insert
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet((eb) => {
            const set: Record<string, unknown> = { status: eb.ref('excluded.status') };
            for (const c of columns) set[c] = eb.ref(`excluded.${c}`);
            return set as never;
          })
          .where('detections.status', '<>', 'closed'),
      )
      .execute();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeThread?.close();
    await this.db.destroy();
  }
}

/** A batch's rows per table. */
export interface PreparedBatch {
  logins: LoginAttemptsTable[];
  events: SecurityEventsTable[];
  detections: DetectionsTable[];
  /** SQLite only: the same rows as value arrays in statement column order. */
  sqlite?: SqliteTables;
}

type SqliteTables = [unknown[][], unknown[][], unknown[][]];

interface SqliteWrites {
  batch(tables: SqliteTables): void;
}

const LOGIN_COLUMNS = ['id', 'ts', 'kind', 'success', 'source_ip', 'username', 'user_id', 'user_agent', 'reason', 'session_id', 'country', 'city', 'data'] as const;
const EVENT_COLUMNS = ['id', 'ts', 'kind', 'event_type', 'severity', 'source_ip', 'username', 'user_id', 'data'] as const;
const DETECTION_COLUMNS = [
  'id',
  'detector',
  'type',
  'source_ip',
  'username',
  'severity',
  'confidence',
  'status',
  'detected_at',
  'first_seen',
  'last_seen',
  'event_count',
  'evidence',
  'event_ids',
  'updated_at',
] as const;
/** What a later write of an open detection replaces (`status` is handled on its own: it goes last). */
const DETECTION_UPDATED_COLUMNS = DETECTION_COLUMNS.filter((c) => c !== 'id' && c !== 'status');

const placeholders = (columns: readonly string[]) => columns.map(() => '?').join(', ');
/**
 * The SQLite batch statements, by table: login attempts, security events,
 * detections. Positional parameters: a row is bound (and, for the write
 * thread, copied) as an array, without its column names.
 */
const SQLITE_WRITE_STATEMENTS = [
  `INSERT INTO login_attempts (${LOGIN_COLUMNS.join(', ')}) VALUES (${placeholders(LOGIN_COLUMNS)}) ON CONFLICT DO NOTHING`,
  `INSERT INTO security_events (${EVENT_COLUMNS.join(', ')}) VALUES (${placeholders(EVENT_COLUMNS)}) ON CONFLICT DO NOTHING`,
  `INSERT INTO detections (${DETECTION_COLUMNS.join(', ')}) VALUES (${placeholders(DETECTION_COLUMNS)}) ` +
    `ON CONFLICT (id) DO UPDATE SET ${DETECTION_COLUMNS.filter((c) => c !== 'id')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ')} WHERE detections.status <> 'closed'`,
] as const;

/** A prepared batch as the SQLite statements take it: per statement, each row's values in column order. */
function sqliteTables(prepared: PreparedBatch): SqliteTables {
  const values = <R>(rows: readonly R[], columns: readonly (keyof R)[]) => rows.map((row) => columns.map((c) => row[c]));
  return [values(prepared.logins, LOGIN_COLUMNS), values(prepared.events, EVENT_COLUMNS), values(prepared.detections, DETECTION_COLUMNS)];
}

function prepareSqliteWrites(sqlite: Database.Database): SqliteWrites {
  const statements = SQLITE_WRITE_STATEMENTS.map((text) => sqlite.prepare(text));
  const batch = sqlite.transaction((tables: SqliteTables) => {
    for (let t = 0; t < tables.length; t++) {
      const statement = statements[t] as Database.Statement;
      for (const row of tables[t] as unknown[][]) statement.run(row);
    }
  });
  return { batch: (tables) => batch(tables) };
}

function* chunks<T extends object>(rows: readonly T[]): Generator<T[]> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0] as object).length;
  const size = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMS / columns)));
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/**
 * Opens the database named by `config.url` and migrates it to the latest
 * schema. Relative SQLite file names are inside `dataDir`.
 */
export async function openStore(config: StoreConfig, dataDir: string, options: StoreOptions = {}): Promise<Store> {
  const target = parseStoreUrl(config.url, dataDir);
  const { db, sqlite } = openDatabase(target, config, (err) => {
    options.logger?.warn({ err: err.message }, 'store: database connection lost');
  });
  const store = new Store(db, target, config, dataDir, sqlite, options);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => undefined);
    if (err instanceof StoreUnavailableError) throw err;
    throw new StoreUnavailableError(`cannot open the store (${describeTarget(target)}): ${(err as Error).message}`, { cause: err });
  }
  return store;
}

/** The target without credentials, for logs and errors. */
export function describeTarget(target: StoreTarget): string {
  if (target.kind === 'sqlite') return `sqlite:${target.file}`;
  try {
    const u = new URL(target.url);
    return `${u.protocol}//${u.hostname}${u.port ? ':' + u.port : ''}${u.pathname}`;
  } catch {
    return target.kind;
  }
}
