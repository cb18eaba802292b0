/**
 * The IOC matcher: load 1M mixed indicators (parse a feed document,
 * validate, insert), memory held, then IP lookups per second on one core,
 * and the per-event IOC enrichment. Run alone with `node dist/bench/ioc.js [--iocs N]`
 * (after `npm run build`) or as part of `npm run bench`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SecurityEvent } from '../src/core/event.js';
import { loadConfig } from '../src/core/config.js';
import { lookupIoc } from '../src/enrich/ioc-lookup.js';
import { parseTextFeed } from '../src/intel/feed-text.js';
import { IocManager } from '../src/intel/ioc-manager.js';
import { IocRepository } from '../src/intel/ioc-repository.js';
import { normalizeIoc, type IocDefaults } from '../src/intel/ioc.js';
import { IocMatcher } from '../src/intel/matcher.js';
import { openStore } from '../src/store/index.js';
import { prng } from './synthetic-logins.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const HEX = '0123456789abcdef';
function hex(random: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += HEX[Math.floor(random() * 16)];
  return s;
}

/** 1M lines shaped like a mixed feed: 45 % IPv4, 3 % IPv6, 5 % CIDR, 25 % domains, 10 % URLs, 12 % hashes. */
export function mixedIocs(count: number, seed = 7): string[] {
  const random = prng(seed);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    const a = (n: number) => Math.floor(random() * n);
    if (r < 0.45) lines.push(`${11 + a(200)}.${a(256)}.${a(256)}.${a(256)}`);
    else if (r < 0.48) lines.push(`2001:db8:${a(65536).toString(16)}:${a(65536).toString(16)}::${a(65536).toString(16)}`);
    else if (r < 0.53) lines.push(random() < 0.9 ? `${11 + a(200)}.${a(256)}.${a(256)}.0/${16 + a(9)}` : `2001:db8:${a(65536).toString(16)}::/${32 + a(17)}`);
    else if (r < 0.78) lines.push(`${hex(random, 6 + a(6))}.${['example', 'test', 'invalid'][a(3)]}`);
    else if (r < 0.88) lines.push(`http://${hex(random, 8)}.example/${hex(random, 10)}.php?id=${a(1000)}`);
    else lines.push(hex(random, [32, 40, 64][a(3)] as number));
  }
  return lines;
}

/** CPU seconds of this process since `from` (the machine may be shared: wall time then overstates the cost). */
function cpuSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1e6;
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;
const rate = (n: number, seconds: number) => Math.round(n / seconds).toLocaleString('en');

export async function benchIoc(count = 1_000_000, storeCount = 100_000): Promise<[string, string][]> {
  const lines = mixedIocs(count);
  const text = lines.join('\n');
  lines.length = 0;
  const defaults: IocDefaults = { threatType: 'malicious', confidence: 60, source: 'bench', ttlMs: 0 };
  const now = Date.parse('2026-01-01T00:00:00Z');

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const loadCpu = process.cpuUsage();
  const doc = parseTextFeed(text);
  const matcher = new IocMatcher();
  let invalid = 0;
  for (const entry of doc.entries) {
    try {
      matcher.set(normalizeIoc(entry, defaults, now));
    } catch {
      invalid++;
    }
  }
  const loadSeconds = (performance.now() - started) / 1000;
  const loadCpuSeconds = cpuSince(loadCpu);
  doc.entries.length = 0;
  gc();
  const heapHeld = process.memoryUsage().heapUsed - heapBefore;
  const rssHeld = process.memoryUsage().rss - rssBefore;
  const counts = matcher.counts();

  // IPv4 lookups: 1M addresses, about 10 % listed (exact or in a range), the rest not.
  const random = prng(11);
  const listed = [...matcher.all()].filter((i) => i.type === 'ipv4').map((i) => i.value);
  const generated: string[] = [];
  for (let i = 0; i < 1_000_000; i++) {
    generated.push(random() < 0.1 ? (listed[Math.floor(random() * listed.length)] as string) : `${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`);
  }
  // Events carry their IPs as flat strings (from JSON.parse or a parser's slice), not as the concatenation ropes built above.
  const probes = JSON.parse(JSON.stringify(generated)) as string[];
  let hits = 0;
  let best = Infinity;
  let bestCpu = Infinity;
  for (let round = 0; round < 5; round++) {
    hits = 0;
    const t = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < probes.length; i++) if (matcher.matchIp(probes[i] as string) !== undefined) hits++;
    best = Math.min(best, (performance.now() - t) / 1000);
    bestCpu = Math.min(bestCpu, cpuSince(cpu));
  }
  // Whole events: source IP, Host header, hash label.
  const events: SecurityEvent[] = probes.slice(0, 200_000).map((ip, i) => ({
    id: `e${i}`,
    timestamp: now,
    kind: 'http.request',
    sourceIp: ip,
    http: { method: 'GET', path: '/', headers: { host: i % 100 === 0 ? 'www.shop.example' : 'app.internal.test' } },
    labels: {},
  }));
  let eventBest = Infinity;
  let eventHits = 0;
  for (let round = 0; round < 3; round++) {
    eventHits = 0;
    const t = performance.now();
    for (const event of events) if (lookupIoc(matcher, event) !== undefined) eventHits++;
    eventBest = Math.min(eventBest, (performance.now() - t) / 1000);
  }

  const rows: [string, string][] = [
    ['indicators loaded (parse + validate + insert)', `${(count - invalid).toLocaleString('en')} of ${count.toLocaleString('en')} lines`],
    ['by type', Object.entries(counts).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ')],
    ['load time (wall / CPU)', `${loadSeconds.toFixed(2)} s / ${loadCpuSeconds.toFixed(2)} s CPU (${rate(count, loadSeconds)} indicators/s wall)`],
    ['memory held by the matcher', `heap ${mib(heapHeld)}, RSS +${mib(rssHeld)}`],
    ['IPv4 lookups/s, one core (best of 5 × 1M)', `${rate(probes.length, best)} wall, ${rate(probes.length, bestCpu)} per CPU-second (${hits.toLocaleString('en')} hits)`],
    ['event enrichment/s (IP + Host header)', `${rate(events.length, eventBest)} (${eventHits.toLocaleString('en')} hits)`],
  ];

  // The store path: upserts into a SQLite file (a feed import writes there first).
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-ioc-'));
  try {
    const { config } = loadConfig({ env: {}, cwd: dir, overrides: { dataDir: dir } });
    const store = await openStore(config.store, dir);
    try {
      const manager = new IocManager(new IocRepository(store.db, store.kind), { now: () => now });
      const inputs = mixedIocs(storeCount, 13).map((value) => ({ value }));
      const t = performance.now();
      const report = await manager.import(inputs, defaults);
      const importSeconds = (performance.now() - t) / 1000;
      const reload = new IocManager(new IocRepository(store.db, store.kind), { now: () => now });
      const t2 = performance.now();
      const loaded = await reload.load();
      const loadStoreSeconds = (performance.now() - t2) / 1000;
      rows.push(
        [`store import, SQLite file (${storeCount.toLocaleString('en')} new)`, `${importSeconds.toFixed(2)} s (${rate(report.inserted, importSeconds)} indicators/s)`],
        ['matcher load from the store (start-up)', `${loadStoreSeconds.toFixed(2)} s (${rate(loaded, loadStoreSeconds)} indicators/s)`],
      );
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const i = process.argv.indexOf('--iocs');
  const rows = await benchIoc(i >= 0 ? Number(process.argv[i + 1]) : 1_000_000);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}
