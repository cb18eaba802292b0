import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Detection } from '../core/detection.js';
import type { SecurityEvent } from '../core/event.js';
import type { DetectionRecord } from '../sinks/sink.js';
import { storeConfigSchema, type StoreConfig } from './config.js';
import { InvalidCursorError } from './errors.js';
import { EventWriter } from './event-writer.js';
import { partitionFor, addMonths, monthStart } from './partitions.js';
import { queryAudit, queryDetections, queryEvents, type EventQuery } from './queries.js';
import { securityStatistics, suspiciousActivities } from './statistics.js';
import { openStore, type Store } from './store.js';
import { AlertOutbox, newDelivery } from '../alert/outbox.js';
import { testAlert } from '../alert/alert.js';

const DAY = 86_400_000;

/** What the contract needs from a backend (SQLite file, PostgreSQL server, MariaDB server). */
export interface ContractBackend {
  /** The URL of a new, empty database. */
  newDatabase(): Promise<string>;
  /** Make the database behind `url` refuse writes (server stopped, file locked) … */
  takeDown(url: string): Promise<void>;
  /** … and take them again. */
  bringUp(url: string): Promise<void>;
  /** Settings for the outage test, e.g. a short SQLite busy timeout. */
  outageConfig?: Partial<StoreConfig>;
}

export function storeConfig(url: string, overrides: Partial<StoreConfig> = {}): StoreConfig {
  const base = Value.Default(storeConfigSchema, { url }) as StoreConfig;
  return { ...base, flushIntervalMs: 10, ...overrides, spool: { ...base.spool, retryMinMs: 20, retryMaxMs: 300, ...overrides.spool } };
}

export function makeEvent(i: number, base: number, overrides: Partial<SecurityEvent> = {}): SecurityEvent {
  const r = i % 3;
  const kind = r === 0 ? 'login.failure' : r === 1 ? 'login.success' : 'waf.violation';
  return {
    id: `ev-${i}`,
    timestamp: base + Math.floor(i / 2) * 1000, // pairs share a timestamp: ties are broken by id
    kind,
    sourceIp: `192.0.2.${i % 10}`,
    username: `u${i % 7}`,
    reason: kind === 'login.failure' ? 'INVALID_PASSWORD' : undefined,
    violationType: kind === 'waf.violation' ? 'SQL_INJECTION' : undefined,
    labels: kind === 'waf.violation' ? { severity: i % 6 === 2 ? 'high' : 'LOW', note: 'a,"b"\nc' } : { source: 'test' },
    ...overrides,
  };
}

export function makeDetection(id: string, status: 'open' | 'closed', lastSeen: number, eventCount: number, overrides: Partial<Detection> = {}): DetectionRecord {
  return {
    status,
    detection: {
      id,
      detector: 'brute-force',
      type: 'brute_force',
      sourceIp: '198.51.100.7',
      username: 'alice',
      confidence: 0.9,
      severity: 'HIGH',
      evidence: { eventCount, firstSeen: lastSeen - 60_000, lastSeen, ips: ['198.51.100.7'] },
      eventIds: ['e1', 'e2'],
      status,
      detectedAt: lastSeen - 30_000,
      ...overrides,
    },
  };
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function count(store: Store, table: 'login_attempts' | 'security_events' | 'detections' | 'audit_logs'): Promise<number> {
  const row = await store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function allEvents(store: Store, query: EventQuery): Promise<SecurityEvent[]> {
  const out: SecurityEvent[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await queryEvents(store, { ...query, cursor });
    out.push(...page.items);
    if (page.nextCursor === undefined) return out;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The behaviour every SQL backend must show. `backend` is called lazily
 * (inside the tests), so servers can be started in a beforeAll.
 */
export function defineStoreContract(name: string, backend: () => ContractBackend): void {
  describe(`store contract: ${name}`, () => {
    const cleanup: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const fn of cleanup.splice(0).reverse()) await fn();
    });

    async function open(overrides: Partial<StoreConfig> = {}, url?: string, now?: () => number) {
      const dataDir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
      const dbUrl = url ?? (await backend().newDatabase());
      const store = await openStore(storeConfig(dbUrl, overrides), dataDir, now ? { now } : {});
      cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
      cleanup.push(() => store.close());
      return { store, url: dbUrl, dataDir };
    }

    it('runs migrations once: reopening and migrating again changes nothing', async () => {
      const { store, url } = await open();
      expect(await store.migrate()).toEqual([]);
      const again = await open({}, url);
      expect(await again.store.migrate()).toEqual([]);
      const applied = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(store.db);
      expect(applied.rows.map((r) => r.name)).toEqual(['0001_schema', '0002_views', '0003_alert_outbox', '0004_iocs']);
      for (const table of ['users', 'login_attempts', 'security_events', 'user_locations', 'blacklisted_ips', 'security_policies', 'audit_logs', 'detections', 'security_statistics', 'suspicious_activities'] as const) {
        const rows = await store.db.selectFrom(table).selectAll().execute();
        expect(rows, table).toEqual([]);
      }
    });

    it('alert outbox: idempotent insert, due order, retry, delivered, dead, depth, filtered pages, prune', async () => {
      const { store } = await open();
      const outbox = new AlertOutbox(store.db, store.kind);
      const t0 = Date.UTC(2026, 0, 1);
      const alerts = Array.from({ length: 5 }, (_, i) => ({ ...testAlert(`alert-${i}`, t0), level: i % 2 === 0 ? ('HIGH' as const) : ('LOW' as const), type: i < 3 ? 'brute_force' : 'sqli', summary: `a "quoted" ünïcode ${i}` }));
      const deliveries = alerts.flatMap((a, i) => [newDelivery(a, 'slack', t0 + i * 1000), newDelivery(a, 'hook', t0 + i * 1000)]);
      await outbox.insert(deliveries);
      // The same keys again change nothing (a retried write after a crash).
      await outbox.insert(deliveries.map((d) => ({ ...d, attempts: 99 })));
      expect((await outbox.depth()).pending).toBe(10);
      expect((await outbox.get('alert-0.1.slack'))?.attempts).toBe(0);
      expect((await outbox.get('alert-0.1.slack'))?.alert.summary).toBe('a "quoted" ünïcode 0');

      const due = await outbox.due(t0 + 1500, 100);
      expect(due.map((d) => d.id)).toEqual(['alert-0.1.hook', 'alert-0.1.slack', 'alert-1.1.hook', 'alert-1.1.slack']);
      expect((await outbox.due(t0 + 1500, 100, ['slack'])).map((d) => d.id)).toEqual(['alert-0.1.slack', 'alert-1.1.slack']);

      await outbox.markRetry('alert-0.1.hook', 1, t0 + 60_000, 'HTTP 500', t0 + 2000);
      await outbox.markDelivered('alert-0.1.slack', 1, t0 + 2000);
      await outbox.markDead('alert-1.1.hook', 8, 'HTTP 400', t0 + 2000);
      expect((await outbox.due(t0 + 1500, 100)).map((d) => d.id)).toEqual(['alert-1.1.slack']);
      expect(await outbox.get('alert-0.1.hook')).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: t0 + 60_000, lastError: 'HTTP 500' });
      expect(await outbox.get('alert-0.1.slack')).toMatchObject({ status: 'delivered', deliveredAt: t0 + 2000 });
      expect(await outbox.depth()).toMatchObject({ pending: 8, delivered: 1, dead: 1 });

      const pages: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await outbox.query({ channel: 'hook', limit: 2, cursor });
        pages.push(...page.items.map((d) => d.id));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(pages).toEqual(['alert-4.1.hook', 'alert-3.1.hook', 'alert-2.1.hook', 'alert-1.1.hook', 'alert-0.1.hook']);
      expect((await outbox.query({ level: 'LOW', type: 'brute_force' })).items.map((d) => d.id)).toEqual(['alert-1.1.slack', 'alert-1.1.hook']);
      expect((await outbox.query({ status: 'dead' })).items.map((d) => d.id)).toEqual(['alert-1.1.hook']);
      expect((await outbox.query({ since: t0 + 3000, until: t0 + 4000 })).items.map((d) => d.id)).toEqual(['alert-3.1.slack', 'alert-3.1.hook']);

      expect(await outbox.prune(t0 + 3000)).toBe(2);
      expect(await outbox.depth()).toMatchObject({ pending: 8, delivered: 0, dead: 0 });
    });

    it('writes events in batches and reads them back with filters and cursor pagination', async () => {
      const { store } = await open({ batchSize: 250 });
      const writer = new EventWriter(store);
      const base = Date.now() - 3_600_000;
      const events = Array.from({ length: 1500 }, (_, i) => makeEvent(i, base));
      for (let i = 0; i < events.length; i += 200) expect(writer.append(events.slice(i, i + 200))).toBe(true);
      await writer.flush();
      expect(writer.stats()).toMatchObject({ pendingRows: 0, spooledRows: 0, writtenRows: 1500, databaseUp: true });
      expect(await count(store, 'login_attempts')).toBe(1000);
      expect(await count(store, 'security_events')).toBe(500);

      // Written again (a replayed batch): skipped, not duplicated.
      writer.append(events.slice(0, 300));
      await writer.flush();
      expect(await count(store, 'login_attempts')).toBe(1000);
      expect(await count(store, 'security_events')).toBe(500);
      await writer.close();

      const desc = await allEvents(store, { limit: 97 });
      expect(desc).toHaveLength(1500);
      expect(new Set(desc.map((e) => e.id)).size).toBe(1500);
      for (let i = 1; i < desc.length; i++) {
        const a = desc[i - 1] as SecurityEvent;
        const b = desc[i] as SecurityEvent;
        expect(a.timestamp > b.timestamp || (a.timestamp === b.timestamp && byteCompare(a.id, b.id) > 0)).toBe(true);
      }
      expect(desc.find((e) => e.id === 'ev-2')).toEqual(events[2]); // the whole event round-trips

      const asc = await allEvents(store, { limit: 333, order: 'asc' });
      expect(asc.map((e) => e.id)).toEqual([...desc].reverse().map((e) => e.id));

      const expectIds = async (query: EventQuery, predicate: (e: SecurityEvent) => boolean) => {
        const got = (await allEvents(store, { ...query, limit: 50 })).map((e) => e.id).sort();
        const want = events.filter(predicate).map((e) => e.id).sort();
        expect(want.length).toBeGreaterThan(0);
        expect(got, JSON.stringify(query)).toEqual(want);
      };
      await expectIds({ ip: '192.0.2.3' }, (e) => e.sourceIp === '192.0.2.3');
      await expectIds({ user: 'u3' }, (e) => e.username === 'u3');
      await expectIds({ type: 'login.failure' }, (e) => e.kind === 'login.failure');
      await expectIds({ type: 'SQL_INJECTION' }, (e) => e.violationType === 'SQL_INJECTION');
      await expectIds({ level: 'HIGH' }, (e) => e.labels.severity === 'high');
      const from = base + 100_000;
      const to = base + 200_000;
      await expectIds({ from, to }, (e) => e.timestamp >= from && e.timestamp < to);
      await expectIds({ from, to, ip: '192.0.2.4', type: 'login.success' }, (e) => e.timestamp >= from && e.timestamp < to && e.sourceIp === '192.0.2.4' && e.kind === 'login.success');

      const big = await queryEvents(store, { limit: 5000 });
      expect(big.items).toHaveLength(1000);
      expect(big.nextCursor).toBeDefined();
      await expect(queryEvents(store, { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it('upserts detections: an open one is visible, the closed one is final', async () => {
      const { store } = await open();
      const writer = new EventWriter(store);
      const sink = writer.detectionSink();
      const t = Date.now() - 10 * 60_000;
      sink.write([makeDetection('det-1', 'open', t, 5), makeDetection('det-2', 'open', t + 1, 1, { sourceIp: '203.0.113.9', severity: 'LOW', type: 'sqli' })]);
      await sink.close();
      let page = await queryDetections(store, { ip: '198.51.100.7' });
      expect(page.items).toHaveLength(1);
      expect(page.items[0]).toMatchObject({ id: 'det-1', status: 'open', eventCount: 5, severity: 'HIGH', confidence: 0.9, lastSeen: t });

      sink.write([makeDetection('det-1', 'closed', t + 5000, 12)]);
      await sink.close();
      // A stale `open` (replayed from the spool after the close) must not reopen it.
      sink.write([makeDetection('det-1', 'open', t + 1000, 7)]);
      await writer.close();
      page = await queryDetections(store, {});
      expect(page.items.map((d) => d.id)).toEqual(['det-1', 'det-2']);
      expect(page.items[0]).toMatchObject({ status: 'closed', eventCount: 12, lastSeen: t + 5000, evidence: { eventCount: 12, ips: ['198.51.100.7'] }, eventIds: ['e1', 'e2'] });
      expect((await queryDetections(store, { status: 'open' })).items.map((d) => d.id)).toEqual(['det-2']);
      expect((await queryDetections(store, { level: 'LOW', type: 'sqli' })).items.map((d) => d.id)).toEqual(['det-2']);
      const first = await queryDetections(store, { limit: 1 });
      expect(first.items.map((d) => d.id)).toEqual(['det-1']);
      const second = await queryDetections(store, { limit: 1, cursor: first.nextCursor });
      expect(second.items.map((d) => d.id)).toEqual(['det-2']);
      expect(second.nextCursor).toBeUndefined();
    });

    it('chains audit entries and detects a modified or a deleted row', async () => {
      const { store, url } = await open();
      const other = await open({}, url); // a second instance on the same database
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? store : other.store).appendAudit({ actor: `admin${i % 3}`, action: i % 4 === 0 ? 'policy.update' : 'user.lock', target: `t${i}`, details: { i, nested: { b: 1, a: [i] } } }),
        ),
      );
      const ok = await store.verifyAuditChain();
      expect(ok).toEqual({ ok: true, checked: 20 });
      const ids = (await store.db.selectFrom('audit_logs').select('id').orderBy('id').execute()).map((r) => Number(r.id));
      expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));

      const page = await queryAudit(store, { actor: 'admin1', limit: 3 });
      expect(page.items.every((e) => e.actor === 'admin1')).toBe(true);
      expect(page.items).toHaveLength(3);
      const rest = await queryAudit(store, { actor: 'admin1', cursor: page.nextCursor });
      expect(page.items.length + rest.items.length).toBe(7);
      expect((await queryAudit(store, { action: 'policy.update' })).items).toHaveLength(5);

      const original = await store.db.selectFrom('audit_logs').select('details').where('id', '=', 3).executeTakeFirstOrThrow();
      await sql`UPDATE audit_logs SET details = ${'{"i":999}'} WHERE id = 3`.execute(store.db);
      expect(await store.verifyAuditChain()).toMatchObject({ ok: false, firstBadId: 3, reason: 'modified' });
      await sql`UPDATE audit_logs SET details = ${original.details} WHERE id = 3`.execute(store.db);
      expect((await store.verifyAuditChain()).ok).toBe(true);
      await sql`UPDATE audit_logs SET actor = ${'mallory'} WHERE id = 9`.execute(store.db);
      expect(await store.verifyAuditChain()).toMatchObject({ ok: false, firstBadId: 9, reason: 'modified' });
      await sql`DELETE FROM audit_logs WHERE id = 9`.execute(store.db);
      expect(await store.verifyAuditChain()).toMatchObject({ ok: false, firstBadId: 9, reason: 'missing' });
      await sql`DELETE FROM audit_logs WHERE id = 2`.execute(store.db);
      expect(await store.verifyAuditChain()).toMatchObject({ ok: false, firstBadId: 2, reason: 'missing', checked: 1 });
    });

    it('prunes the audit log by age and keeps the rest verifiable', async () => {
      let clock = Date.now() - 100 * DAY;
      const { store } = await open({ retentionDays: { loginAttempts: 0, securityEvents: 0, detections: 0, auditLogs: 30 } }, undefined, () => clock);
      for (let i = 0; i < 4; i++) await store.appendAudit({ actor: 'old', action: 'user.create', target: `u${i}` });
      clock = Date.now();
      for (let i = 0; i < 3; i++) await store.appendAudit({ actor: 'new', action: 'user.create', target: `v${i}` });
      const report = await store.runRetention(Date.now());
      expect(report.deleted.audit_logs).toBe(4);
      expect(await store.verifyAuditChain()).toEqual({ ok: true, checked: 3 });
      const next = await store.appendAudit({ actor: 'new', action: 'user.delete' });
      expect(next.id).toBe(8);
      expect((await store.verifyAuditChain()).checked).toBe(4);
      await sql`DELETE FROM audit_logs WHERE id = 5`.execute(store.db);
      expect(await store.verifyAuditChain()).toMatchObject({ ok: false, firstBadId: 5, reason: 'missing' });
    });

    it('applies retention: old rows (or PostgreSQL partitions) go, recent ones stay', async () => {
      const now = Date.now();
      const old = now - 200 * DAY;
      const recent = now - 10 * DAY;
      const { store } = await open({ retentionBatchSize: 2, retentionDays: { loginAttempts: 90, securityEvents: 90, detections: 90, auditLogs: 0 } });
      const writer = new EventWriter(store);
      const events: SecurityEvent[] = [];
      for (let i = 0; i < 12; i++) events.push(makeEvent(i, i < 6 ? old : recent, { id: `r-${i}` }));
      writer.append(events);
      writer.appendDetections([makeDetection('old', 'closed', old, 3), makeDetection('new', 'closed', recent, 3)]);
      await writer.close();
      expect(await count(store, 'login_attempts')).toBe(8);
      expect(await count(store, 'security_events')).toBe(4);

      const report = await store.runRetention(now);
      const remaining = await allEvents(store, {});
      expect(remaining.map((e) => e.id).sort()).toEqual(['r-10', 'r-11', 'r-6', 'r-7', 'r-8', 'r-9']);
      expect((await queryDetections(store, {})).items.map((d) => d.id)).toEqual(['new']);
      expect(report.deleted.detections).toBe(1);
      if (store.partitions !== undefined) {
        expect(report.droppedPartitions).toEqual(expect.arrayContaining([partitionFor('login_attempts', old).name, partitionFor('security_events', old).name]));
        const names = (await store.partitions.list('login_attempts')).map((p) => p.name);
        expect(names).not.toContain(partitionFor('login_attempts', old).name);
        for (let m = 0; m <= 2; m++) expect(names).toContain(partitionFor('login_attempts', addMonths(monthStart(now), m)).name);
      } else {
        expect(report.deleted).toMatchObject({ login_attempts: 4, security_events: 2 });
      }
      // Again: nothing left to remove.
      const second = await store.runRetention(now);
      expect(second.droppedPartitions).toEqual([]);
      expect(second.deleted.detections).toBe(0);
    });

    it('computes the security_statistics and suspicious_activities views', async () => {
      const { store } = await open();
      const t = Date.now() - 60_000;
      const login = (id: string, ip: string, user: string | undefined, ok: boolean, ts: number): SecurityEvent => ({
        id,
        timestamp: ts,
        kind: ok ? 'login.success' : 'login.failure',
        sourceIp: ip,
        username: user,
        labels: {},
      });
      const recent: SecurityEvent[] = [];
      for (let i = 0; i < 6; i++) recent.push(login(`a${i}`, '203.0.113.1', i % 2 ? 'a1' : 'a2', false, t));
      for (let i = 0; i < 4; i++) recent.push(login(`b${i}`, '203.0.113.2', 'b1', false, t));
      for (let i = 0; i < 2; i++) recent.push(login(`bs${i}`, '203.0.113.2', 'b1', true, t));
      for (let i = 0; i < 5; i++) recent.push(login(`c${i}`, '203.0.113.3', undefined, false, t - 2 * 3_600_000)); // over an hour ago
      const ancient = Array.from({ length: 3 }, (_, i) => login(`old${i}`, '203.0.113.4', 'z', false, t - 40 * DAY));
      const writer = new EventWriter(store);
      writer.append([...recent, ...ancient]);
      await writer.close();

      const suspicious = await suspiciousActivities(store);
      expect(suspicious).toEqual([{ sourceIp: '203.0.113.1', failedAttempts: 6, uniqueUsers: 2, firstSeen: t, lastSeen: t }]);

      const expected = new Map<string, SecurityEvent[]>();
      for (const e of recent) {
        const day = new Date(e.timestamp).toISOString().slice(0, 10);
        expected.set(day, [...(expected.get(day) ?? []), e]);
      }
      const stats = await securityStatistics(store);
      expect(stats).toEqual(
        [...expected.entries()]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([day, es]) => {
            const failed = es.filter((e) => e.kind === 'login.failure').length;
            return {
              day,
              totalAttempts: es.length,
              failedAttempts: failed,
              uniqueIps: new Set(es.map((e) => e.sourceIp)).size,
              uniqueUsers: new Set(es.flatMap((e) => (e.username === undefined ? [] : [e.username]))).size,
              failureRate: Math.round((10000 * failed) / es.length) / 100,
            };
          }),
      );
    });

    it('spools batches while the database is down and writes them, once and all, when it is back', async () => {
      const { store, url, dataDir } = await open(backend().outageConfig ?? {});
      const writer = new EventWriter(store);
      cleanup.push(() => writer.close());
      const base = Date.now() - 600_000;
      const events = Array.from({ length: 1300 }, (_, i) => makeEvent(i, base, { id: `o-${i}` }));
      writer.append(events.slice(0, 300));
      await writer.flush();
      expect(await count(store, 'login_attempts')).toBe(200);

      await backend().takeDown(url);
      let brought = false;
      try {
        for (let i = 300; i < 1300; i += 100) expect(writer.append(events.slice(i, i + 100))).toBe(true);
        writer.append(events.slice(0, 50)); // duplicates of rows already stored
        writer.appendDetections([makeDetection('od-1', 'open', base, 2), makeDetection('od-1', 'closed', base + 1, 4)]);
        await writer.flush();
        const down = writer.stats();
        expect(down.databaseUp).toBe(false);
        expect(down.pendingRows).toBe(0);
        expect(down.spooledRows).toBe(1000 + 50 + 2);
        expect(down.spooledBytes).toBeGreaterThan(100_000);
        expect(down.failedWrites).toBeGreaterThan(0);
        expect(readdirSync(join(dataDir, 'spool', 'store')).filter((f) => f.endsWith('.ndjson')).length).toBeGreaterThan(0);
        await backend().bringUp(url);
        brought = true;
      } finally {
        if (!brought) await backend().bringUp(url);
      }

      await waitFor('the spool to drain', () => writer.stats().spooledRows === 0 && writer.stats().databaseUp);
      await writer.flush();
      const after = writer.stats();
      expect(after).toMatchObject({ spooledRows: 0, spooledBytes: 0, pendingRows: 0, refusedRows: 0, deadLetterRows: 0, databaseUp: true });
      expect(readdirSync(join(dataDir, 'spool', 'store')).filter((f) => f.startsWith('seg-'))).toEqual([]);
      expect(await count(store, 'login_attempts')).toBe(events.filter((e) => e.kind.startsWith('login.')).length);
      expect(await count(store, 'security_events')).toBe(events.filter((e) => !e.kind.startsWith('login.')).length);
      const stored = (await allEvents(store, { limit: 1000 })).map((e) => e.id).sort();
      expect(stored).toEqual(events.map((e) => e.id).sort());
      expect((await queryDetections(store, {})).items).toMatchObject([{ id: 'od-1', status: 'closed', eventCount: 4 }]);
    });
  });
}
