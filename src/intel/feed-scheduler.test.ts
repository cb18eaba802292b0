import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { storeConfig } from '../store/store.contract.js';
import { openStore } from '../store/store.js';
import { feedConfigSchema, type FeedConfig } from './config.js';
import { FeedScheduler } from './feed-scheduler.js';
import { IocManager } from './ioc-manager.js';
import { IocRepository } from './ioc-repository.js';

interface Served {
  status: number;
  body: string;
  etag?: string;
  lastModified?: string;
}

/** A real HTTP server on 127.0.0.1 (port 0) answering conditional requests the way a CDN does. */
async function feedServer(initial: Served) {
  const state = { served: initial, requests: [] as IncomingHttpHeaders[] };
  const server: Server = createServer((req, res) => {
    state.requests.push(req.headers);
    const s = state.served;
    if (s.status === 200 && ((s.etag !== undefined && req.headers['if-none-match'] === s.etag) || (s.etag === undefined && s.lastModified !== undefined && req.headers['if-modified-since'] === s.lastModified))) {
      res.writeHead(304).end();
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (s.etag !== undefined) headers.etag = s.etag;
    if (s.lastModified !== undefined) headers['last-modified'] = s.lastModified;
    res.writeHead(s.status, headers).end(s.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { state, url: `http://127.0.0.1:${port}/feed?key=secret`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function feed(overrides: Partial<FeedConfig> & { name: string }): FeedConfig {
  return Value.Default(feedConfigSchema, { ...overrides }) as FeedConfig;
}

describe('FeedScheduler', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });
  const clock = { now: 1_800_000_000_000 };

  async function setup() {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-feed-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = await openStore(storeConfig(`sqlite:${join(dir, 'db.sqlite')}`), dir);
    cleanup.push(() => store.close());
    const repository = new IocRepository(store.db, store.kind, () => clock.now);
    return { dir, repository, manager: new IocManager(repository, { now: () => clock.now }) };
  }

  it('imports a URL feed, revalidates with ETag (304), keeps data when the feed breaks, counts failures', async () => {
    const server = await feedServer({ status: 200, etag: '"v1"', body: JSON.stringify([{ value: '198.51.100.7', threat_type: 'scanner' }, 'evil.example', 'not valid!']) });
    cleanup.push(server.close);
    const { manager, repository, dir } = await setup();
    const scheduler = new FeedScheduler([feed({ name: 'cdn', url: server.url, format: 'json', confidence: 60 })], manager, { dataDir: dir, now: () => clock.now, maxEntriesPerFeed: 100 });

    expect(await scheduler.runOnce('cdn')).toBe('success');
    expect(manager.matcher.matchIp('198.51.100.7')).toMatchObject({ threatType: 'scanner', source: 'cdn', confidence: 60 });
    expect(scheduler.stats.get('cdn')?.lastImport).toMatchObject({ received: 3, valid: 2, invalid: 1, inserted: 2 });
    expect(server.state.requests[0]?.['if-none-match']).toBeUndefined();

    expect(await scheduler.runOnce('cdn')).toBe('not_modified');
    expect(server.state.requests[1]?.['if-none-match']).toBe('"v1"');

    // A 200 with a broken body: nothing stored changes, the validators stay those of the good document.
    server.state.served = { status: 200, etag: '"v2"', body: '[{"value": "203.0.113.9"' };
    expect(await scheduler.runOnce('cdn')).toBe('failure');
    server.state.served = { status: 500, body: 'oops' };
    expect(await scheduler.runOnce('cdn')).toBe('failure');
    expect(scheduler.stats.get('cdn')).toMatchObject({ successes: 1, notModified: 1, failures: 2, lastError: expect.stringContaining('HTTP 500') });
    expect(scheduler.stats.get('cdn')?.lastError).not.toContain('secret');
    expect(await repository.count()).toBe(2);
    expect(manager.matcher.matchHost('www.evil.example')).toBeDefined();
    expect(server.state.requests[3]?.['if-none-match']).toBe('"v1"');

    // A new version adds; what it no longer lists stays until it expires.
    server.state.served = { status: 200, etag: '"v3"', body: JSON.stringify(['203.0.113.9']) };
    expect(await scheduler.runOnce('cdn')).toBe('success');
    expect(await repository.count()).toBe(3);
    expect(manager.matcher.matchIp('198.51.100.7')).toBeDefined();
  });

  it('revalidates with If-Modified-Since, remembers validators across restarts, forces a full fetch after half the TTL', async () => {
    const lastModified = 'Wed, 21 Oct 2026 07:28:00 GMT';
    const server = await feedServer({ status: 200, lastModified, body: '# list\n192.0.2.1\n' });
    cleanup.push(server.close);
    const { manager, dir } = await setup();
    const config = [feed({ name: 'plain', url: server.url, ttlDays: 2 })];
    const first = new FeedScheduler(config, manager, { dataDir: dir, now: () => clock.now, maxEntriesPerFeed: 100 });
    expect(await first.runOnce('plain')).toBe('success');

    // A new scheduler (restart) reads the validators from the store.
    const second = new FeedScheduler(config, manager, { dataDir: dir, now: () => clock.now, maxEntriesPerFeed: 100 });
    await second.start();
    second.stop();
    await second.idle();
    expect(second.stats.get('plain')).toMatchObject({ notModified: 1, successes: 0 });
    expect(server.state.requests[1]?.['if-modified-since']).toBe(lastModified);

    clock.now += 1.5 * 86_400_000;
    expect(await second.runOnce('plain')).toBe('success');
    expect(server.state.requests[2]?.['if-modified-since']).toBeUndefined();
    expect(manager.matcher.matchIp('192.0.2.1')?.expiresAt).toBe(clock.now + 2 * 86_400_000);
  });

  it('reads file feeds, skipping an unchanged file; a missing file is a counted failure', async () => {
    const { manager, dir } = await setup();
    writeFileSync(join(dir, 'list.csv'), 'indicator,category\nbad.example,phishing\n');
    const scheduler = new FeedScheduler(
      [feed({ name: 'local', path: 'list.csv', format: 'csv', csv: { delimiter: ',', header: true, columns: { value: 'indicator', threatType: 'category' } } }), feed({ name: 'gone', path: '/nonexistent/feed.txt' })],
      manager,
      { dataDir: dir, now: () => clock.now, maxEntriesPerFeed: 100 },
    );
    expect(await scheduler.runOnce('local')).toBe('success');
    expect(manager.matcher.matchHost('bad.example')?.threatType).toBe('phishing');
    expect(await scheduler.runOnce('local')).toBe('not_modified');
    writeFileSync(join(dir, 'list.csv'), 'indicator,category\nbad.example,phishing\nworse.example,malware\n');
    utimesSync(join(dir, 'list.csv'), new Date(), new Date(Date.now() + 5000));
    expect(await scheduler.runOnce('local')).toBe('success');
    expect(manager.matcher.matchHost('worse.example')).toBeDefined();
    expect(await scheduler.runOnce('gone')).toBe('failure');
    expect(scheduler.stats.get('gone')?.lastError).toMatch(/cannot read/);
  });

  it('refuses a document with more entries than allowed, importing none of it', async () => {
    const { manager, dir } = await setup();
    writeFileSync(join(dir, 'big.txt'), Array.from({ length: 11 }, (_, i) => `10.0.0.${i}`).join('\n'));
    const scheduler = new FeedScheduler([feed({ name: 'big', path: 'big.txt' })], manager, { dataDir: dir, now: () => clock.now, maxEntriesPerFeed: 10 });
    expect(await scheduler.runOnce('big')).toBe('failure');
    expect(manager.matcher.size).toBe(0);
    expect(() => new FeedScheduler([feed({ name: 'none' })], manager, { dataDir: dir, now: () => clock.now, maxEntriesPerFeed: 10 })).toThrow(/url or path/);
  });
});
