import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { vigilFastify, type VigilGuardOptions } from '../../src/middleware/index.js';
import { postJson, startService, type RunningService } from '../helpers/service.js';

const ADMIN = { authorization: 'Bearer admin-token-0123456789' };
const POINT_KEY = 'fastify-point-key-0123456789';

let vigil: RunningService | undefined;
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  await vigil?.stop();
  vigil = undefined;
});

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Fastify app with the guard registered as a plugin and routes in a sibling plugin (encapsulation must not hide the hook). */
async function startApp(options: VigilGuardOptions): Promise<{ url: string; handled: () => number }> {
  let handled = 0;
  app = Fastify();
  await app.register(vigilFastify, options);
  await app.register(async (routes) => {
    routes.get('/', async () => {
      handled++;
      return { hello: 'world' };
    });
    routes.get('/limited', async (_request, reply) => {
      handled++;
      return reply.code(429).send({ error: 'slow down' });
    });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, handled: () => handled };
}

function get(url: string, ip?: string) {
  return fetch(url, { headers: ip === undefined ? {} : { 'x-forwarded-for': ip } });
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('vigilFastify', () => {
  it('answers 403 before routing for a blocked client, lets others through, and reports 429s back to Vigil', async () => {
    vigil = await startService({
      'pipeline.maxLatenessSeconds': 1e12,
      'auth.tokens': [{ name: 'ops', token: 'admin-token-0123456789', scopes: ['admin'] }],
      'enforcement.points': [{ name: 'fastify-app', kind: 'middleware', apiKey: POINT_KEY }],
    });
    expect((await postJson(`${vigil.url}/api/v1/decisions`, { value: '203.0.113.60', reason: 'test', durationSeconds: 600 }, ADMIN)).status).toBe(201);
    const { url, handled } = await startApp({
      url: vigil.url,
      apiKey: POINT_KEY,
      trustedProxies: ['127.0.0.1'],
      failMode: 'closed',
      waitSeconds: 2,
      report: { flushIntervalMs: 10 },
    });
    await app?.vigil.ready;

    const blocked = await get(`${url}/`, '203.0.113.60');
    expect(blocked.status).toBe(403);
    expect(await blocked.json()).toEqual({ error: { code: 'VIGIL_E_BLOCKED', message: expect.any(String) } });
    expect(handled()).toBe(0);

    const allowed = await get(`${url}/`, '198.51.100.60');
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ hello: 'world' });
    expect(handled()).toBe(1);

    // A decision made now reaches the plugin through the long-poll.
    expect((await postJson(`${vigil.url}/api/v1/decisions`, { value: '198.51.100.0/24', reason: 'range', durationSeconds: 600 }, ADMIN)).status).toBe(201);
    await eventually(() => get(`${url}/`, '198.51.100.61'), (r) => r.status === 403, 'the new range decision to apply');

    // The app's own 429 is reported as a RATE_LIMIT_VIOLATION by the client address.
    expect((await get(`${url}/limited`, '192.0.2.60')).status).toBe(429);
    await eventually(
      async () => (await fetch(`${vigil!.url}/metrics`)).text(),
      (text) => /^vigil_ingest_records_total\{source="http"\} 1$/m.test(text),
      'the violation report to arrive',
    );
    expect(app?.vigil.stats()).toMatchObject({ blocked: 2, reported: 1 });
  });

  it('fails closed (503 for everyone) or open (everyone through) when Vigil is unreachable', async () => {
    const unreachable = `http://127.0.0.1:${await closedPort()}`;
    const closed = await startApp({ url: unreachable, apiKey: POINT_KEY, failMode: 'closed', retryBaseMs: 50, retryMaxMs: 100 });
    const refused = await get(`${closed.url}/`);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('VIGIL_E_ENFORCEMENT_UNAVAILABLE');
    expect(closed.handled()).toBe(0);
    await eventually(async () => app?.vigil.stats().cache.errors ?? 0, (n) => n >= 2, 'the cache to retry');
    expect(app?.vigil.stats().cache.synced).toBe(false);
    await app?.close();

    const open = await startApp({ url: unreachable, apiKey: POINT_KEY, failMode: 'open', retryBaseMs: 50, retryMaxMs: 100 });
    const through = await get(`${open.url}/`);
    expect(through.status).toBe(200);
    expect(open.handled()).toBe(1);
    expect(app?.vigil.stats()).toMatchObject({ allowedDegraded: 1, unavailable: 0 });
  });
});
