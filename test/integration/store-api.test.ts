import { afterEach, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../src/core/event.js';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

let running: RunningService | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const ADMIN = { authorization: 'Bearer admin-token-0123456789' };

describe('audit store behind the API (embedded SQLite)', () => {
  it('stores every processed event, serves them only with a token, and keeps a verifiable audit log of operator changes', async () => {
    running = await startService({ 'auth.tokens': [{ name: 'ops', token: 'admin-token-0123456789', scopes: ['admin'] }] });
    const { url, service } = running;
    const t0 = Date.parse('2026-03-01T12:00:00Z');
    const events = Array.from({ length: 30 }, (_, i) => loginFailure(`192.0.2.${i % 3}`, `u${i}`, t0 + i * 1000));
    expect((await postJson(`${url}/api/v1/events`, events)).status).toBe(202);
    await service.pipeline.idle();
    await service.writer?.flush();

    expect((await fetch(`${url}/api/v1/events`)).status).toBe(401); // raw events: token even on loopback
    const page1 = (await (await fetch(`${url}/api/v1/events?ip=192.0.2.1&limit=4`, { headers: ADMIN })).json()) as { items: SecurityEvent[]; nextCursor?: string };
    expect(page1.items).toHaveLength(4);
    expect(page1.items.every((e) => e.sourceIp === '192.0.2.1')).toBe(true);
    const page2 = (await (await fetch(`${url}/api/v1/events?ip=192.0.2.1&limit=100&cursor=${page1.nextCursor}`, { headers: ADMIN })).json()) as { items: SecurityEvent[] };
    expect(page1.items.length + page2.items.length).toBe(10);
    expect(new Set([...page1.items, ...page2.items].map((e) => e.id)).size).toBe(10);
    const csv = await (await fetch(`${url}/api/v1/events?format=csv&ip=192.0.2.2`, { headers: ADMIN })).text();
    expect(csv.trim().split('\r\n')).toHaveLength(11); // header + 10 rows

    await postJson(`${url}/api/v1/decisions`, { value: '198.51.100.9', reason: 'abuse' }, ADMIN);
    await postJson(`${url}/api/v1/allowlist`, { value: '10.0.0.0/8', reason: 'office' }, ADMIN);
    await new Promise((r) => setTimeout(r, 100));
    const audit = (await (await fetch(`${url}/api/v1/audit`, { headers: ADMIN })).json()) as { items: { actor: string; action: string; target: string }[] };
    expect(audit.items.map((a) => `${a.actor} ${a.action} ${a.target}`).sort()).toEqual(['ops allowlist.add 10.0.0.0/8', 'ops decision.add 198.51.100.9']);
    const verified = (await (await fetch(`${url}/api/v1/audit?verify=true`, { headers: ADMIN })).json()) as { ok: boolean; checked: number };
    expect(verified).toMatchObject({ ok: true, checked: 2 });

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_store_written_rows_total \d+$/m);
    expect(metrics).toMatch(/^vigil_store_up 1$/m);
  });
});
