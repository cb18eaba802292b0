import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Decision } from '../../src/core/detection.js';
import type { RunningLoginApp } from '../../examples/express-login/server.js';
import { startService, type RunningService } from '../helpers/service.js';

// The example imports the built package (../../dist/src/…), as an app would
// after `npm run build`; here it runs against the current sources instead.
vi.mock('../../dist/src/middleware/index.js', async () => await import('../../src/middleware/index.js'));
vi.mock('../../dist/src/client/index.js', async () => await import('../../src/client/index.js'));

type LoginApp = Pick<RunningLoginApp, 'url' | 'loginAttempts' | 'close'>;

const ADMIN_TOKEN = 'admin-token-0123456789';
const INGEST_TOKEN = 'ingest-token-0123456789';
const POINT_KEY = 'middleware-key-0123456789';
const ATTACKER = '203.0.113.50';
const BYSTANDER = '198.51.100.20';

let vigil: RunningService | undefined;
let loginApp: LoginApp | undefined;
afterEach(async () => {
  await loginApp?.close();
  loginApp = undefined;
  await vigil?.stop();
  vigil = undefined;
});

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await probe();
    if (accept(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

function login(url: string, ip: string, username: string, password: string) {
  return fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, 'user-agent': 'vigil-test/1.0' },
    body: JSON.stringify({ username, password }),
  });
}

function page(url: string, ip: string) {
  return fetch(`${url}/`, { headers: { 'x-forwarded-for': ip } });
}

describe('examples/express-login against a real Vigil', () => {
  it('reports every login, is blocked by the middleware after a brute force, and lets the address back in once the decision is deleted', async () => {
    vigil = await startService({
      'pipeline.maxLatenessSeconds': 1e12,
      'auth.loopbackWithoutToken': [],
      'auth.tokens': [
        { name: 'ops', token: ADMIN_TOKEN, scopes: ['admin'] },
        { name: 'login-app', token: INGEST_TOKEN, scopes: ['ingest'] },
      ],
      'enforcement.points': [{ name: 'login-app', kind: 'middleware', apiKey: POINT_KEY }],
    });
    const { startLoginApp } = await import('../../examples/express-login/server.js');
    loginApp = await startLoginApp({
      vigilUrl: vigil.url,
      enforcementKey: POINT_KEY,
      ingestToken: INGEST_TOKEN,
      trustedProxies: ['127.0.0.1'],
      failMode: 'closed',
      waitSeconds: 2,
      flushIntervalMs: 50,
    });
    const app = loginApp.url;
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

    expect((await page(app, BYSTANDER)).status).toBe(200);
    expect((await login(app, BYSTANDER, 'alice', 'correct horse battery staple')).status).toBe(200);
    expect((await login(app, BYSTANDER, 'bob', 'hunter2hunter2')).status).toBe(403);
    for (let i = 0; i < 6; i++) {
      const response = await login(app, ATTACKER, 'alice', `guess-${i}`);
      expect(response.status).toBe(401);
    }
    expect(loginApp.loginAttempts()).toBe(8);

    // The client delivers the failures; Vigil decides; the stream brings the decision to the middleware.
    const blocked = await eventually(() => page(app, ATTACKER), (r) => r.status === 403, 'the attacker to be blocked');
    expect(await blocked.json()).toEqual({ error: { code: 'VIGIL_E_BLOCKED', message: expect.any(String) } });

    // The 7th login from that address is answered by the middleware: the route never runs.
    const seventh = await login(app, ATTACKER, 'alice', 'correct horse battery staple');
    expect(seventh.status).toBe(403);
    expect(((await seventh.json()) as { error: { code: string } }).error.code).toBe('VIGIL_E_BLOCKED');
    expect(loginApp.loginAttempts()).toBe(8);
    // Another address still gets through.
    expect((await login(app, BYSTANDER, 'alice', 'correct horse battery staple')).status).toBe(200);

    // Vigil got every login the app saw (8 reported, all with the client address from X-Forwarded-For).
    const lookup = await fetch(`${vigil.url}/api/v1/decisions?ip=${ATTACKER}`, { headers: admin });
    const decisions = ((await lookup.json()) as { decisions: Decision[] }).decisions;
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ scope: 'ip', value: ATTACKER, action: 'block' });
    await eventually(async () => (await fetch(`${vigil!.url}/metrics`, { headers: admin })).text(), (t) => /^vigil_ingest_records_total\{source="http"\} 9$/m.test(t), 'nine ingested events');
    const status = (await (await fetch(`${vigil.url}/api/v1/status`, { headers: admin })).json()) as { enforcement: { points: { name: string; lastPullAt?: number }[] } };
    expect(status.enforcement.points.find((p) => p.name === 'login-app')?.lastPullAt).toBeGreaterThan(0);

    // Unblock by hand: the deletion reaches the middleware through the stream.
    const deleted = await fetch(`${vigil.url}/api/v1/decisions/${decisions[0]!.id}`, { method: 'DELETE', headers: admin });
    expect(deleted.status).toBe(200);
    // (Read every body: a response left unread keeps its connection busy, and Vigil's stop waits for it.)
    expect(((await deleted.json()) as { deleted: Decision }).deleted.value).toBe(ATTACKER);
    await eventually(() => page(app, ATTACKER), (r) => r.status === 200, 'the attacker to be let back in');
    expect((await login(app, ATTACKER, 'alice', 'correct horse battery staple')).status).toBe(200);
  });
});
