import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../core/event.js';
import { IngestJournal, JournalFullError, type JournalConfig } from './ingest-journal.js';

const config = (over: Partial<JournalConfig> = {}): JournalConfig => ({
  enabled: true,
  fsync: 'never',
  fsyncIntervalMs: 1000,
  maxBytes: 1_000_000,
  segmentBytes: 500,
  ...over,
});

const event = (n: number): SecurityEvent => ({ id: `ev-${n}`, timestamp: 1000 + n, kind: 'login.failure', sourceIp: '192.0.2.1', labels: {} });

describe('IngestJournal', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-journal-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('gives back, after a crash, every event not yet settled — in order', () => {
    const dir = tempDir();
    const first = new IngestJournal(dir, config());
    for (let i = 1; i <= 30; i++) first.append([event(i)]);
    expect(first.stats().segments).toBeGreaterThan(1);
    first.settle(10);
    // No close(): the process "dies" here.
    const second = new IngestJournal(dir, config());
    const recovered = second.recover();
    const ids = recovered.map((e) => e.id);
    // Whole segments are dropped only when all their events are settled: 11..30 must all be there.
    for (let i = 11; i <= 30; i++) expect(ids).toContain(`ev-${i}`);
    expect(ids).toEqual([...ids].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3))));
    expect(ids.length).toBeLessThan(30);
  });

  it('numbers replayed events first, deletes everything once all is settled, and leaves no file after a clean close', () => {
    const dir = tempDir();
    const first = new IngestJournal(dir, config());
    for (let i = 1; i <= 5; i++) first.append([event(i)]);
    const second = new IngestJournal(dir, config());
    const recovered = second.recover();
    expect(recovered).toHaveLength(5);
    second.replaying = true;
    second.append(recovered);
    second.replaying = false;
    second.append([event(6), event(7)]);
    expect(second.stats().appended).toBe(7);
    second.settle(5);
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    second.settle(7);
    second.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses past maxBytes with a typed error and counts it', () => {
    const journal = new IngestJournal(tempDir(), config({ maxBytes: 300 }));
    journal.append([event(1), event(2)]);
    expect(() => journal.append([event(3), event(4), event(5)])).toThrow(JournalFullError);
    expect(journal.stats().refused).toBe(3);
    expect(journal.full()).toBe(false);
    journal.close();
  });

  it('skips and counts a torn last line', () => {
    const dir = tempDir();
    const first = new IngestJournal(dir, config({ segmentBytes: 1_000_000, fsync: 'always' }));
    first.append([event(1), event(2)]);
    const [name] = readdirSync(dir);
    appendFileSync(join(dir, name as string), '{"id":"ev-3","timest');
    const second = new IngestJournal(dir, config());
    expect(second.recover().map((e) => e.id)).toEqual(['ev-1', 'ev-2']);
    expect(second.stats().corruptLines).toBe(1);
  });

  it('flushes in the background every interval, also while segments rotate and are pruned, losing nothing', async () => {
    const dir = tempDir();
    const journal = new IngestJournal(dir, config({ fsync: 'interval', fsyncIntervalMs: 2, segmentBytes: 2000 }));
    let n = 0;
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 5; i++) journal.append([event(++n)]);
      if (round % 10 === 9) journal.settle(n - 5);
      await new Promise((r) => setTimeout(r, 3));
    }
    expect(journal.stats().segments).toBeGreaterThan(0);
    // The process dies without close(): what was not settled is all there, in order.
    const recovered = new IngestJournal(dir, config()).recover().map((e) => e.id);
    const settled = journal.stats().settled;
    expect(recovered.slice(-(n - settled))).toEqual(Array.from({ length: n - settled }, (_, i) => `ev-${settled + i + 1}`));
    journal.close();
    expect(readdirSync(dir).length).toBeGreaterThan(0);
  });
});
