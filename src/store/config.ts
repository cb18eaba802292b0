import { isAbsolute, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { StoreConfigError } from './errors.js';

const days = (defaultDays: number, what: string) =>
  Type.Integer({ minimum: 0, default: defaultDays, description: `Days to keep ${what}; 0 keeps them forever.` });

export const storeConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Keep events, detections and the audit log in a SQL database.' }),
    url: Type.String({
      default: 'sqlite:vigil.db',
      secret: true,
      description:
        'Database: sqlite:<file> (a bare file name is inside dataDir, a path with a directory part is relative to the ' +
        'working directory; sqlite::memory: for tests), postgres://user:pass@host:5432/db, mysql://user:pass@host:3306/db (MariaDB or MySQL).',
    }),
    batchSize: Type.Integer({
      minimum: 1,
      maximum: 50_000,
      default: 5000,
      description: 'Most rows per write transaction (a partial batch is written after flushIntervalMs). Larger transactions write each touched index page once for more rows.',
    }),
    flushIntervalMs: Type.Integer({ minimum: 1, default: 250, description: 'Write a partial batch after this many milliseconds.' }),
    maxPendingRows: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'Rows held in memory waiting for the database; beyond this new events are refused (503).',
    }),
    poolSize: Type.Integer({ minimum: 1, default: 10, description: 'Connections per pool (PostgreSQL, MariaDB).' }),
    sqliteBusyTimeoutMs: Type.Integer({
      minimum: 0,
      default: 2000,
      description: 'How long a SQLite write waits for a lock held by another process before the batch is spooled.',
    }),
    sqliteCacheMiB: Type.Integer({
      minimum: 1,
      default: 64,
      description:
        'SQLite page cache per connection, in MiB (SQLite\'s own default is 2). The index pages that inserts touch stay in memory, so the insert rate holds as the tables grow.',
    }),
    sqliteWriteThread: Type.Boolean({
      default: true,
      description:
        'SQLite file: run the event write transactions on a worker thread with its own connection, so a batch never blocks ingestion, ' +
        'detection or the API. false writes on the main thread.',
    }),
    retentionDays: Type.Object(
      {
        loginAttempts: days(90, 'login attempts'),
        securityEvents: days(90, 'security events'),
        detections: days(365, 'detections (by last seen)'),
        auditLogs: days(0, 'audit log entries (the chain stays verifiable: an anchor records the last pruned hash)'),
      },
      { additionalProperties: false, default: {} },
    ),
    retentionBatchSize: Type.Integer({ minimum: 1, default: 10_000, description: 'Rows deleted per statement by retention (SQLite, MariaDB).' }),
    spool: Type.Object(
      {
        maxBytes: Type.Integer({
          minimum: 1,
          default: 1024 ** 3,
          description: 'On-disk spool (dataDir/spool/store) limit while the database is down; beyond it new batches are refused.',
        }),
        segmentBytes: Type.Integer({ minimum: 1, default: 16 * 1024 ** 2, description: 'Size of one spool segment file.' }),
        retryMinMs: Type.Integer({ minimum: 1, default: 250, description: 'First retry delay after a failed write; doubles each time.' }),
        retryMaxMs: Type.Integer({ minimum: 1, default: 30_000, description: 'Largest retry delay.' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
export type StoreConfig = Static<typeof storeConfigSchema>;

export type StoreKind = 'sqlite' | 'postgres' | 'mysql';

export type StoreTarget =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string }
  | { kind: 'mysql'; url: string };

export const SQLITE_MEMORY = ':memory:';

/**
 * `sqlite:vigil.db` → `<dataDir>/vigil.db`; `sqlite:./data/vigil.db` → relative to cwd;
 * `sqlite:///abs/file.db` and `sqlite:/abs/file.db` → absolute; `sqlite::memory:` → in memory.
 */
export function parseStoreUrl(url: string, dataDir: string, cwd: string = process.cwd()): StoreTarget {
  const trimmed = url.trim();
  const scheme = /^([a-z0-9+]+):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === 'sqlite' || scheme === 'sqlite3' || scheme === 'file') {
    let path = trimmed.slice(scheme.length + 1);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') throw new StoreConfigError(`store.url ${JSON.stringify(url)}: name a database file, e.g. sqlite:vigil.db`);
    if (path === SQLITE_MEMORY) return { kind: 'sqlite', file: SQLITE_MEMORY };
    if (isAbsolute(path)) return { kind: 'sqlite', file: path };
    const bare = !path.includes('/') && !path.includes('\\');
    return { kind: 'sqlite', file: bare ? resolve(cwd, dataDir, path) : resolve(cwd, path) };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') return { kind: 'postgres', url: trimmed };
  if (scheme === 'mysql' || scheme === 'mariadb') {
    return { kind: 'mysql', url: scheme === 'mariadb' ? 'mysql' + trimmed.slice('mariadb'.length) : trimmed };
  }
  throw new StoreConfigError(
    `store.url: unsupported database ${JSON.stringify(scheme ?? trimmed)}; use sqlite:<file>, postgres://… or mysql://…`,
  );
}
