import { createServer, type Server } from 'node:http';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/core/detection.js';
import { freePort, missingServerPolicy } from '../helpers/servers/common.js';
import { postgresMissing, startPostgres, type PostgresServer } from '../helpers/servers/postgres.js';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

/**
 * Outages of what Vigil delivers to: the database (a real PostgreSQL, stopped
 * and started again mid-run) and a SIEM (an HTTP collector that is not there,
 * then is). Detection and blocking go on, the backlog shows in the metrics,
 * and once the other side is back everything arrives.
 */
let running: RunningService | undefined;
let postgres: PostgresServer | undefined;
let collector: Server | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await postgres?.destroy();
  postgres = undefined;
  await new Promise<void>((resolve) => (collector ? collector.close(() => resolve()) : resolve()));
  collector = undefined;
});

async function metric(name: string): Promise<number> {
  const text = await (running as RunningService).service.metrics.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function benign(from: number, count: number, now: number) {
  return Array.from({ length: count }, (_, i) => ({
    eventType: 'LOGIN_SUCCESS',
    sourceIp: `10.1.${((from + i) >> 8) & 255}.${(from + i) & 255}`,
    username: `u${from + i}`,
    sessionId: `b${from + i}`,
    timestamp: now - 20_000 + i,
  }));
}

async function decisionsFor(ip: string): Promise<Decision[]> {
  const response = await fetch(`${running?.url}/api/v1/decisions?ip=${ip}`);
  return ((await response.json()) as { decisions: Decision[] }).decisions;
}

const missing = postgresMissing();
const policy = missingServerPolicy(missing);

describe('outages: the database and a SIEM go away and come back', () => {
  if (policy === 'fail') {
    it('needs the PostgreSQL server binaries', () => {
      throw new Error(`${missing} (CI=true: the integration tests must run)`);
    });
  } else if (policy === 'run') {
    it('PostgreSQL stopped mid-run: detection and blocking go on, the backlog grows, then drains; every event is stored', async () => {
      postgres = await startPostgres();
      const url = await postgres.createDatabase('vigil_outage');
      running = await startService({
        'pipeline.maxLatenessSeconds': 1e12,
        'store.url': url,
        'store.flushIntervalMs': 50,
        'store.spool': { retryMinMs: 100, retryMaxMs: 400 },
      });
      const now = Date.now();
      expect((await postJson(`${running.url}/api/v1/events`, benign(0, 300, now))).status).toBe(202);
      await until('the first events in PostgreSQL', async () => (await metric('vigil_store_written_rows_total')) >= 300);

      await postgres.stop();
      // While the database is down: more traffic and an attack.
      expect((await postJson(`${running.url}/api/v1/events`, benign(300, 400, now))).status).toBe(202);
      const attack = Array.from({ length: 8 }, (_, i) => loginFailure('203.0.113.66', `victim${i}`, now - 10_000 + i * 500, { sessionId: `a${i}` }));
      expect((await postJson(`${running.url}/api/v1/events`, attack)).status).toBe(202);
      await running.service.pipeline.idle();
      const blocked = await decisionsFor('203.0.113.66');
      expect(blocked[0]).toMatchObject({ scope: 'ip', value: '203.0.113.66', action: 'block' });
      await until('the store to notice the outage', async () => (await metric('vigil_store_up')) === 0);
      await until('the spool to hold the backlog', async () => (await metric('vigil_store_spool_bytes')) > 0);
      const backlog = await metric('vigil_store_spool_bytes');
      expect((await fetch(`${running.url}/readyz`)).status).toBe(200); // the spool has room: still accepting

      await postgres.start();
      await until('the backlog to drain', async () => (await metric('vigil_store_up')) === 1 && (await metric('vigil_store_spool_bytes')) === 0);
      await running.service.writer?.flush();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const logins = Number((await client.query('select count(*) as n from login_attempts')).rows[0].n);
        const distinct = Number((await client.query('select count(distinct session_id) as n from login_attempts')).rows[0].n);
        const detections = Number((await client.query("select count(*) as n from detections where type = 'brute_force' and source_ip = '203.0.113.66'")).rows[0].n);
        console.log(`outage(postgres): ${backlog} bytes spooled during the outage; stored ${logins} login rows (${distinct} distinct) of 708 sent`);
        expect(logins).toBe(708);
        expect(distinct).toBe(708);
        expect(detections).toBeGreaterThanOrEqual(1);
      } finally {
        await client.end();
      }
    }, 120_000);
  }

  it('SIEM collector down, then up: records wait in the spool (visible in metrics) and all arrive', async () => {
    const port = await freePort();
    running = await startService({
      'pipeline.maxLatenessSeconds': 1e12,
      'store.enabled': false,
      'siem.destinations': [
        {
          name: 'collector',
          type: 'http',
          url: `http://127.0.0.1:${port}/ingest`,
          flushIntervalSeconds: 0.05,
          retryInitialDelayMs: 100,
          retryMaxDelayMs: 300,
          filter: { kinds: ['event', 'detection', 'decision'] },
        },
      ],
    });
    const now = Date.now();
    expect((await postJson(`${running.url}/api/v1/events`, benign(0, 250, now))).status).toBe(202);
    const attack = Array.from({ length: 8 }, (_, i) => loginFailure('203.0.113.77', `victim${i}`, now - 10_000 + i * 500));
    expect((await postJson(`${running.url}/api/v1/events`, attack)).status).toBe(202);
    await running.service.pipeline.idle();
    // Detection and blocking do not wait for the SIEM.
    expect((await decisionsFor('203.0.113.77'))[0]).toMatchObject({ action: 'block' });
    await until('failed deliveries', async () => (await metric('vigil_siem_failed_total')) > 0);
    expect(await metric('vigil_siem_spooled_bytes')).toBeGreaterThan(0);

    const received: Record<string, unknown>[] = [];
    collector = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        for (const record of JSON.parse(text) as Record<string, unknown>[]) received.push(record);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => collector?.listen(port, '127.0.0.1', resolve));
    // Distinct event ids (delivery is at least once).
    const sessions = () => new Set(received.filter((r) => r.kind === 'event').map((r) => /"id":"(ev-[^"]+)"/.exec(JSON.stringify(r))?.[1]));
    await until('every event at the collector', () => sessions().size >= 258);
    await until('the spool to empty', async () => (await metric('vigil_siem_queued')) === 0);
    const kinds = new Set(received.map((r) => r.kind));
    console.log(`outage(siem): ${received.length} records delivered after the collector came up (${[...kinds].join(', ')})`);
    expect(sessions().size).toBe(258);
    expect(kinds).toEqual(new Set(['event', 'detection', 'decision']));
  }, 60_000);
});
