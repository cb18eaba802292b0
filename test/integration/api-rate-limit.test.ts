import { afterEach, describe, expect, it } from 'vitest';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const READER_A = 'reader-a-token-0123456789';
const READER_B = 'reader-b-token-0123456789';

describe('API rate limit (per token, per scope)', () => {
  let running: RunningService | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('answers 429 with Retry-After and VIGIL_E_RATE_LIMITED past the limit, per token, and counts it by scope', async () => {
    running = await startService({
      'server.rateLimit': { read: 3, ingest: 4, admin: 100, windowSeconds: 60 },
      'auth.tokens': [
        { name: 'reader-a', token: READER_A, scopes: ['read'] },
        { name: 'reader-b', token: READER_B, scopes: ['read'] },
      ],
    });
    const { url } = running;
    const read = (token: string) => fetch(`${url}/api/v1/detections`, { headers: { authorization: `Bearer ${token}` } });

    for (let i = 0; i < 3; i++) expect((await read(READER_A)).status).toBe(200);
    const limited = await read(READER_A);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await limited.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('VIGIL_E_RATE_LIMITED');
    expect(body.error.message).toMatch(/rate limit of 3 requests per 60 s exceeded/);

    // Another token has its own budget.
    expect((await read(READER_B)).status).toBe(200);

    // Token-less loopback ingestion counts per client address, with its own (ingest) limit.
    for (let i = 0; i < 4; i++) expect((await postJson(`${url}/api/v1/events`, [loginFailure('192.0.2.1', 'x', T0)])).status).toBe(202);
    const ingestLimited = await postJson(`${url}/api/v1/events`, [loginFailure('192.0.2.1', 'x', T0)]);
    expect(ingestLimited.status).toBe(429);
    expect((ingestLimited.body.error as { code: string }).code).toBe('VIGIL_E_RATE_LIMITED');

    // Health is never limited.
    for (let i = 0; i < 5; i++) expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const metrics = await running.service.metrics.registry.metrics();
    expect(metrics).toContain('vigil_api_rate_limited_total{scope="read"} 1');
    expect(metrics).toContain('vigil_api_rate_limited_total{scope="ingest"} 1');
  });

  it('can be switched off', async () => {
    running = await startService({ 'server.rateLimit': { enabled: false, read: 1 } });
    for (let i = 0; i < 5; i++) expect((await fetch(`${running.url}/api/v1/detections`)).status).toBe(200);
  });
});
