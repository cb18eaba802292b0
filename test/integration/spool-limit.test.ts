import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');

/**
 * The database is "down" (another connection holds SQLite's write lock) and
 * the store spool has a tiny limit: ingestion must answer 503 with a clear
 * code once the spool is full, readyz must say not ready, nothing already
 * accepted may be lost or corrupted, and all of it is written once the lock
 * goes away.
 */
describe('store spool limit (database down, spool full)', () => {
  let running: RunningService | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('answers 503 VIGIL_E_STORE_BACKLOG_FULL, is not ready, and loses nothing it accepted', async () => {
    running = await startService({
      'store.url': 'sqlite:vigil.db',
      'store.flushIntervalMs': 20,
      'store.sqliteBusyTimeoutMs': 0,
      'store.spool': { maxBytes: 8_000, segmentBytes: 2_000, retryMinMs: 100, retryMaxMs: 200 },
    });
    const { url, dataDir } = running;
    const locker = new Database(join(dataDir, 'vigil.db'));
    locker.exec('BEGIN IMMEDIATE');
    let accepted = 0;
    let refusal: Record<string, unknown> | undefined;
    try {
      for (let i = 0; i < 400 && refusal === undefined; i++) {
        const answer = await postJson(`${url}/api/v1/events`, [loginFailure(`192.0.2.${i % 200}`, `u${i}`, T0 + i, { sessionId: `s${i}` })]);
        if (answer.status === 202) accepted++;
        else if (answer.status === 503) refusal = answer.body;
        else throw new Error(`unexpected ${answer.status}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(refusal).toBeDefined();
      expect((refusal?.error as { code: string }).code).toBe('VIGIL_E_STORE_BACKLOG_FULL');
      expect((refusal?.error as { message: string }).message).toMatch(/spool is full/);
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { reason: { code: string } }).reason.code).toBe('VIGIL_E_STORE_BACKLOG_FULL');
      const ndjson = await fetch(`${url}/api/v1/events/ndjson`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: JSON.stringify(loginFailure('192.0.2.1', 'late', T0)),
      });
      expect(ndjson.status).toBe(503);
      expect(ndjson.headers.get('retry-after')).not.toBeNull();
      const metrics = await running.service.metrics.registry.metrics();
      expect(metrics).toMatch(/vigil_store_up 0/);
      expect(metrics).toMatch(/vigil_store_backlog_rows\{where="spooled"\} [1-9]/);
      // Every spool line is whole JSON (nothing torn or corrupted).
      const spoolDir = join(dataDir, 'spool', 'store');
      for (const name of readdirSync(spoolDir).filter((n) => n.startsWith('seg-'))) {
        for (const line of readFileSync(join(spoolDir, name), 'utf8').split('\n').filter((l) => l !== '')) expect(() => JSON.parse(line)).not.toThrow();
      }
    } finally {
      locker.exec('COMMIT');
      locker.close();
    }
    // The database is back: the backlog drains and ingestion resumes.
    const deadline = Date.now() + 20_000;
    while ((await fetch(`${url}/readyz`)).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await postJson(`${url}/api/v1/events`, [loginFailure('192.0.2.250', 'after', T0 + 10_000, { sessionId: 'after' })])).status).toBe(202);
    await running.service.pipeline.idle();
    await running.service.writer?.flush();
    const db = new Database(join(dataDir, 'vigil.db'), { readonly: true });
    const stored = db.prepare("select count(*) from login_attempts where session_id like 's%'").pluck().get() as number;
    db.close();
    console.log(`spool-limit: accepted ${accepted} before the 503, stored ${stored} after recovery`);
    expect(accepted).toBeGreaterThan(0);
    expect(stored).toBe(accepted);
  });
});
