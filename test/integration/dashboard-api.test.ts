import { afterEach, describe, expect, it } from 'vitest';
import type { Decision, Incident } from '../../src/core/detection.js';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

let running: RunningService | undefined;
const streams: AbortController[] = [];
afterEach(async () => {
  for (const controller of streams.splice(0)) controller.abort();
  await running?.stop();
  running = undefined;
});

const TOKEN = 'admin-token-0123456789';
const ADMIN = { authorization: `Bearer ${TOKEN}` };

async function start(overrides: Record<string, unknown> = {}) {
  running = await startService({
    'pipeline.maxLatenessSeconds': 1e12,
    'auth.tokens': [{ name: 'ops', token: TOKEN, scopes: ['admin'] }],
    ...overrides,
  });
  return running;
}

async function attack(url: string, ip: string, start = Date.now() - 10_000, users = 'user') {
  const events = Array.from({ length: 6 }, (_, i) => loginFailure(ip, `${users}${i}`, start + i * 1000));
  expect((await postJson(`${url}/api/v1/events`, events)).status).toBe(202);
}

interface SseMessage {
  event: string;
  data: Record<string, unknown>;
}

/** A real SSE client over fetch: collects messages as they arrive. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  streams.push(controller);
  const response = await fetch(`${url}/api/v1/live`, { headers, signal: controller.signal });
  const messages: SseMessage[] = [];
  if (response.ok && response.body !== null) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event !== undefined && data !== undefined) messages.push({ event, data: JSON.parse(data) as Record<string, unknown> });
          }
        }
      } catch {
        // aborted
      }
    })();
  }
  return { response, messages, close: () => controller.abort() };
}

async function until<T>(probe: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('dashboard API (real server)', () => {
  it('serves the page with a CSP, its assets and uPlot from this origin, nothing outside the asset folders', async () => {
    const { url } = await start();
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/ui/app.js"></script>');
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline script
    expect(html).not.toMatch(/https?:\/\//); // no CDN

    const app = await fetch(`${url}/ui/app.js`);
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toContain('javascript');
    const uplot = await fetch(`${url}/ui/vendor/uPlot.esm.js`);
    expect(uplot.status).toBe(200);
    expect(await uplot.text()).toContain('export { uPlot as default }');
    expect((await fetch(`${url}/ui/vendor/package.json`)).status).toBe(404);
    expect((await fetch(`${url}/ui/..%2f..%2fpackage.json`)).status).toBe(404);
  });

  it('streams hello, per-second ticks, the incident and the block as SSE', async () => {
    const { url } = await start();
    const stream = await openStream(url);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    await until(() => stream.messages.find((m) => m.event === 'hello'), 'hello');

    await attack(url, '203.0.113.80');
    const incident = await until(() => stream.messages.find((m) => m.event === 'incident'), 'an incident event');
    expect(incident.data).toMatchObject({ subject: { scope: 'ip', value: '203.0.113.80' }, level: 'HIGH', detectors: ['brute_force'] });
    expect(incident.data).not.toHaveProperty('evidence');
    const decision = await until(() => stream.messages.find((m) => m.event === 'decision'), 'a decision event');
    expect(decision.data).toMatchObject({ type: 'added', decision: { value: '203.0.113.80', action: 'block' } });
    const tick = await until(() => stream.messages.find((m) => m.event === 'tick' && ((m.data.point as { events: number }).events > 0)), 'a tick counting the events');
    expect(tick.data.point).toMatchObject({ events: 6, failures: 6 });
    expect((tick.data.top as { ips: { key: string; count: number }[] }).ips[0]).toEqual({ key: '203.0.113.80', count: 6 });
    expect(tick.data.status).toMatchObject({ blockedIps: 1 });

    // An unblock made through the API is streamed as a deletion.
    const id = (decision.data.decision as Decision).id;
    expect((await fetch(`${url}/api/v1/decisions/${id}`, { method: 'DELETE', headers: ADMIN })).status).toBe(200);
    const deleted = await until(() => stream.messages.find((m) => m.event === 'decision' && m.data.type === 'deleted'), 'a deletion event');
    expect(deleted.data).toMatchObject({ cause: 'deleted', decision: { id } });

    const snapshot = (await (await fetch(`${url}/api/v1/dashboard`)).json()) as { incidents: unknown[]; decisions: unknown[]; series: unknown[] };
    expect(snapshot.incidents).toHaveLength(1);
    expect(snapshot.decisions).toHaveLength(0);
    expect(snapshot.series.length).toBeGreaterThan(0);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_dashboard_stream_clients 1$/m);
    expect(metrics).toMatch(/^vigil_dashboard_stream_dropped_total 0$/m);
  });

  it('refuses stream clients beyond ui.maxStreamClients with 503', async () => {
    const { url } = await start({ 'ui.maxStreamClients': 1 });
    const first = await openStream(url);
    expect(first.response.status).toBe(200);
    const second = await fetch(`${url}/api/v1/live`);
    expect(second.status).toBe(503);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('VIGIL_E_TOO_MANY_STREAMS');
  });

  it('needs a read token for the stream when loopback access is off', async () => {
    const { url } = await start({ 'auth.loopbackWithoutToken': [] });
    expect((await fetch(`${url}/api/v1/live`)).status).toBe(401);
    const withToken = await openStream(url, ADMIN);
    expect(withToken.response.status).toBe(200);
  });

  it('false-positive feedback lifts the block, suppresses the detector for the IP, is audited and kept on the incident', async () => {
    // Only brute force runs: the suppression covers that detector, and others would rightly still act on the IP.
    const { url, service } = await start({
      'detectors.bruteForce.windowSeconds': 60,
      'detectors.credentialStuffing.enabled': false,
      'detectors.passwordSpraying.enabled': false,
    });
    await attack(url, '203.0.113.81');
    await service.pipeline.idle();
    const incident = ((await (await fetch(`${url}/api/v1/incidents`)).json()) as { incidents: Incident[] }).incidents[0] as Incident;
    const feedbackUrl = `${url}/api/v1/incidents/${incident.id}/feedback`;

    // Admin scope: loopback alone is not enough.
    expect((await postJson(feedbackUrl, { verdict: 'false_positive' })).status).toBe(401);
    const refused = await postJson(feedbackUrl, { verdict: 'true_positive', unblock: true }, ADMIN);
    expect(refused.status).toBe(400);
    expect((refused.body.error as { code: string }).code).toBe('VIGIL_E_BAD_FEEDBACK');
    expect((await postJson(`${url}/api/v1/incidents/nope/feedback`, { verdict: 'true_positive' }, ADMIN)).status).toBe(404);

    const answer = await postJson(feedbackUrl, { verdict: 'false_positive', unblock: true, suppress: true, note: 'load test' }, ADMIN);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ audited: true, incident: { feedback: { verdict: 'false_positive', by: 'ops', note: 'load test' } } });
    expect((answer.body.unblocked as Decision[]).map((d) => d.value)).toEqual(['203.0.113.81']);

    const lookup = (await (await fetch(`${url}/api/v1/decisions?ip=203.0.113.81`)).json()) as { decisions: Decision[] };
    expect(lookup.decisions).toEqual([]);
    const suppressions = (await (await fetch(`${url}/api/v1/suppressions`)).json()) as { suppressions: { detector: string; value: string; incidentId: string }[] };
    expect(suppressions.suppressions).toMatchObject([{ detector: 'brute_force', value: '203.0.113.81', incidentId: incident.id }]);
    const stored = (await (await fetch(`${url}/api/v1/incidents/${incident.id}`)).json()) as Incident;
    expect(stored.feedback?.verdict).toBe('false_positive');

    const audit = (await (await fetch(`${url}/api/v1/audit`, { headers: ADMIN })).json()) as { items: { actor: string; action: string; target: string; details: Record<string, unknown> }[] };
    const actions = audit.items.map((a) => `${a.actor} ${a.action} ${a.target}`);
    expect(actions).toContain(`ops incident.feedback ${incident.id}`);
    expect(actions).toContain('ops decision.delete 203.0.113.81');
    expect(actions).toContain('ops suppression.add brute_force|ip:203.0.113.81');
    expect(audit.items.find((a) => a.action === 'incident.feedback')?.details).toMatchObject({ verdict: 'false_positive', subject: 'ip:203.0.113.81' });
    expect(((await (await fetch(`${url}/api/v1/audit?verify=true`, { headers: ADMIN })).json()) as { ok: boolean }).ok).toBe(true);

    // Later traffic closes the first detection (it comes back to the response stage: suppressed),
    // and a new attack from the same IP in a later window opens one: suppressed too — while
    // another IP is still blocked.
    await attack(url, '203.0.113.82', Date.now() + 120_000, 'x');
    await service.pipeline.idle();
    await attack(url, '203.0.113.81', Date.now() + 130_000, 'y');
    await service.pipeline.idle();
    expect(service.response.stats.suppressed).toBeGreaterThanOrEqual(2);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^vigil_suppressed_detections_total [2-9]$/m);
    const bruteForce = service.response.incidents({ ip: '203.0.113.81' }).flatMap((i) => i.detections.filter((d) => d.detector === 'brute_force'));
    expect(bruteForce.map((d) => d.id)).toEqual([incident.detections[0]?.id]);
    expect(((await (await fetch(`${url}/api/v1/decisions?ip=203.0.113.81`)).json()) as { decisions: Decision[] }).decisions).toEqual([]);
    expect(((await (await fetch(`${url}/api/v1/decisions?ip=203.0.113.82`)).json()) as { decisions: Decision[] }).decisions).toHaveLength(1);

    // Suppressions can be removed (audited).
    const id = (answer.body.suppressions as { id: string }[])[0]?.id ?? '';
    expect((await fetch(`${url}/api/v1/suppressions/${id}`, { method: 'DELETE', headers: ADMIN })).status).toBe(200);
    expect((await fetch(`${url}/api/v1/suppressions/${id}`, { method: 'DELETE', headers: ADMIN })).status).toBe(404);
  });

  it('adds suppressions by hand and rejects bad ones with a stable code', async () => {
    const { url } = await start();
    const added = await postJson(`${url}/api/v1/suppressions`, { detector: 'brute_force', value: '2001:DB8::1', durationSeconds: 60 }, ADMIN);
    expect(added.status).toBe(201);
    expect(added.body.suppression).toMatchObject({ detector: 'brute_force', scope: 'ip', value: '2001:db8::1', createdBy: 'ops' });
    const bad = await postJson(`${url}/api/v1/suppressions`, { detector: 'brute_force', value: 'nope' }, ADMIN);
    expect(bad.status).toBe(400);
    expect((bad.body.error as { code: string }).code).toBe('VIGIL_E_BAD_SUPPRESSION');
  });

  it('with ui.enabled=false: / answers the JSON summary and there is no stream', async () => {
    const { url } = await start({ 'ui.enabled': false });
    const root = await fetch(`${url}/`);
    expect(((await root.json()) as { service: string }).service).toBe('vigil');
    expect((await fetch(`${url}/api/v1/live`)).status).toBe(404);
    expect((await fetch(`${url}/ui/app.js`)).status).toBe(404);
  });
});
