import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VigilClient } from '../../src/client/index.js';
import { startService, type RunningService } from '../helpers/service.js';

const INGEST_TOKEN = 'ingest-token-0123456789';

let vigil: RunningService | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await vigil?.stop();
  vigil = undefined;
});

async function startVigil() {
  vigil = await startService({
    'pipeline.maxLatenessSeconds': 1e12,
    'auth.loopbackWithoutToken': [],
    'auth.tokens': [{ name: 'app', token: INGEST_TOKEN, scopes: ['ingest', 'read'] }],
  });
  return vigil;
}

interface Recorded {
  status: number;
  events: Record<string, unknown>[];
  authorization: string | undefined;
}

/** A node:http stub in front of Vigil: answers the first `failFirst` POSTs with 503 + Retry-After, forwards the rest. */
async function startFront(target: string, failFirst = 0): Promise<{ url: string; posts: Recorded[] }> {
  const posts: Recorded[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const record: Recorded = { status: 0, events: JSON.parse(body) as Record<string, unknown>[], authorization: req.headers.authorization };
      posts.push(record);
      if (posts.length <= failFirst) {
        record.status = 503;
        res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/json' });
        res.end('{"error":{"code":"VIGIL_E_QUEUE_FULL","message":"retry later"}}');
        return;
      }
      const upstream = await fetch(`${target}${req.url ?? '/'}`, {
        method: req.method,
        headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
        body,
      });
      record.status = upstream.status;
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts };
}

async function ingested(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${INGEST_TOKEN}` } })).text();
  const match = /^vigil_ingest_records_total\{source="http"\} (\d+)$/m.exec(text);
  return match === null ? 0 : Number(match[1]);
}

function client(options: ConstructorParameters<typeof VigilClient>[0]): VigilClient {
  const c = new VigilClient(options);
  cleanups.push(() => c.close());
  return c;
}

describe('VigilClient against a real Vigil', () => {
  it('batches calls into fewer POSTs, with the bearer token, and every event arrives (Vigil detects the brute force)', async () => {
    const { url, service } = await startVigil();
    const front = await startFront(url);
    const c = client({ url: front.url, token: INGEST_TOKEN, batchSize: 10, flushIntervalMs: 60_000 });
    const now = Date.now();
    for (let i = 0; i < 24; i++) {
      const result = c.loginFailed({ ip: '203.0.113.30', username: `user${i}`, reason: 'INVALID_PASSWORD', timestamp: now - 30_000 + i * 100 });
      expect(result).toBeUndefined();
    }
    c.loginSucceeded({ ip: '198.51.100.30', username: 'alice', userId: 'u-1', sessionId: 's-1', userAgent: 'test/1' });
    await c.flush();

    expect(front.posts.map((p) => p.events.length)).toEqual([10, 10, 5]);
    expect(front.posts.every((p) => p.authorization === `Bearer ${INGEST_TOKEN}` && p.status === 202)).toBe(true);
    expect(front.posts[2]?.events[4]).toMatchObject({ eventType: 'LOGIN_SUCCESS', sourceIp: '198.51.100.30', username: 'alice', userId: 'u-1', sessionId: 's-1', userAgent: 'test/1' });
    expect(c.stats()).toMatchObject({ queued: 25, delivered: 25, rejected: 0, requests: 3, pending: 0, dropped: { total: 0 } });
    expect(await ingested(url)).toBe(25);
    await service.pipeline.idle();
    const detections = (await (await fetch(`${url}/api/v1/detections?ip=203.0.113.30`, { headers: { authorization: `Bearer ${INGEST_TOKEN}` } })).json()) as {
      detections: { type: string }[];
    };
    expect(detections.detections.map((d) => d.type)).toContain('brute_force');
  });

  it('retries after a 503, waiting as Retry-After says, and delivers everything', async () => {
    const { url } = await startVigil();
    const front = await startFront(url, 1);
    const errors: string[] = [];
    const c = client({ url: front.url, token: INGEST_TOKEN, batchSize: 5, flushIntervalMs: 10, onError: (e) => errors.push(e.message) });
    for (let i = 0; i < 5; i++) c.violation('RATE_LIMIT_VIOLATION', { ip: '203.0.113.31', eventData: { limit: 100, i } });
    await c.flush();
    expect(front.posts.map((p) => p.status)).toEqual([503, 202]);
    expect(front.posts[1]?.events).toEqual(front.posts[0]?.events);
    expect(errors[0]).toContain('503');
    expect(c.stats()).toMatchObject({ delivered: 5, retries: 1, requests: 2, dropped: { total: 0 } });
    expect(await ingested(url)).toBe(5);
  });

  it('close() drains what is queued', async () => {
    const { url } = await startVigil();
    const c = new VigilClient({ url, token: INGEST_TOKEN, batchSize: 100, flushIntervalMs: 60_000 });
    for (let i = 0; i < 7; i++) c.violation('CORS_VIOLATION', { ip: '203.0.113.32', eventData: { origin: 'https://evil.example' } });
    expect(c.stats().pending).toBe(7);
    await c.close();
    expect(c.stats()).toMatchObject({ delivered: 7, pending: 0 });
    expect(await ingested(url)).toBe(7);
    // After close, calls are counted as dropped, not thrown.
    c.violation('CSRF_VIOLATION', { ip: '203.0.113.32' });
    expect(c.stats().dropped.closed).toBe(1);
  });

  it('bounds its queue while Vigil is unreachable: drops are counted, nothing throws, close gives up in time', async () => {
    // A port that was just free: nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const errors: string[] = [];
    const c = new VigilClient({
      url: `http://127.0.0.1:${closedPort}`,
      maxQueue: 5,
      batchSize: 100,
      flushIntervalMs: 10,
      retryBaseMs: 20,
      retryMaxMs: 50,
      maxAttempts: 1000,
      closeTimeoutMs: 300,
      onError: (e) => errors.push(e.message),
    });
    for (let i = 0; i < 8; i++) c.loginFailed({ ip: '203.0.113.33', username: 'u', reason: 'ACCOUNT_LOCKED' });
    c.loginSucceeded({ req: { socket: {}, headers: {} } as unknown as IncomingMessage, username: 'nobody' });
    const stats = c.stats();
    expect(stats.dropped.queueFull).toBe(3);
    expect(stats.dropped.invalid).toBe(1);
    expect(stats.queued).toBe(5);
    await c.close();
    expect(c.stats()).toMatchObject({ delivered: 0, pending: 0 });
    expect(c.stats().dropped.closed).toBe(5);
    expect(c.stats().dropped.total).toBe(9);
    expect(errors.some((e) => /ECONNREFUSED|failed/i.test(e))).toBe(true);
  });

  it('takes the client address from X-Forwarded-For only when the peer is a trusted proxy', async () => {
    const { url } = await startVigil();
    const front = await startFront(url);
    const fromProxy = { socket: { remoteAddress: '127.0.0.1' }, headers: { 'x-forwarded-for': '198.51.100.7, 203.0.113.40', 'user-agent': 'ua/1' } };
    const fromElsewhere = { socket: { remoteAddress: '192.0.2.9' }, headers: { 'x-forwarded-for': '203.0.113.41' } };
    const c = client({ url: front.url, token: INGEST_TOKEN, trustedProxies: ['127.0.0.1'], flushIntervalMs: 10 });
    c.loginFailed({ req: fromProxy as unknown as IncomingMessage, username: 'a', reason: 'INVALID_PASSWORD' });
    c.loginFailed({ req: { raw: fromElsewhere } as unknown as { raw: IncomingMessage }, username: 'b', reason: 'INVALID_PASSWORD' });
    await c.flush();
    const events = front.posts.flatMap((p) => p.events);
    expect(events.map((e) => [e.sourceIp, e.userAgent])).toEqual([
      ['203.0.113.40', 'ua/1'],
      ['192.0.2.9', undefined],
    ]);
  });
});
