import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Detection } from '../../src/core/detection.js';
import type { DetectionSink } from '../../src/sinks/sink.js';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

let running: RunningService | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const T0 = Date.parse('2026-01-10T10:00:00Z');

async function detections(url: string, query = ''): Promise<Detection[]> {
  const response = await fetch(`${url}/api/v1/detections${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { detections: Detection[] }).detections;
}

describe('HTTP ingestion (real server on loopback)', () => {
  it('turns five failures from one IP into one brute-force detection, readable from the API and the file sink', async () => {
    running = await startService({ 'pipeline.maxLatenessSeconds': 1e9 });
    const events = [1, 2, 3, 4, 5, 6].map((i) => loginFailure('203.0.113.50', `user${i}`, T0 + i * 1000));
    const posted = await postJson(`${running.url}/api/v1/events`, events);
    expect(posted.status).toBe(202);
    expect(posted.body).toEqual({ accepted: 6, rejected: [] });
    await running.service.pipeline.idle();
    await running.service.outputs.flush();

    const found = await detections(running.url, '?type=brute_force');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ type: 'brute_force', severity: 'HIGH', sourceIp: '203.0.113.50', status: 'open' });
    expect(found[0]?.evidence.eventCount).toBe(6);
    expect(found[0]?.evidence.usernames).toEqual(['user1', 'user2', 'user3', 'user4', 'user5', 'user6']);
    expect(await detections(running.url, '?ip=198.51.100.1')).toHaveLength(0);
    expect(await detections(running.url, '?type=brute_force&minSeverity=HIGH')).toHaveLength(1);
    expect(await detections(running.url, '?minSeverity=CRITICAL')).toHaveLength(0);

    const dataDir = running.dataDir;
    await running.service.stop();
    const lines = readFileSync(join(dataDir, 'detections.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Detection)
      .filter((d) => d.type === 'brute_force');
    expect(lines.map((d) => d.status)).toEqual(['open', 'closed']);
    expect(lines[1]?.evidence.eventCount).toBe(6);
  });

  it('accepts a single object and reports bad records by index while accepting the good ones', async () => {
    running = await startService();
    const single = await postJson(`${running.url}/api/v1/events`, loginFailure('192.0.2.1', 'a', T0));
    expect(single).toMatchObject({ status: 202, body: { accepted: 1 } });

    const mixed = await postJson(`${running.url}/api/v1/events`, [
      loginFailure('192.0.2.1', 'a', T0),
      { eventType: 'LOGIN_FAILURE', sourceIp: 'not-an-ip' },
      'text',
      { eventType: 'SQL_INJECTION', clientIp: '192.0.2.2', eventData: "' OR 1=1 --" },
    ]);
    expect(mixed.status).toBe(202);
    expect(mixed.body.accepted).toBe(2);
    expect(mixed.body.rejected).toEqual([
      { index: 1, error: 'sourceIp: expected an IPv4 or IPv6 address, got "not-an-ip"' },
      { index: 2, error: 'expected a JSON object, got "text"' },
    ]);
  });

  it('answers 400 when nothing is valid, for malformed JSON and for an empty batch', async () => {
    running = await startService();
    const allBad = await postJson(`${running.url}/api/v1/events`, [{ eventType: 'LOGIN_FAILURE', sourceIp: 'x' }]);
    expect(allBad.status).toBe(400);
    expect(allBad.body).toMatchObject({ accepted: 0, error: { code: 'VIGIL_E_INVALID_EVENTS' } });
    const malformed = await postJson(`${running.url}/api/v1/events`, '{"eventType": ');
    expect(malformed.status).toBe(400);
    expect((malformed.body.error as { code: string }).code).toBe('VIGIL_E_BAD_REQUEST');
    const empty = await postJson(`${running.url}/api/v1/events`, []);
    expect(empty.status).toBe(400);
    expect((empty.body.error as { code: string }).code).toBe('VIGIL_E_NO_EVENTS');
  });

  it('refuses a body over the limit with 413', async () => {
    running = await startService({ 'server.bodyLimitBytes': 2048 });
    const big = Array.from({ length: 100 }, (_, i) => loginFailure('192.0.2.1', `user${i}`, T0));
    const response = await postJson(`${running.url}/api/v1/events`, big);
    expect(response.status).toBe(413);
    expect((response.body.error as { code: string }).code).toBe('VIGIL_E_BODY_TOO_LARGE');
  });

  it('streams NDJSON, plain and gzip, with per-line errors', async () => {
    running = await startService({ 'pipeline.maxLatenessSeconds': 1e9 });
    const lines = Array.from({ length: 1000 }, (_, i) => JSON.stringify(loginFailure(`198.51.100.${i % 50}`, `u${i}`, T0 + i * 100)));
    lines.splice(10, 0, '{"broken": ', '', '{"eventType":"LOGIN_SUCCESS","sourceIp":"1.2.3"}');
    const body = lines.join('\n') + '\n';

    const plain = await fetch(`${running.url}/api/v1/events/ndjson`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(plain.status).toBe(202);
    const result = (await plain.json()) as { accepted: number; rejectedCount: number; rejected: { line: number; error: string }[]; lines: number };
    expect(result.accepted).toBe(1000);
    expect(result.rejectedCount).toBe(2);
    expect(result.lines).toBe(1003);
    expect(result.rejected[0]?.line).toBe(11);
    expect(result.rejected[0]?.error).toMatch(/^invalid JSON/);
    expect(result.rejected[1]).toEqual({ line: 13, error: 'sourceIp: expected an IPv4 or IPv6 address, got "1.2.3"' });

    const gz = await fetch(`${running.url}/api/v1/events/ndjson`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      body: gzipSync(body),
    });
    expect(gz.status).toBe(202);
    expect(((await gz.json()) as { accepted: number }).accepted).toBe(1000);

    await running.service.pipeline.idle();
    // 50 IPs × 20 failures each within 100 s → one detection per IP (the second upload extends them).
    const found = await detections(running.url, '?type=brute_force&limit=1000');
    expect(found).toHaveLength(50);
    expect(new Set(found.map((d) => d.sourceIp)).size).toBe(50);
    expect(found.every((d) => d.evidence.eventCount === 40)).toBe(true);
  });

  it('rejects an NDJSON line over the length limit and an unknown encoding', async () => {
    running = await startService({ 'server.maxLineBytes': 300 });
    const body = `${JSON.stringify(loginFailure('192.0.2.1', 'a', T0))}\n{"x":"${'a'.repeat(5000)}"}\n${JSON.stringify(loginFailure('192.0.2.1', 'b', T0))}\n`;
    const response = await fetch(`${running.url}/api/v1/events/ndjson`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
    const result = (await response.json()) as { accepted: number; rejected: { line: number; error: string }[] };
    expect(response.status).toBe(202);
    expect(result.accepted).toBe(2);
    expect(result.rejected).toEqual([{ line: 2, error: 'line longer than 300 characters' }]);

    const br = await fetch(`${running.url}/api/v1/events/ndjson`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'br' },
      body: 'x',
    });
    expect(br.status).toBe(415);
  });

  it('answers 503 with Retry-After when the queue is full, and counts it', async () => {
    // A sink that never finishes stalls the detector stage, so the event queue fills up.
    const stuck: DetectionSink = { name: 'stuck', write: () => new Promise(() => undefined), close: async () => undefined };
    running = await startService(
      { 'pipeline.queueCapacity': 20, 'pipeline.outputQueueCapacity': 1, 'pipeline.retryAfterSeconds': 7, 'server.streamWaitMs': 200 },
      [stuck],
    );
    const url = `${running.url}/api/v1/events`;
    // Two attacks → two detections → the output queue is over capacity and processing pauses.
    const attack = (ip: string) => Array.from({ length: 5 }, (_, i) => loginFailure(ip, 'a', T0 + i));
    expect((await postJson(url, [...attack('192.0.2.10'), ...attack('192.0.2.11')])).status).toBe(202);
    await new Promise((r) => setTimeout(r, 50));
    const fill = Array.from({ length: 20 }, (_, i) => loginFailure('192.0.2.20', `u${i}`, T0));
    expect((await postJson(url, fill)).status).toBe(202);
    const refused = await postJson(url, [loginFailure('192.0.2.21', 'x', T0)]);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect((refused.body.error as { code: string }).code).toBe('VIGIL_E_QUEUE_FULL');

    const stream = await fetch(`${running.url}/api/v1/events/ndjson`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: JSON.stringify(loginFailure('192.0.2.22', 'x', T0)) + '\n',
    });
    expect(stream.status).toBe(503);
    expect(((await stream.json()) as { lines: number }).lines).toBe(0);

    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_pipeline_backpressure 1$/m);
    expect(metrics).toMatch(/^vigil_pipeline_events_rejected_total 2$/m);
    expect(metrics).toMatch(/^vigil_pipeline_queue_depth\{queue="events"\} 20$/m);
    // Leave the stuck sink behind: stop() would wait for it forever.
    running = undefined;
  });

  it('takes the client address from a trusted proxy only', async () => {
    running = await startService({ 'server.trustedProxies': ['127.0.0.1'], 'pipeline.maxLatenessSeconds': 1e9 });
    const noIp = Array.from({ length: 5 }, (_, i) => ({ eventType: 'LOGIN_FAILURE', username: 'a', timestamp: T0 + i }));
    await postJson(`${running.url}/api/v1/events`, noIp, { 'x-forwarded-for': '198.51.100.77, 10.1.1.1, 127.0.0.1' });
    await postJson(`${running.url}/api/v1/events`, noIp, { 'x-real-ip': '198.51.100.88' });
    await running.service.pipeline.idle();
    // Right-most untrusted hop of X-Forwarded-For (10.1.1.1 is not trusted), then X-Real-IP.
    expect((await detections(running.url, '?type=brute_force')).map((d) => d.sourceIp).sort()).toEqual(['10.1.1.1', '198.51.100.88']);
    await running.stop();

    running = await startService({ 'pipeline.maxLatenessSeconds': 1e9 });
    await postJson(`${running.url}/api/v1/events`, noIp, { 'x-forwarded-for': '198.51.100.77' });
    await running.service.pipeline.idle();
    expect((await detections(running.url, '?type=brute_force')).map((d) => d.sourceIp)).toEqual(['127.0.0.1']);
  });

  it('requires tokens with the right scope when loopback access is switched off', async () => {
    running = await startService({
      'auth.loopbackWithoutToken': [],
      'auth.tokens': [{ name: 'shipper', token: 'ingest-token-0123456789', scopes: ['ingest'] }],
    });
    const event = loginFailure('192.0.2.1', 'a', T0);
    const anonymous = await postJson(`${running.url}/api/v1/events`, event);
    expect(anonymous.status).toBe(401);
    expect((anonymous.body.error as { code: string }).code).toBe('VIGIL_E_UNAUTHENTICATED');
    expect((await postJson(`${running.url}/api/v1/events`, event, { authorization: 'Bearer ingest-token-0123456789' })).status).toBe(202);
    const read = await fetch(`${running.url}/api/v1/detections`, { headers: { 'x-api-key': 'ingest-token-0123456789' } });
    expect(read.status).toBe(403);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });

  it('serves health, readiness and an OpenAPI document describing the routes', async () => {
    running = await startService();
    expect(await (await fetch(`${running.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
    const doc = (await (await fetch(`${running.url}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/events', '/api/v1/events/ndjson', '/api/v1/detections', '/healthz', '/readyz', '/metrics']),
    );
  });
});
