import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely';
import mysql from 'mysql2';
import pg from 'pg';
import type { StoreConfig, StoreTarget } from './config.js';
import { SQLITE_MEMORY } from './config.js';
import type { StoreDatabase } from './database.js';
import { StoreConfigError } from './errors.js';

export interface OpenedDatabase {
  db: Kysely<StoreDatabase>;
  /** The better-sqlite3 handle (backups) when the target is SQLite. */
  sqlite: Database.Database | undefined;
}

const PG_INT8 = 20;

/** BIGINT (epoch ms, counts) as JS numbers on this pool only; pg's global parsers stay untouched. */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === PG_INT8 && format !== 'binary') return (value: string) => Number(value);
    return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  },
} as unknown as pg.CustomTypesConfig;

/** Settings of every SQLite connection Vigil opens on a database (the main one and the write thread's). */
export function sqlitePragmas(config: StoreConfig, file: boolean): string[] {
  return [
    ...(file ? ['journal_mode = WAL'] : []),
    // WAL + NORMAL: a committed transaction survives a crash of the process (not necessarily of the machine).
    'synchronous = NORMAL',
    // Checkpoint every ~40 MB of WAL instead of ~4 MB: fewer fsyncs and hot index pages copied back once, not ten times.
    'wal_autocheckpoint = 10000',
    // Negative: KiB.
    `cache_size = -${config.sqliteCacheMiB * 1024}`,
  ];
}

export function openDatabase(
  target: StoreTarget,
  config: StoreConfig,
  onPoolError: (err: Error) => void,
): OpenedDatabase {
  switch (target.kind) {
    case 'sqlite': {
      if (target.file !== SQLITE_MEMORY) {
        try {
          mkdirSync(dirname(target.file), { recursive: true });
        } catch (cause) {
          throw new StoreConfigError(`cannot create the directory for ${target.file}: ${(cause as Error).message}`, { cause });
        }
      }
      let sqlite: Database.Database;
      try {
        sqlite = new Database(target.file, { timeout: config.sqliteBusyTimeoutMs });
      } catch (cause) {
        throw new StoreConfigError(`cannot open SQLite database ${target.file}: ${(cause as Error).message}`, { cause });
      }
      for (const pragma of sqlitePragmas(config, target.file !== SQLITE_MEMORY)) sqlite.pragma(pragma);
      return { db: new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: sqlite }) }), sqlite };
    }
    case 'postgres': {
      const pool = new pg.Pool({
        connectionString: target.url,
        max: config.poolSize,
        connectionTimeoutMillis: 5000,
        types: pgTypes,
      });
      // An idle client losing its server emits on the pool; without a listener that would crash the process.
      pool.on('error', onPoolError);
      return { db: new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) }), sqlite: undefined };
    }
    case 'mysql': {
      const pool = mysql.createPool({
        uri: target.url,
        connectionLimit: config.poolSize,
        charset: 'utf8mb4',
        timezone: 'Z',
        connectTimeout: 5000,
        enableKeepAlive: true,
      });
      pool.on('error' as 'connection', onPoolError as never);
      return { db: new Kysely<StoreDatabase>({ dialect: new MysqlDialect({ pool }) }), sqlite: undefined };
    }
  }
}
