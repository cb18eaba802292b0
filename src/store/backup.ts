import { existsSync, readdirSync, readlinkSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors.js';
import type { Store } from './store.js';

/**
 * Online backup of a SQLite store (better-sqlite3's `.backup()`, page by page,
 * while writes continue). The result is a standalone database file.
 * For PostgreSQL use `pg_dump -Fc`, for MariaDB `mariadb-dump --single-transaction`.
 */
export async function backupSqlite(source: Store | Database.Database, file: string): Promise<void> {
  const db = source instanceof Database ? source : source.sqlite;
  if (db === undefined) {
    throw new StoreError('backupSqlite needs a SQLite store; use pg_dump / mariadb-dump for database servers', 'VIGIL_E_STORE_BACKUP');
  }
  await db.backup(file);
  // A standalone file: rollback journal instead of WAL, so no -wal/-shm appear beside the copy when it is opened.
  const copy = new Database(file);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/**
 * Restores a backup over `target`. The store using `target` must be closed.
 * The backup is checked first, copied beside the target and renamed over it,
 * so a failed restore leaves the old database in place.
 */
export async function restoreSqlite(file: string, target: string): Promise<void> {
  if (!existsSync(file)) throw new StoreError(`backup ${file} does not exist`, 'VIGIL_E_STORE_BACKUP');
  const backup = new Database(file, { readonly: true, fileMustExist: true });
  const temp = `${target}.restoring`;
  try {
    const check = backup.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new StoreError(`backup ${file} is damaged: ${String(check)}`, 'VIGIL_E_STORE_BACKUP');
    const missing = missingVigilTables(backup);
    if (missing.length > 0) throw new StoreError(`${file} is not a Vigil database (no ${missing.join(', ')})`, 'VIGIL_E_STORE_BACKUP');
    rmSync(temp, { force: true });
    await backup.backup(temp);
  } catch (err) {
    rmSync(temp, { force: true });
    if (err instanceof StoreError) throw err;
    if ((err as { code?: unknown }).code === 'SQLITE_NOTADB') {
      throw new StoreError(`${file} is not a SQLite database`, 'VIGIL_E_STORE_BACKUP', { cause: err });
    }
    throw new StoreError(`cannot restore ${file}: ${(err as Error).message}`, 'VIGIL_E_STORE_BACKUP', { cause: err });
  } finally {
    backup.close();
  }
  // WAL and shared-memory files of the old database would otherwise be replayed over the restored one.
  rmSync(`${target}-wal`, { force: true });
  rmSync(`${target}-shm`, { force: true });
  renameSync(temp, target);
}

/** Tables every Vigil database has (migration 0001) and Kysely's migration record. */
const VIGIL_TABLES = ['kysely_migration', 'audit_logs', 'login_attempts', 'security_events', 'detections', 'store_meta'];

function missingVigilTables(db: Database.Database): string[] {
  const present = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name),
  );
  return VIGIL_TABLES.filter((t) => !present.has(t));
}

/**
 * Processes (other than this one) holding `file` open, from /proc (Linux);
 * empty where /proc is not available. A running Vigil keeps its database open.
 */
export function processesUsing(file: string): number[] {
  const wanted = new Set([resolve(file), resolve(`${file}-wal`), resolve(`${file}-shm`)]);
  const found: number[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return found;
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) {
          found.push(Number(pid));
          break;
        }
      } catch {
        // closed meanwhile
      }
    }
  }
  return found;
}
