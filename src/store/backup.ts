import { existsSync, renameSync, rmSync } from 'node:fs';
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
    rmSync(temp, { force: true });
    await backup.backup(temp);
  } catch (err) {
    rmSync(temp, { force: true });
    if (err instanceof StoreError) throw err;
    throw new StoreError(`cannot restore ${file}: ${(err as Error).message}`, 'VIGIL_E_STORE_BACKUP', { cause: err });
  } finally {
    backup.close();
  }
  // WAL and shared-memory files of the old database would otherwise be replayed over the restored one.
  rmSync(`${target}-wal`, { force: true });
  rmSync(`${target}-shm`, { force: true });
  renameSync(temp, target);
}
