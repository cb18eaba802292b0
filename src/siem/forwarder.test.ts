import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSiemConfig, type SiemDestinationConfig } from './config.js';
import { DEAD_LETTER_FILE } from './destination.js';
import { formatEcsBulk } from './formatters/ecs.js';
import { formatHecBatch } from './formatters/hec.js';
import { formatHttpJsonBody } from './formatters/http-json.js';
import { formatSentinelBody } from './formatters/sentinel.js';
import { SiemForwarder } from './forwarder.js';
import { fromDetectionRecord, type SiemRecord } from './record.js';
import { detection, eventRecord, openDetection } from './test-fixtures.js';
import { TestReceiver, waitFor } from './test-receiver.js';
import type { SiemTransport } from './transport.js';

function destination(raw: Record<string, unknown>): SiemDestinationConfig {
  const parsed = parseSiemConfig({ destinations: [{ retryInitialDelayMs: 5, retryMaxDelayMs: 50, timeoutSeconds: 5, ...raw }] });
  return parsed.destinations[0] as SiemDestinationConfig;
}

function detections(n: number, prefix = 'd'): SiemRecord[] {
  return Array.from({ length: n }, (_, i) => fromDetectionRecord({ status: 'open', detection: detection({ id: `${prefix}-${i}` }) }));
}

let dir: string;
let receiver: TestReceiver;
let forwarder: SiemForwarder | undefined;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-siem-'));
  receiver = await new TestReceiver().start();
});
afterEach(async () => {
  await forwarder?.close();
  forwarder = undefined;
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('Splunk HEC', () => {
  it('sends a full batch at once with the exact request HEC expects', async () => {
    receiver.responder = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"text":"Success","code":0}');
    const config = destination({ name: 'splunk', type: 'splunk-hec', url: receiver.url, token: 'tok-123', index: 'security', batchSize: 2 });
    forwarder = new SiemForwarder({ config: { destinations: [config] }, spoolDir: dir, hostname: 'vigil-1' });
    const records = detections(2);
    forwarder.forward(records);
    await waitFor(() => forwarder?.stats()[0]?.sent === 2, 5000, 'delivery');
    expect(receiver.requests).toHaveLength(1);
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/services/collector/event');
    expect(request?.headers.authorization).toBe('Splunk tok-123');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body.toString()).toBe(formatHecBatch(records, { host: 'vigil-1', source: 'vigil', index: 'security' }));
    expect(forwarder.stats()[0]).toMatchObject({ sent: 2, failed: 0, queued: 0, deadLettered: 0 });
  });

  it('honours Retry-After on 503 and 429, then succeeds', async () => {
    receiver.responder = (_req, res, i) => {
      if (i === 0) res.writeHead(503, { 'Retry-After': '1' }).end('{"text":"Server is busy","code":9}');
      else if (i === 1) res.writeHead(429, { 'Retry-After': '1' }).end('{"text":"Too many requests"}');
      else res.writeHead(200).end('{"text":"Success","code":0}');
    };
    const config = destination({ name: 'splunk', type: 'splunk-hec', url: receiver.url, token: 't' });
    forwarder = new SiemForwarder({ config: { destinations: [config] }, spoolDir: dir, hostname: 'h' });
    forwarder.forward(detections(3));
    await forwarder.flush();
    expect(receiver.requests).toHaveLength(3);
    // Without Retry-After the backoff here is at most 50 ms; the server asked for 1 s each time.
    expect((receiver.requests[1]?.at ?? 0) - (receiver.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect((receiver.requests[2]?.at ?? 0) - (receiver.requests[1]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(receiver.requests[2]?.body.equals(receiver.requests[0]?.body as Buffer)).toBe(true);
    expect(forwarder.stats()[0]).toMatchObject({ sent: 3, failed: 2, deadLettered: 0, queued: 0 });
  });

  it('dead-letters the event HEC names as invalid and resends the ones after it', async () => {
    receiver.responder = (_req, res, i) =>
      i === 0 ? res.writeHead(400).end('{"text":"Invalid data format","code":6,"invalid-event-number":1}') : res.writeHead(200).end('{"code":0}');
    const config = destination({ name: 'splunk', type: 'splunk-hec', url: receiver.url, token: 't' });
    forwarder = new SiemForwarder({ config: { destinations: [config] }, spoolDir: dir, hostname: 'h' });
    const records = detections(3);
    forwarder.forward(records);
    await forwarder.flush();
    expect(receiver.requests[1]?.body.toString()).toBe(formatHecBatch([records[2] as SiemRecord], { host: 'h', source: 'vigil' }));
    const dead = readFileSync(join(dir, 'splunk', DEAD_LETTER_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(dead.map((d) => d.record.detection.id)).toEqual(['d-1']);
    expect(forwarder.stats()[0]).toMatchObject({ sent: 2, deadLettered: 1 });
  });
});

describe('Elasticsearch _bulk', () => {
  it('sends NDJSON with create actions and handles per-item results', async () => {
    receiver.responder = (_req, res, i) => {
      const items =
        i === 0
          ? [{ create: { status: 201 } }, { create: { status: 409, error: { type: 'version_conflict_engine_exception' } } }, { create: { status: 429 } }, { create: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad' } } }]
          : [{ create: { status: 201 } }];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ took: 1, errors: i === 0, items }));
    };
    const config = destination({ name: 'es', type: 'elastic', url: `${receiver.url}/`, apiKey: 'a2V5OnNlY3JldA==' });
    forwarder = new SiemForwarder({ config: { destinations: [config] }, spoolDir: dir });
    const records = detections(4);
    forwarder.forward(records);
    await forwarder.flush();
    expect(receiver.requests).toHaveLength(2);
    const first = receiver.requests[0];
    expect(first?.url).toBe('/_bulk');
    expect(first?.headers['content-type']).toBe('application/x-ndjson');
    expect(first?.headers.authorization).toBe('ApiKey a2V5OnNlY3JldA==');
    expect(first?.body.toString()).toBe(formatEcsBulk(records, { index: 'logs-vigil.alerts-default' }));
    // Only the 429 item is sent again.
    expect(receiver.requests[1]?.body.toString()).toBe(formatEcsBulk([records[2] as SiemRecord], { index: 'logs-vigil.alerts-default' }));
    expect(forwarder.stats()[0]).toMatchObject({ sent: 3, deadLettered: 1, queued: 0 });
    const dead = JSON.parse(readFileSync(join(dir, 'es', DEAD_LETTER_FILE), 'utf8').trim());
    expect(dead.reason).toContain('mapper_parsing_exception');
    expect(dead.record.detection.id).toBe('d-3');
  });
});

describe('Microsoft Sentinel (Logs Ingestion API)', () => {
  it('gets a client-credentials token once, then posts gzip JSON with the bearer', async () => {
    receiver.responder = (req, res) => {
      if (req.url.endsWith('/oauth2/v2.0/token')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: 'tok-abc' }));
      } else res.writeHead(204).end();
    };
    const config = destination({
      name: 'sentinel',
      type: 'sentinel',
      endpoint: receiver.url,
      dcrImmutableId: 'dcr-0123456789abcdef',
      streamName: 'Custom-VigilAlerts_CL',
      tenantId: 'tenant-1',
      clientId: 'client-1',
      clientSecret: 's3cr=t&x',
      authorityHost: receiver.url,
    });
    forwarder = new SiemForwarder({ config: { destinations: [config] }, spoolDir: dir });
    const first = detections(2, 'a');
    forwarder.forward(first);
    await forwarder.flush();
    const second = detections(1, 'b');
    forwarder.forward(second);
    await forwarder.flush();

    expect(receiver.requests.map((r) => r.url)).toEqual([
      '/tenant-1/oauth2/v2.0/token',
      '/dataCollectionRules/dcr-0123456789abcdef/streams/Custom-VigilAlerts_CL?api-version=2023-01-01',
      '/dataCollectionRules/dcr-0123456789abcdef/streams/Custom-VigilAlerts_CL?api-version=2023-01-01',
    ]);
    const token = receiver.requests[0];
    expect(token?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(token?.body.toString()))).toEqual({
      client_id: 'client-1',
      client_secret: 's3cr=t&x',
      scope: 'https://monitor.azure.com//.default',
      grant_type: 'client_credentials',
    });
    const ingest = receiver.requests[1];
    expect(ingest?.headers.authorization).toBe('Bearer tok-abc');
    expect(ingest?.headers['content-encoding']).toBe('gzip');
    expect(ingest?.headers['content-type']).toBe('application/json');
    expect(gunzipSync(ingest?.body as Buffer).toString()).toBe(formatSentinelBody(first));
    expect(gunzipSync(receiver.requests[2]?.body as Buffer).toString()).toBe(formatSentinelBody(second));
  });
});

describe('generic HTTP', () => {
  it('posts a JSON array with the configured headers', async () => {
    const config = destination({ name: 'hook', type: 'http', url: `${receiver.url}/ingest`, headers: { Authorization: 'Bearer xyz', 'X-Tenant': 'acme' } });
    forwarder = new SiemForwarder({ config: { destinations: [config] }, spoolDir: dir });
    const records = detections(2);
    forwarder.forward(records);
    await forwarder.flush();
    const request = receiver.requests[0];
    expect(request?.url).toBe('/ingest');
    expect(request?.headers).toMatchObject({ authorization: 'Bearer xyz', 'x-tenant': 'acme', 'content-type': 'application/json' });
    expect(request?.body.toString()).toBe(formatHttpJsonBody(records));
    expect(JSON.parse(request?.body.toString() ?? '')).toHaveLength(2);
  });

  it('dead-letters a batch after maxAttempts failures', async () => {
    receiver.responder = (_req, res) => res.writeHead(500).end('boom');
    const config = destination({ name: 'hook', type: 'http', url: receiver.url, maxAttempts: 3 });
    forwarder = new SiemForwarder({ config: { destinations: [config] }, spoolDir: dir });
    forwarder.forward(detections(2));
    await forwarder.flush();
    expect(receiver.requests).toHaveLength(3);
    const dead = readFileSync(join(dir, 'hook', DEAD_LETTER_FILE), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(dead).toHaveLength(2);
    expect(dead[0]).toMatchObject({ destination: 'hook', attempts: 3, reason: expect.stringContaining('HTTP 500') });
    expect(forwarder.stats()[0]).toMatchObject({ sent: 0, failed: 3, deadLettered: 2, queued: 0 });
  });
});

describe('spool', () => {
  it('keeps records while the SIEM is down and delivers exactly the unacknowledged ones after a restart', async () => {
    const config = destination({ name: 'hook', type: 'http', url: receiver.url });
    forwarder = new SiemForwarder({ config: { destinations: [config], closeTimeoutSeconds: 0.3 }, spoolDir: dir });
    const delivered = detections(3, 'before');
    forwarder.forward(delivered);
    await forwarder.flush();
    expect(receiver.requests).toHaveLength(1);

    const port = receiver.port;
    await receiver.stop();
    const pending = detections(4, 'during');
    forwarder.forward(pending);
    forwarder.write([{ status: 'closed', detection: detection({ id: 'during-closed', status: 'closed' }) }]);
    const flushing = forwarder.flush();
    await waitFor(() => (forwarder?.stats()[0]?.failed ?? 0) >= 2, 5000, 'failed attempts');
    expect(forwarder.stats()[0]).toMatchObject({ queued: 5, sent: 3 });
    expect(forwarder.stats()[0]?.spooledBytes).toBeGreaterThan(0);
    await forwarder.close();
    await flushing.catch(() => undefined);
    forwarder = undefined;

    receiver = await new TestReceiver().start(port);
    forwarder = new SiemForwarder({ config: { destinations: [config] }, spoolDir: dir });
    await waitFor(() => forwarder?.stats()[0]?.queued === 0, 5000, 'replay');
    const ids = receiver.requests.flatMap((r) => JSON.parse(r.body.toString()) as Array<{ id: string }>).map((d) => d.id);
    expect(ids).toEqual(['during-0:open', 'during-1:open', 'during-2:open', 'during-3:open', 'during-closed:closed']);
    expect(forwarder.stats()[0]).toMatchObject({ sent: 5, deadLettered: 0, spooledBytes: 0 });
  });

  it('refuses and counts records past the size limit', async () => {
    const config = destination({ name: 'hook', type: 'http', url: receiver.url, spool: { maxBytes: 4096 } });
    forwarder = new SiemForwarder({ config: { destinations: [config] }, spoolDir: dir });
    forwarder.forward(detections(20));
    const stats = forwarder.stats()[0];
    expect(stats?.refusedSpoolFull).toBeGreaterThan(0);
    expect((stats?.queued ?? 0) + (stats?.refusedSpoolFull ?? 0)).toBe(20);
    expect(stats?.spooledBytes).toBeLessThanOrEqual(4096);
  });
});

describe('fan-out', () => {
  it('routes each record to every destination whose filter matches', async () => {
    const seen: Record<string, string[]> = { all: [], high: [], events: [] };
    const capture = (name: string): SiemTransport => ({
      send: async (records) => {
        seen[name]?.push(...records.map((r) => `${r.kind}:${r.severity}`));
      },
      close: async () => undefined,
    });
    const configs = [
      destination({ name: 'all', type: 'http', url: 'http://127.0.0.1:9', filter: { kinds: ['detection', 'event', 'decision'] } }),
      destination({ name: 'high', type: 'http', url: 'http://127.0.0.1:9', filter: { minLevel: 'HIGH', detectionTypes: ['brute_force'] } }),
      destination({ name: 'events', type: 'http', url: 'http://127.0.0.1:9', filter: { kinds: ['event'] } }),
    ];
    forwarder = new SiemForwarder({
      config: { destinations: configs },
      transports: { all: capture('all'), high: capture('high'), events: capture('events') },
    });
    const medium = fromDetectionRecord({ status: 'open', detection: detection({ severity: 'MEDIUM' }) });
    const otherType = fromDetectionRecord({ status: 'open', detection: detection({ type: 'sqli', severity: 'CRITICAL' }) });
    forwarder.forward([openDetection, medium, otherType, eventRecord]);
    await forwarder.flush();
    expect(seen.all).toEqual(['detection:HIGH', 'detection:MEDIUM', 'detection:CRITICAL', 'event:LOW']);
    expect(seen.high).toEqual(['detection:HIGH']);
    expect(seen.events).toEqual(['event:LOW']);
    expect(forwarder.stats().map((s) => s.filtered)).toEqual([0, 3, 3]);
  });

  it('refuses duplicate destination names', () => {
    const a = destination({ name: 'x', type: 'http', url: 'http://127.0.0.1:9' });
    expect(() => new SiemForwarder({ config: { destinations: [a, a] } })).toThrow(/used twice/);
  });
});
