import { gzipSync, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { IdGenerator } from '../../src/core/ids.js';
import { silentLogger } from '../../src/core/logger.js';
import { startService, type RunningService } from '../helpers/service.js';
import { anyText, deepJson, hugeLine, wrongTypes } from './arbitraries.js';
import { counted, runs, TIMEOUT_MS, writeReport } from './fuzz-budget.js';

const KEYS = ['eventType', 'kind', 'sourceIp', 'clientIp', 'username', 'reason', 'timestamp', 'eventData', 'http', 'userAgent', 'destinationPort'];
const VALID = { eventType: 'LOGIN_FAILURE', sourceIp: '203.0.113.5', username: 'alice', reason: 'INVALID_PASSWORD', timestamp: '2026-03-01T10:00:00Z' };

/** One record as text: valid, wrong types, any text, deep or huge. */
const recordText = fc.oneof(
  { weight: 3, arbitrary: fc.constant(JSON.stringify(VALID)) },
  { weight: 4, arbitrary: wrongTypes(KEYS) },
  { weight: 3, arbitrary: anyText },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: deepJson },
  { weight: 1, arbitrary: hugeLine },
);

const body = fc.oneof(
  // A JSON array or object of records.
  fc.array(recordText, { maxLength: 6 }).map((records) => Buffer.from(`[${records.join(',')}]`)),
  recordText.map((r) => Buffer.from(r)),
  // NDJSON lines, blank lines, CRLF.
  fc.array(fc.tuple(recordText, fc.constantFrom('\n', '\r\n', '\n\n')), { maxLength: 8 }).map((lines) => Buffer.from(lines.map(([l, nl]) => l + nl).join(''))),
  // Raw bytes: invalid UTF-8, NULs.
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
);

const request = fc.record({
  ndjson: fc.boolean(),
  contentType: fc.constantFrom('application/json', 'application/x-ndjson', 'application/jsonl', 'text/plain', 'application/json; charset=latin1', 'x/y', ''),
  encoding: fc.constantFrom('identity', 'identity', 'gzip', 'deflate', 'gzip-garbage', 'br'),
  body,
});

describe('fuzz: HTTP ingestion answers 2xx/4xx (or 503 backpressure), never 5xx, and stays up', () => {
  let running: RunningService;
  let app: FastifyInstance;

  beforeAll(async () => {
    running = await startService({ 'store.enabled': false, 'server.rateLimit.enabled': false, 'server.maxLineBytes': 4096, 'server.bodyLimitBytes': 65_536 });
    const { service, config } = running;
    // The same routes as the listening server, driven in-process (inject) for speed.
    app = await buildServer({
      config: config.server,
      auth: config.auth,
      pipeline: service.pipeline,
      detections: service.detections,
      metrics: service.metrics,
      ids: new IdGenerator('fz'),
      now: () => Date.now(),
      logger: silentLogger,
      version: 'fuzz',
      ready: () => true,
      retryAfterSeconds: 1,
      batchSize: config.pipeline.batchSize,
    });
  });
  afterAll(async () => {
    writeReport();
    await app.close();
    await running.stop();
  });

  it('regression: a gzip-labelled JSON body sent to the NDJSON endpoint is a 415, not a 500', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/events/ndjson',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: '{}',
    });
    expect(response.statusCode).toBe(415);
    expect(JSON.parse(response.body).error.code).toBe('VIGIL_E_UNSUPPORTED_MEDIA_TYPE');
  });

  it('arbitrary bodies, content types and encodings', async () => {
    const n = runs(60_000, 300);
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let payload = r.body;
        const headers: Record<string, string> = { 'x-forwarded-for': '192.0.2.1' };
        if (r.contentType !== '') headers['content-type'] = r.contentType;
        if (r.encoding === 'gzip') payload = gzipSync(payload);
        else if (r.encoding === 'deflate') payload = deflateSync(payload);
        if (r.encoding === 'gzip-garbage') headers['content-encoding'] = 'gzip';
        else if (r.encoding !== 'identity') headers['content-encoding'] = r.encoding;
        const response = await app.inject({ method: 'POST', url: r.ndjson ? '/api/v1/events/ndjson' : '/api/v1/events', headers, payload });
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        if (response.statusCode >= 500 && response.statusCode !== 503) {
          throw new Error(`status ${response.statusCode}: ${response.body.slice(0, 500)}`);
        }
        if (response.statusCode >= 400) {
          const parsed = JSON.parse(response.body) as { error?: { code?: string; message?: string } };
          if (!parsed.error?.code?.startsWith('VIGIL_E_') || !parsed.error.message) throw new Error(`no error code: ${response.body.slice(0, 300)}`);
        } else if (response.statusCode !== 202) {
          throw new Error(`unexpected status ${response.statusCode}`);
        }
      }),
      { numRuns: n },
    );
    counted('http ingest', n);
    console.log(`http ingest fuzz statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    // Bad input was answered, not swallowed: some of it was refused with 4xx.
    expect([...statuses.keys()].some((s) => s >= 400 && s < 500)).toBe(true);
    // The real listening server is still up.
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  }, TIMEOUT_MS);
});
