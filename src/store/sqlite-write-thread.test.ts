import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteWriteThread, SqliteWriteThreadError } from './sqlite-write-thread.js';
import { isTransientError } from './transient-error.js';

const dirs: string[] = [];
const threads: SqliteWriteThread[] = [];
afterEach(async () => {
  for (const t of threads.splice(0)) await t.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(busyTimeoutMs = 50): { db: Database.Database; thread: SqliteWriteThread } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-write-thread-'));
  dirs.push(dir);
  const file = join(dir, 't.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE a (id TEXT PRIMARY KEY, n INTEGER NOT NULL); CREATE TABLE b (id TEXT PRIMARY KEY)');
  const thread = new SqliteWriteThread({
    file,
    busyTimeoutMs,
    pragmas: ['journal_mode = WAL', 'synchronous = NORMAL'],
    statements: ['INSERT INTO a (id, n) VALUES (@id, @n) ON CONFLICT DO NOTHING', 'INSERT INTO b (id) VALUES (?)'],
  });
  threads.push(thread);
  return { db, thread };
}

const count = (db: Database.Database, table: string) => (db.prepare(`SELECT count(*) AS c FROM ${table}`).get() as { c: number }).c;

describe('SqliteWriteThread', () => {
  it('commits each batch in one transaction, visible to the main connection when write resolves', async () => {
    const { db, thread } = setup();
    await thread.write([Array.from({ length: 1000 }, (_, i) => ({ id: `x${i}`, n: i })), [['y']]]);
    expect(count(db, 'a')).toBe(1000);
    expect(count(db, 'b')).toBe(1);
    await Promise.all([thread.write([[{ id: 'x1', n: 1 }, { id: 'z', n: 2 }], []]), thread.write([[{ id: 'w', n: 3 }], []])]);
    expect(count(db, 'a')).toBe(1002);
    db.close();
  });

  it('rolls a failing batch back whole and reports the SQLite code (a bad row is not transient)', async () => {
    const { db, thread } = setup();
    const failed = thread.write([[{ id: 'ok', n: 1 }, { id: 'bad', n: null }], []]);
    await expect(failed).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_NOTNULL' });
    expect(isTransientError(await failed.catch((e: unknown) => e))).toBe(false);
    expect(count(db, 'a')).toBe(0);
    db.close();
  });

  it('reports a lock held elsewhere as SQLITE_BUSY (transient), then writes once it is released', async () => {
    const { db, thread } = setup();
    db.exec('BEGIN EXCLUSIVE');
    const busy = await thread.write([[{ id: 'a', n: 1 }], []]).catch((e: unknown) => e);
    expect(busy).toMatchObject({ code: expect.stringMatching(/^SQLITE_BUSY/) });
    expect(isTransientError(busy)).toBe(true);
    db.exec('COMMIT');
    await thread.write([[{ id: 'a', n: 1 }], []]);
    expect(count(db, 'a')).toBe(1);
    db.close();
  });

  it('lets a write in flight finish before it closes, and refuses writes afterwards', async () => {
    const { db, thread } = setup(5000);
    db.exec('BEGIN EXCLUSIVE'); // the write waits for the lock: still in flight when close is called
    const inFlight = thread.write([[{ id: 'a', n: 1 }], []]);
    await new Promise((r) => setTimeout(r, 100));
    const closing = thread.close();
    await expect(thread.write([[], []])).rejects.toBeInstanceOf(SqliteWriteThreadError);
    db.exec('COMMIT');
    await inFlight;
    await closing;
    expect(count(db, 'a')).toBe(1);
    db.close();
  });

  it('fails writes transiently when the thread cannot run (here: the database cannot be opened)', async () => {
    const thread = new SqliteWriteThread({ file: join(tmpdir(), 'no-such-dir-vigil', 'x.db'), busyTimeoutMs: 10, pragmas: [], statements: ['SELECT 1'] });
    threads.push(thread);
    const err = await thread.write([[]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqliteWriteThreadError);
    expect(isTransientError(err)).toBe(true);
  });
});
