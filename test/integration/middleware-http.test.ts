import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGuard, vigilHttp, type GuardedHttpHandler } from '../../src/middleware/index.js';
import { postJson, startService, type RunningService } from '../helpers/service.js';

const ADMIN = { authorization: 'Bearer admin-token-0123456789' };
const POINT_KEY = 'http-point-key-0123456789';

let vigil: RunningService | undefined;
let server: Server | undefined;
let handler: GuardedHttpHandler | undefined;
afterEach(async () => {
  if (server !== undefined) {
    const s = server;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }
  server = undefined;
  await handler?.close();
  handler = undefined;
  await vigil?.stop();
  vigil = undefined;
});

describe('vigilHttp (plain node:http)', () => {
  it('keeps the handler from running for a blocked range, and believes only the right-most untrusted X-Forwarded-For hop', async () => {
    vigil = await startService({
      'auth.tokens': [{ name: 'ops', token: 'admin-token-0123456789', scopes: ['admin'] }],
      'enforcement.points': [{ name: 'http-app', kind: 'middleware', apiKey: POINT_KEY }],
    });
    expect((await postJson(`${vigil.url}/api/v1/decisions`, { value: '203.0.113.0/24', reason: 'range', durationSeconds: 600 }, ADMIN)).status).toBe(201);

    let handled = 0;
    const guard = createGuard({ url: vigil.url, apiKey: POINT_KEY, trustedProxies: ['127.0.0.1'], failMode: 'closed', waitSeconds: 2 });
    handler = vigilHttp((_req, res) => {
      handled++;
      res.end('app');
    }, guard);
    server = createServer(handler);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    await guard.ready;

    const blocked = await fetch(url, { method: 'POST', headers: { 'x-forwarded-for': '203.0.113.200' }, body: 'x'.repeat(1000) });
    expect(blocked.status).toBe(403);
    expect(blocked.headers.get('content-type')).toContain('application/json');
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe('VIGIL_E_BLOCKED');
    expect(handled).toBe(0);

    const allowed = await fetch(url, { headers: { 'x-forwarded-for': '198.51.100.1' } });
    expect(await allowed.text()).toBe('app');
    expect(handled).toBe(1);

    // The left of X-Forwarded-For is whatever the client wrote: a forged blocked address there is
    // ignored; the right-most hop the trusted proxy (127.0.0.1) appended, 198.51.100.2, is the client.
    const viaProxy = await fetch(url, { headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.2' } });
    expect(viaProxy.status).toBe(200);
    await viaProxy.text();
    expect(guard.stats()).toMatchObject({ blocked: 1, allowed: 2 });
  });
});
