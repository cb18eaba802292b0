import { afterEach, describe, expect, it } from 'vitest';
import type { Decision, Incident } from '../../src/core/detection.js';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

let running: RunningService | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const BOUNCER_KEY = 'bouncer-key-0123456789abcdef';
const ADMIN = { authorization: 'Bearer admin-token-0123456789' };

async function start(overrides: Record<string, unknown> = {}) {
  running = await startService({
    'pipeline.maxLatenessSeconds': 1e12,
    'auth.tokens': [{ name: 'ops', token: 'admin-token-0123456789', scopes: ['admin'] }],
    'enforcement.points': [{ name: 'edge', kind: 'bouncer', apiKey: BOUNCER_KEY }],
    ...overrides,
  });
  return running;
}

async function attack(url: string, ip: string) {
  const now = Date.now();
  const events = Array.from({ length: 6 }, (_, i) => loginFailure(ip, `user${i}`, now - 10_000 + i * 1000));
  expect((await postJson(`${url}/api/v1/events`, events)).status).toBe(202);
}

async function getJson(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('response: incidents, decisions, enforcement (real server)', () => {
  it('blocks a brute-forcing IP for 1800 s and serves the decision to lookups, streams and exports', async () => {
    const { url, service } = await start();
    await attack(url, '203.0.113.80');
    await service.pipeline.idle();

    const incidents = (await getJson(`${url}/api/v1/incidents`)).body.incidents as Incident[];
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ subject: { scope: 'ip', value: '203.0.113.80' }, level: 'HIGH', status: 'open' });

    const lookup = await getJson(`${url}/api/v1/decisions?ip=203.0.113.80`);
    const decisions = lookup.body.decisions as Decision[];
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ scope: 'ip', value: '203.0.113.80', action: 'block' });
    const seconds = ((decisions[0]?.until ?? 0) - (decisions[0]?.createdAt ?? 0)) / 1000;
    expect(seconds).toBe(1800);
    expect(((await getJson(`${url}/api/v1/decisions?ip=198.51.100.1`)).body.decisions as Decision[]).length).toBe(0);

    const startup = await getJson(`${url}/api/v1/decisions/stream?startup=true`);
    expect((startup.body.new as Decision[]).map((d) => d.value)).toEqual(['203.0.113.80']);
    const quiet = await getJson(`${url}/api/v1/decisions/stream?since=${startup.body.lastSeq as number}`);
    expect(quiet.body).toMatchObject({ new: [], deleted: [] });

    const nginx = await (await fetch(`${url}/api/v1/decisions/export?format=nginx`)).text();
    expect(nginx).toContain('deny 203.0.113.80;');

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^security_blocked_ips_current 1$/m);
    expect(metrics).toMatch(/^security_threats_high_total 1$/m);
    expect(metrics).toMatch(/^security_penalties_total\{penalty_type="ip_block",duration_category="medium",violation_count_category="first"\} 1$/m);
  });

  it('speaks the CrowdSec LAPI to a bouncer with its API key: startup, then only changes, and deletions', async () => {
    const { url, service } = await start();
    const bouncer = { 'x-api-key': BOUNCER_KEY };
    expect((await getJson(`${url}/v1/decisions/stream?startup=true`, { 'x-api-key': 'wrong-key-0123456789abc' })).status).toBe(401);
    const first = await getJson(`${url}/v1/decisions/stream?startup=true`, bouncer);
    expect(first.body).toEqual({ new: [], deleted: [] });

    await attack(url, '203.0.113.81');
    await service.pipeline.idle();
    const added = await getJson(`${url}/v1/decisions/stream`, bouncer);
    const fresh = added.body.new as { value: string; type: string; scope: string; origin: string; duration: string }[];
    expect(fresh).toHaveLength(1);
    expect(fresh[0]).toMatchObject({ value: '203.0.113.81', type: 'ban', scope: 'Ip' });
    expect(fresh[0]?.duration).toMatch(/^\d+m\d+s$/);
    expect((await getJson(`${url}/v1/decisions/stream`, bouncer)).body).toEqual({ new: [], deleted: [] });

    const byIp = await fetch(`${url}/v1/decisions?ip=203.0.113.81`, { headers: bouncer });
    expect(((await byIp.json()) as unknown[]).length).toBe(1);
    const none = await fetch(`${url}/v1/decisions?ip=198.51.100.9`, { headers: bouncer });
    expect(await none.text()).toBe('null');

    const id = (((await getJson(`${url}/api/v1/decisions?ip=203.0.113.81`)).body.decisions as Decision[])[0] as Decision).id;
    expect((await fetch(`${url}/api/v1/decisions/${id}`, { method: 'DELETE' })).status).toBe(401);
    expect((await fetch(`${url}/api/v1/decisions/${id}`, { method: 'DELETE', headers: ADMIN })).status).toBe(200);
    const removed = await getJson(`${url}/v1/decisions/stream`, bouncer);
    expect((removed.body.deleted as { value: string }[]).map((d) => d.value)).toEqual(['203.0.113.81']);

    const status = await getJson(`${url}/api/v1/status`);
    const points = (status.body.enforcement as { points: { name: string; lastPullAt?: number }[] }).points;
    expect(points[0]?.name).toBe('edge');
    expect(points[0]?.lastPullAt).toBeGreaterThan(0);
  });

  it('never blocks an allowlisted address, by detector or by hand, and honours simulation mode', async () => {
    const { url, service } = await start({ 'response.allowlist.entries': ['203.0.113.0/28'] });
    await attack(url, '203.0.113.5');
    await service.pipeline.idle();
    expect(((await getJson(`${url}/api/v1/decisions?ip=203.0.113.5`)).body.decisions as Decision[]).length).toBe(0);
    const manual = await postJson(`${url}/api/v1/decisions`, { value: '203.0.113.6', reason: 'test' }, ADMIN);
    expect(manual.status).toBe(409);
    expect((manual.body.error as { code: string }).code).toBe('VIGIL_E_ALLOWLISTED');
    const elsewhere = await postJson(`${url}/api/v1/decisions`, { value: '198.51.100.0/24', reason: 'abuse', durationSeconds: 60 }, ADMIN);
    expect(elsewhere.status).toBe(201);
    expect(((await getJson(`${url}/api/v1/decisions?ip=198.51.100.77`)).body.decisions as Decision[])[0]?.scope).toBe('range');
    await running?.stop();

    const simulated = await start({ 'response.responder.simulation': true });
    await attack(simulated.url, '203.0.113.90');
    await simulated.service.pipeline.idle();
    expect(((await getJson(`${simulated.url}/api/v1/decisions?ip=203.0.113.90`)).body.decisions as Decision[]).length).toBe(0);
    const listed = (await getJson(`${simulated.url}/api/v1/decisions?simulated=true`)).body.decisions as Decision[];
    expect(listed).toHaveLength(1);
    expect(listed[0]?.simulated).toBe(true);
  });

  it('long-polls the stream until a decision arrives', async () => {
    const { url, service } = await start();
    const startup = await getJson(`${url}/api/v1/decisions/stream?startup=true`);
    const waiting = getJson(`${url}/api/v1/decisions/stream?since=${startup.body.lastSeq as number}&wait=20`);
    await new Promise((r) => setTimeout(r, 100));
    await attack(url, '203.0.113.82');
    await service.pipeline.idle();
    const result = await waiting;
    expect((result.body.new as Decision[]).map((d) => d.value)).toEqual(['203.0.113.82']);
  });

  it('switches protection mode by hand', async () => {
    const { url } = await start();
    const on = await postJson(`${url}/api/v1/protection`, { active: true, durationSeconds: 600 }, ADMIN);
    expect(on.body.active).toBe(true);
    const status = await getJson(`${url}/api/v1/status`);
    expect((status.body.protectionMode as { active: boolean }).active).toBe(true);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^security_protection_mode_active 1$/m);
  });
});
