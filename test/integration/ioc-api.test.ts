import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../src/core/detection.js';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

const ADMIN = { authorization: 'Bearer admin-token-0123456789' };
const STIX = JSON.stringify({
  type: 'bundle',
  id: 'bundle--1',
  objects: [
    {
      type: 'indicator',
      spec_version: '2.1',
      id: 'indicator--1',
      created: '2026-10-01T00:00:00Z',
      modified: '2026-10-01T00:00:00Z',
      indicator_types: ['malicious-activity'],
      pattern: "[ipv4-addr:value = '203.0.113.0/24']",
      pattern_type: 'stix',
      valid_from: '2026-10-01T00:00:00Z',
      confidence: 90,
    },
  ],
});

let running: RunningService | undefined;
let feedServer: Server | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await new Promise<void>((r) => (feedServer ? feedServer.close(() => r()) : r()));
  feedServer = undefined;
});

async function serveFeed(body: string): Promise<{ url: string; hits: string[] }> {
  const hits: string[] = [];
  feedServer = createServer((req, res) => {
    hits.push(String(req.headers['if-none-match'] ?? ''));
    if (req.headers['if-none-match'] === '"1"') return void res.writeHead(304).end();
    res.writeHead(200, { etag: '"1"', 'content-type': 'application/stix+json' }).end(body);
  });
  await new Promise<void>((r) => feedServer?.listen(0, '127.0.0.1', r));
  const address = feedServer.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/stix`, hits };
}

async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('threat intelligence in the running service', () => {
  it('loads a STIX feed over HTTP, makes events from listed sources CRITICAL incidents, answers bulk checks and stats, counts in metrics', async () => {
    const feed = await serveFeed(STIX);
    running = await startService({
      'auth.tokens': [{ name: 'ops', token: 'admin-token-0123456789', scopes: ['admin'] }],
      'intel.feeds': [{ name: 'partner-stix', url: feed.url, format: 'stix' }],
    });
    const { url, service } = running;
    await until('the feed import', () => service.iocMatcher.size === 1);

    const t0 = Date.parse('2026-10-05T12:00:00Z');
    expect((await postJson(`${url}/api/v1/events`, [loginFailure('203.0.113.50', 'root', t0), loginFailure('192.0.2.1', 'bob', t0)])).status).toBe(202);
    await service.pipeline.idle();
    const incidents = (await (await fetch(`${url}/api/v1/incidents?ip=203.0.113.50`)).json()) as { incidents: Incident[] };
    expect(incidents.incidents).toHaveLength(1);
    const incident = incidents.incidents[0] as Incident;
    expect(incident.level).toBe('CRITICAL');
    expect(incident.detections[0]).toMatchObject({
      type: 'known_threat_source',
      evidence: { ioc: { hit: true, value: '203.0.113.0/24', type: 'cidr', threatType: 'malicious-activity', confidence: 90, source: 'partner-stix' } },
    });
    expect(((await (await fetch(`${url}/api/v1/incidents?ip=192.0.2.1`)).json()) as { incidents: Incident[] }).incidents).toEqual([]);

    const check = await postJson(`${url}/api/v1/ioc/check`, { values: ['203.0.113.7', '192.0.2.1', 'hello world'] });
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({
      matched: 1,
      results: [
        { value: '203.0.113.7', type: 'ipv4', match: { value: '203.0.113.0/24', matchedBy: 'cidr' } },
        { value: '192.0.2.1', type: 'ipv4', match: null },
        { value: 'hello world', match: null, error: expect.any(String) },
      ],
    });
    expect((await postJson(`${url}/api/v1/ioc/check`, { values: [] })).status).toBe(400);

    // Adding needs admin, even from loopback.
    expect((await postJson(`${url}/api/v1/ioc`, { iocs: [{ value: 'evil.example' }] })).status).toBe(401);
    const added = await postJson(`${url}/api/v1/ioc`, { iocs: [{ value: 'Evil.Example', threatType: 'phishing', confidence: 70 }, { value: 'nope' }] }, ADMIN);
    expect(added).toMatchObject({ status: 200, body: { valid: 1, invalid: 1, inserted: 1 } });
    expect((await postJson(`${url}/api/v1/ioc`, { iocs: [{ value: 'nope' }] }, ADMIN)).body).toMatchObject({ error: { code: 'VIGIL_E_INVALID_IOC' } });
    expect((await postJson(`${url}/api/v1/ioc/check`, { values: ['www.evil.example'] })).body).toMatchObject({ matched: 1 });

    const stats = (await (await fetch(`${url}/api/v1/ioc/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      total: 2,
      byType: { cidr: 1, domain: 1 },
      bySource: { 'partner-stix': 1, api: 1 },
      inMemory: { cidr: 1, domain: 1 },
      feeds: [{ name: 'partner-stix', successes: 1, failures: 0 }],
    });
    await new Promise((r) => setTimeout(r, 100));
    const audit = (await (await fetch(`${url}/api/v1/audit`, { headers: ADMIN })).json()) as { items: { action: string }[] };
    expect(audit.items.map((a) => a.action)).toContain('ioc.add');

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^vigil_ioc_indicators\{type="cidr"\} 1$/m);
    expect(metrics).toMatch(/^vigil_ioc_feed_fetches_total\{feed="partner-stix",outcome="success"\} 1$/m);
    expect(metrics).toMatch(/^vigil_ioc_matches_total\{type="cidr"\} [1-9]/m);
    expect(metrics).toMatch(/^security_threats_critical_total [1-9]/m);

    // A restart on the same data dir: the indicators come back from the store, the feed is revalidated (304).
    await service.stop();
    const dataDir = running.dataDir;
    running = await startService({ dataDir, 'intel.feeds': [{ name: 'partner-stix', url: feed.url, format: 'stix' }] });
    expect(running.service.iocMatcher.size).toBe(2);
    await until('the revalidation', () => running?.service.feeds?.stats.get('partner-stix')?.notModified === 1);
    expect(feed.hits).toEqual(['', '"1"']);
  });
});
