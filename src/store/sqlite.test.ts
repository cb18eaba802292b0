import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { backupSqlite, restoreSqlite } from './backup.js';
import { benchInsert } from './bench-insert.js';
import { parseStoreUrl } from './config.js';
import { StoreBacklogFullError, StoreConfigError, StoreUnavailableError } from './errors.js';
import { EventWriter } from './event-writer.js';
import { queryEvents } from './queries.js';
import { defineStoreContract, makeDetection, makeEvent, storeConfig } from './store.contract.js';
import { openStore } from './store.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let databases = 0;
const lockers = new Map<string, Database.Database>();

function fileOf(url: string): string {
  return url.slice('sqlite:'.length);
}

defineStoreContract('SQLite', () => ({
  async newDatabase() {
    return `sqlite:${join(root, `db-${++databases}.db`)}`;
  },
  // Another connection holding the write lock: the store's writes time out with SQLITE_BUSY.
  async takeDown(url) {
    const locker = new Database(fileOf(url));
    locker.exec('BEGIN EXCLUSIVE');
    lockers.set(url, locker);
  },
  async bringUp(url) {
    const locker = lockers.get(url);
    locker?.exec('COMMIT');
    locker?.close();
    lockers.delete(url);
  },
  outageConfig: { sqliteBusyTimeoutMs: 20 },
}));

describe('SQLite store specifics', () => {
  const dirs: string[] = [];
  const temp = () => {
    const d = mkdtempSync(join(root, 'case-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('resolves store.url: bare names inside dataDir, paths from the working directory', () => {
    expect(parseStoreUrl('sqlite:vigil.db', 'data', '/srv')).toEqual({ kind: 'sqlite', file: '/srv/data/vigil.db' });
    expect(parseStoreUrl('sqlite:./data/x.db', '/var/lib/vigil', '/srv')).toEqual({ kind: 'sqlite', file: '/srv/data/x.db' });
    expect(parseStoreUrl('sqlite:///abs/x.db', 'data', '/srv')).toEqual({ kind: 'sqlite', file: '/abs/x.db' });
    expect(parseStoreUrl('sqlite::memory:', 'data')).toEqual({ kind: 'sqlite', file: ':memory:' });
    expect(parseStoreUrl('postgresql://u:p@h/db', 'data')).toEqual({ kind: 'postgres', url: 'postgresql://u:p@h/db' });
    expect(parseStoreUrl('mariadb://u@h:3306/db', 'data')).toEqual({ kind: 'mysql', url: 'mysql://u@h:3306/db' });
    expect(() => parseStoreUrl('oracle://x', 'data')).toThrow(StoreConfigError);
  });

  it('creates the default database file in dataDir, in WAL mode with synchronous=NORMAL', async () => {
    const dataDir = temp();
    const store = await openStore(storeConfig('sqlite:vigil.db'), dataDir);
    try {
      expect(existsSync(join(dataDir, 'vigil.db'))).toBe(true);
      expect(store.sqlite?.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.sqlite?.pragma('synchronous', { simple: true })).toBe(1);
      expect(store.sqlite?.pragma('cache_size', { simple: true })).toBe(-64 * 1024);
    } finally {
      await store.close();
    }
  });

  it('works in memory', async () => {
    const store = await openStore(storeConfig('sqlite::memory:'), temp());
    const writer = new EventWriter(store);
    writer.append([makeEvent(0, 1000), makeEvent(2, 1000)]);
    await writer.close();
    expect((await queryEvents(store)).items.map((e) => e.id)).toEqual(['ev-2', 'ev-0']);
    await store.close();
  });

  it('fails to open with an error naming the problem', async () => {
    const dataDir = temp();
    writeFileSync(join(dataDir, 'a-file'), 'x');
    await expect(openStore(storeConfig(`sqlite:${join(dataDir, 'a-file', 'x.db')}`), dataDir)).rejects.toBeInstanceOf(StoreConfigError);
    await expect(openStore(storeConfig('postgres://nobody@127.0.0.1:1/none'), dataDir)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('refuses new batches once the spool is full while the database is down, and counts them', async () => {
    const dataDir = temp();
    const file = join(dataDir, 'full.db');
    const store = await openStore(storeConfig(`sqlite:${file}`, { sqliteBusyTimeoutMs: 10, maxPendingRows: 50, spool: { maxBytes: 20_000, segmentBytes: 4_000, retryMinMs: 60_000, retryMaxMs: 60_000 } }), dataDir);
    const writer = new EventWriter(store);
    const locker = new Database(file);
    locker.exec('BEGIN EXCLUSIVE');
    try {
      let accepted = 0;
      let refused = 0;
      for (let i = 0; i < 200; i++) {
        if (writer.append([makeEvent(i, 1000, { id: `f-${i}` })])) accepted++;
        else refused++;
        await writer.flush();
      }
      const stats = writer.stats();
      expect(refused).toBeGreaterThan(0);
      expect(stats.refusedRows).toBe(refused);
      expect(stats.refusedBatches).toBe(refused);
      expect(stats.spooledBytes).toBeLessThanOrEqual(20_000);
      expect(stats.spoolSegments).toBeGreaterThan(1);
      expect(stats.spooledRows + stats.pendingRows).toBe(accepted);
      // Events wait in memory (up to maxPendingRows) once the spool is full; ingestion is told to stop.
      expect(stats.pendingRows).toBe(50);
      expect(writer.refusing()).toBe(true);
      expect(() => writer.detectionSink().write([makeDetection('x', 'open', 1, 1)])).toThrow(StoreBacklogFullError);
    } finally {
      locker.exec('COMMIT');
      locker.close();
      await writer.close();
      await store.close();
    }
  });

  it('keeps the spool across a restart and writes it on the next start', async () => {
    const dataDir = temp();
    const file = join(dataDir, 'restart.db');
    const config = storeConfig(`sqlite:${file}`, { sqliteBusyTimeoutMs: 10, spool: { maxBytes: 10_000_000, segmentBytes: 1_000_000, retryMinMs: 60_000, retryMaxMs: 60_000 } });
    let store = await openStore(config, dataDir);
    let writer = new EventWriter(store);
    const locker = new Database(file);
    locker.exec('BEGIN EXCLUSIVE');
    const events = Array.from({ length: 500 }, (_, i) => makeEvent(i, 5000, { id: `s-${i}` }));
    writer.append(events);
    writer.appendDetections([makeDetection('sd', 'closed', 5000, 9)]);
    await writer.close(); // down: everything goes to disk
    await store.close();
    locker.exec('ROLLBACK');
    locker.close();
    const segments = readdirSync(join(dataDir, 'spool', 'store')).filter((f) => f.startsWith('seg-'));
    expect(segments.length).toBeGreaterThan(0);
    const lines = segments.map((f) => readFileSync(join(dataDir, 'spool', 'store', f), 'utf8').trim().split('\n').length).reduce((a, b) => a + b, 0);
    expect(lines).toBe(501);

    store = await openStore(config, dataDir);
    writer = new EventWriter(store);
    expect(writer.stats().spooledRows).toBe(501);
    await writer.flush();
    expect(writer.stats()).toMatchObject({ spooledRows: 0, writtenRows: 501 });
    const all = await queryEvents(store, { limit: 1000 });
    expect(all.items.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
    await writer.close();
    await store.close();
  });

  it('sends rows the database rejects to the dead-letter file and stores the rest of the batch', async () => {
    const dataDir = temp();
    const store = await openStore(storeConfig(`sqlite:${join(dataDir, 'dl.db')}`), dataDir);
    const writer = new EventWriter(store);
    // Evidence that cannot be encoded (a BigInt): that row alone is rejected.
    const bad = makeDetection('bad', 'open', 1, 1);
    bad.detection.evidence.weird = 10n;
    writer.appendDetections([makeDetection('good', 'open', 1, 1), bad]);
    writer.append([makeEvent(0, 1000)]);
    await writer.close();
    expect(writer.stats()).toMatchObject({ deadLetterRows: 1, writtenRows: 2 });
    expect(readFileSync(join(dataDir, 'spool', 'store', 'rejected.ndjson'), 'utf8')).toContain('"bad"');
    expect((await queryEvents(store)).items).toHaveLength(1);
    await store.close();
  });

  it('backs up online and restores', async () => {
    const dataDir = temp();
    const file = join(dataDir, 'live.db');
    const store = await openStore(storeConfig(`sqlite:${file}`), dataDir);
    const writer = new EventWriter(store);
    writer.append(Array.from({ length: 50 }, (_, i) => makeEvent(i, 1000, { id: `b-${i}` })));
    await writer.flush();
    await store.appendAudit({ actor: 'admin', action: 'user.create', target: 'bob' });
    const backup = join(dataDir, 'backup.db');
    await backupSqlite(store, backup);
    expect(statSync(backup).size).toBeGreaterThan(0);
    // Changes after the backup are gone after the restore.
    writer.append([makeEvent(999, 1000, { id: 'after-backup' })]);
    await writer.close();
    await store.close();

    await restoreSqlite(backup, file);
    const restored = await openStore(storeConfig(`sqlite:${file}`), dataDir);
    const page = await queryEvents(restored, { limit: 1000 });
    expect(page.items).toHaveLength(50);
    expect(page.items.some((e) => e.id === 'after-backup')).toBe(false);
    expect(await restored.verifyAuditChain()).toEqual({ ok: true, checked: 1 });
    await restored.close();
    await expect(restoreSqlite(join(dataDir, 'nope.db'), file)).rejects.toThrow(/does not exist/);
  });

  it('benchInsert reports a rate and stores every row', async () => {
    const dataDir = temp();
    const store = await openStore(storeConfig(`sqlite:${resolve(dataDir, 'bench.db')}`), dataDir);
    const rate = await benchInsert(store, 5000);
    expect(rate.perSecond).toBeGreaterThan(0);
    expect(rate.perCpuSecond).toBeGreaterThan(0);
    const n = await store.db.selectFrom('login_attempts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(4000);
    await store.close();
  });
});
