import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { VigilConfig } from '../core/config.js';
import { backupSqlite, processesUsing, restoreSqlite, StoreError } from '../store/index.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './input.js';
import { cliActor, StoreCommandError, storeTarget, withStore } from './store-access.js';

const SERVER_HINT: Record<'postgres' | 'mysql', { backup: string; restore: string }> = {
  postgres: { backup: 'pg_dump -Fc -d "$URL" -f vigil.dump', restore: 'pg_restore --clean --if-exists --no-owner -d "$URL" vigil.dump' },
  mysql: { backup: 'mariadb-dump --single-transaction --databases vigil > vigil.sql', restore: 'mariadb vigil < vigil.sql' },
};

function sqliteFile(config: VigilConfig, action: 'backup' | 'restore'): string {
  const target = storeTarget(config);
  if (target.kind !== 'sqlite') {
    const hint = SERVER_HINT[target.kind];
    throw new UsageError(`vigil ${action} handles SQLite stores; for this ${target.kind === 'postgres' ? 'PostgreSQL' : 'MariaDB/MySQL'} store use: ${hint[action]}`);
  }
  if (target.file === ':memory:') throw new UsageError(`the store is in memory (${config.store.url}): nothing to ${action}`);
  return target.file;
}

/** `vigil backup <file>`: an online backup of the SQLite store (writers may continue), recorded in the audit log. */
export async function runBackup(file: string, config: VigilConfig, options: { force?: boolean; actor?: string }): Promise<number> {
  const source = sqliteFile(config, 'backup');
  const out = resolve(file);
  if (out === source) throw new UsageError('the backup file is the database itself');
  if (existsSync(out) && options.force !== true) throw new UsageError(`${out} exists; choose another name or pass --force`);
  await withStore(config, async (store) => {
    await backupSqlite(store, out);
    await store.appendAudit({ actor: cliActor(options.actor), action: 'store.backup', target: out, details: { database: source } });
  });
  process.stderr.write(`backup written: ${out}\n`);
  return EXIT.OK;
}

/**
 * `vigil restore <file>`: replaces the configured SQLite database with a
 * backup after checking it (integrity, Vigil tables). Refuses while a process
 * holds the database open (a running Vigil) unless --force.
 */
export async function runRestore(file: string, config: VigilConfig, options: { force?: boolean }): Promise<number> {
  const target = sqliteFile(config, 'restore');
  const backup = resolve(file);
  if (!existsSync(backup)) throw new StoreCommandError(`backup ${backup} does not exist`);
  if (options.force !== true) {
    const users = processesUsing(target);
    if (users.length > 0) {
      throw new StoreCommandError(`${target} is open in process ${users.join(', ')} (a running Vigil?): stop it first, or pass --force`);
    }
    if (existsSync(`${target}-wal`)) {
      throw new StoreCommandError(`${target} was not closed cleanly (${target}-wal exists): is Vigil running? Stop it first, or pass --force`);
    }
  }
  try {
    await restoreSqlite(backup, target);
  } catch (err) {
    if (err instanceof StoreError) throw new StoreCommandError(err.message);
    throw err;
  }
  const verification = await withStore(config, (store) => store.verifyAuditChain());
  process.stderr.write(
    `restored ${target} from ${backup}; audit chain ${verification.ok ? `verified (${verification.checked} entries)` : `BROKEN at row ${verification.firstBadId} (${verification.reason})`}\n`,
  );
  return EXIT.OK;
}
