import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { storeConfig } from '../store/store.contract.js';
import { openStore } from '../store/store.js';
import { normalizeIoc, type IocInput } from './ioc.js';
import { IOC_CURSOR_START, IocRepository } from './ioc-repository.js';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;

/**
 * What the `iocs` table must do on every SQL backend: the same upsert rule
 * (max confidence, refreshed last seen, union of tags), paging, the change
 * stream, expiry and statistics.
 */
export function defineIocStoreContract(name: string, newDatabase: () => Promise<string>): void {
  describe(`IOC store contract: ${name}`, () => {
    const cleanup: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const fn of cleanup.splice(0).reverse()) await fn();
    });

    async function open(clock: { now: number }) {
      const dataDir = mkdtempSync(join(tmpdir(), 'vigil-ioc-'));
      const store = await openStore(storeConfig(await newDatabase()), dataDir, { now: () => clock.now });
      cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
      cleanup.push(() => store.close());
      return new IocRepository(store.db, store.kind, () => clock.now);
    }
    const ioc = (input: IocInput, now = T0) => normalizeIoc(input, { threatType: 'malicious', confidence: 50, source: 'test', ttlMs: 0 }, now);

    it('upserts: the higher confidence wins, last seen is refreshed, first seen kept, tags merged', async () => {
      const clock = { now: T0 };
      const repo = await open(clock);
      const first = await repo.upsert([
        ioc({ value: '198.51.100.7', confidence: 80, threatType: 'c2', source: 'feed-a', tags: ['Botnet'], expiresAt: T0 + DAY }),
        ioc({ value: 'Evil.Example' }),
      ]);
      expect(first).toMatchObject({ inserted: 2, updated: 0, unchanged: 0 });
      expect(first.changed.map((i) => i.value).sort()).toEqual(['198.51.100.7', 'evil.example']);

      clock.now = T0 + 1000;
      // Lower confidence: keeps threat type, source and confidence; refreshes last seen, merges tags, later expiry.
      const second = await repo.upsert([
        ioc({ value: '198.51.100.7', confidence: 40, threatType: 'scanner', source: 'feed-b', tags: ['scan'], expiresAt: T0 + 2 * DAY }, T0 + 1000),
      ]);
      expect(second).toMatchObject({ inserted: 0, updated: 1, unchanged: 0 });
      expect(await repo.get('ipv4', '198.51.100.7')).toEqual({
        value: '198.51.100.7',
        type: 'ipv4',
        threatType: 'c2',
        confidence: 80,
        source: 'feed-a',
        firstSeen: T0,
        lastSeen: T0 + 1000,
        expiresAt: T0 + 2 * DAY,
        tags: ['botnet', 'scan'],
      });
      // Higher confidence: takes over threat type and source; never-expiring wins.
      await repo.upsert([ioc({ value: '198.51.100.7', confidence: 95, threatType: 'ransomware', source: 'feed-c', expiresAt: null }, T0 + 2000)]);
      expect(await repo.get('ipv4', '198.51.100.7')).toMatchObject({
        threatType: 'ransomware',
        confidence: 95,
        source: 'feed-c',
        firstSeen: T0,
        lastSeen: T0 + 2000,
        expiresAt: null,
      });
      // The same facts again: nothing written.
      expect(await repo.upsert([ioc({ value: 'evil.example' })])).toMatchObject({ inserted: 0, updated: 0, unchanged: 1, changed: [] });
      // Twice in one batch: merged before writing.
      expect(await repo.upsert([ioc({ value: '10.0.0.0/8', confidence: 10 }), ioc({ value: '10.1.0.0/8', confidence: 70 })])).toMatchObject({
        inserted: 1,
      });
      expect((await repo.get('cidr', '10.0.0.0/8'))?.confidence).toBe(70);
      expect(await repo.get('domain', 'nothing.example')).toBeUndefined();
    });

    it('keeps long URLs and pages through everything; the change stream resumes from its cursor', async () => {
      const clock = { now: T0 };
      const repo = await open(clock);
      const long = `http://files.example/${'a'.repeat(1900)}?x=1`;
      await repo.upsert([ioc({ value: long })]);
      expect((await repo.get('url', long))?.value).toBe(long);
      const many = Array.from({ length: 1234 }, (_, i) => ioc({ value: `h${i}.bad.example` }));
      await repo.upsert(many);
      let total = 0;
      for await (const page of repo.all(500)) total += page.length;
      expect(total).toBe(1235);

      let cursor = IOC_CURSOR_START;
      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) {
        const batch = await repo.changedSince(cursor, 400);
        for (const x of batch.iocs) seen.add(x.value);
        cursor = batch.cursor;
        if (batch.iocs.length === 0) break;
      }
      expect(seen.size).toBe(1235);
      clock.now = T0 + 5000;
      await repo.upsert([ioc({ value: 'h1.bad.example', confidence: 99 }), ioc({ value: 'new.example' })]);
      const next = await repo.changedSince(cursor);
      expect(next.iocs.map((x) => x.value).sort()).toEqual(['h1.bad.example', 'new.example']);
      expect((await repo.changedSince(next.cursor)).iocs).toEqual([]);
    });

    it('expires what is past its expiry and reports statistics', async () => {
      const clock = { now: T0 };
      const repo = await open(clock);
      await repo.upsert([
        ioc({ value: '192.0.2.1', expiresAt: T0 + 10, threatType: 'scanner', source: 'a' }),
        ioc({ value: '192.0.2.2', expiresAt: T0 + 20, source: 'a' }),
        ioc({ value: 'd41d8cd98f00b204e9800998ecf8427e', source: 'b', threatType: 'malware' }),
        ioc({ value: 'old.example', firstSeen: T0 - 3 * DAY, lastSeen: T0 - 2 * DAY, source: 'b' }),
      ]);
      const stats = await repo.statistics(T0);
      expect(stats).toMatchObject({
        total: 4,
        byType: { ipv4: 2, md5: 1, domain: 1 },
        byThreatType: { malicious: 2, scanner: 1, malware: 1 },
        bySource: { a: 2, b: 2 },
        recent: { windowMs: DAY, count: 3 },
      });
      expect(stats.recent.latest).toHaveLength(3);
      expect((await repo.expire(T0 + 10)).map((x) => x.value)).toEqual(['192.0.2.1']);
      expect(await repo.expire(T0 + 10)).toEqual([]);
      expect(await repo.count()).toBe(3);
      expect(await repo.remove('md5', 'd41d8cd98f00b204e9800998ecf8427e')).toBe(true);
      expect(await repo.remove('md5', 'd41d8cd98f00b204e9800998ecf8427e')).toBe(false);
      await repo.writeMeta('ioc_feed:x', { etag: '"1"' });
      await repo.writeMeta('ioc_feed:x', { etag: '"2"' });
      expect(await repo.readMeta('ioc_feed:x')).toEqual({ etag: '"2"' });
      expect(await repo.readMeta('ioc_feed:none')).toBeUndefined();
    });
  });
}
