/**
 * npm run bench: the full pipeline (parse → window → detect → decide) in
 * replay mode on one core, next to a split + JSON.parse loop over the same
 * in-memory input, measured in the same run.
 *
 *   node dist/bench/run.js [--events N] [--ips N] [--attackers N] [--rounds N]
 *                          [--pg-url postgres://…] [--store-only]
 *
 * --pg-url also measures inserts into that PostgreSQL database (a throw-away
 * one: the bench creates its tables there); --store-only runs only the store part.
 */
import { spawnSync } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { loadConfig, type VigilConfig } from '../src/core/config.js';
import { nativeJsonParser } from '../src/parsers/native-json.js';
import { replay } from '../src/pipeline/replay.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpInfo } from '../src/core/event.js';
import { classifyHttp } from '../src/detect/web/classify.js';
import { DecisionStore } from '../src/respond/decisions.js';
import { benchFormats } from '../src/siem/bench-format.js';
import { benchInsert, openStore } from '../src/store/index.js';
import type { MemoryFigures } from './memory.js';
import { prng, syntheticLogins } from './synthetic-logins.js';
import type { SecurityEvent } from '../src/core/event.js';
import { IdGenerator } from '../src/core/ids.js';
import { EventMetrics } from '../src/metrics/event-metrics.js';
import { Registry } from 'prom-client';
import { benchIoc } from './ioc.js';
import { runLoadBench } from './load.js';
import { benchSyslogUdp } from './syslog-udp.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const PG_URL = stringArg('pg-url');
const STORE_ONLY = process.argv.includes('--store-only');
const EVENTS = arg('events', 1_000_000);
const IPS = arg('ips', 100_000);
const ATTACKERS = arg('attackers', 1_000);
const ROUNDS = arg('rounds', 3);
const CHUNK = 1 << 20;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function chunksOf(buffer: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += CHUNK) chunks.push(buffer.subarray(i, i + CHUNK));
  return chunks;
}

/** The ceiling: decode chunks, split lines, JSON.parse each; nothing else. */
function splitParseLoop(chunks: Buffer[]): { seconds: number; count: number } {
  const started = performance.now();
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let count = 0;
  for (const chunk of chunks) {
    const text = carry + decoder.write(chunk);
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      if (nl > start && JSON.parse(text.slice(start, nl)) !== null) count++;
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  if (carry.length > 0 && JSON.parse(carry) !== null) count++;
  return { seconds: (performance.now() - started) / 1000, count };
}

async function main(): Promise<void> {
  if (STORE_ONLY) {
    print([{ label: 'audit store inserts (SQLite file, batched)', rows: await benchSqlite() }]);
    if (PG_URL !== undefined) print([{ label: 'audit store inserts (PostgreSQL, batched)', rows: await benchPostgres(PG_URL) }]);
    return;
  }
  process.stdout.write(`generating ${EVENTS.toLocaleString('en')} login events, ${IPS.toLocaleString('en')} IPs, ${ATTACKERS} attackers (seed 42)…\n`);
  const stream = syntheticLogins({ events: EVENTS, ips: IPS, attackers: ATTACKERS, seed: 42, start: Date.parse('2026-01-01T00:00:00Z'), gapMs: 50 });
  const input = Buffer.from(stream.lines.join('\n') + '\n');
  stream.lines.length = 0;
  const chunks = chunksOf(input);
  const { config: allDetectors } = loadConfig({ env: {}, cwd: '/' });
  // The foundation's pipeline: parse, validate, one windowed detector (brute force), emit.
  const bruteForceOnly = structuredClone(allDetectors);
  for (const [name, detector] of Object.entries(bruteForceOnly.detectors)) (detector as { enabled: boolean }).enabled = name === 'bruteForce';
  process.stdout.write(`input: ${(input.length / 1048576).toFixed(1)} MiB NDJSON in ${chunks.length} chunks of 1 MiB\n\n`);

  const results = [] as { label: string; rows: [string, string][] }[];
  for (const [label, config] of [
    ['brute force only (foundation pipeline)', bruteForceOnly],
    ['all detectors (default configuration)', allDetectors],
  ] as const) {
    results.push({ label, rows: await measure(config, chunks, stream.attackerIps, input.length) });
  }
  results.push({ label: 'per-event metrics (EventMetrics.observeBatch, 512-event batches)', rows: await benchEventMetrics(input, allDetectors) });
  results.push({ label: 'web-attack classifier (one core)', rows: benchWebClassifier() });
  results.push({ label: 'decision lookups (GET /api/v1/decisions?ip= answers from this)', rows: benchDecisionLookups(allDetectors) });
  results.push({ label: 'SIEM formatters (records/s, one core)', rows: benchFormats(20_000).map((f) => [f.format, Math.round(f.recordsPerSecond).toLocaleString('en')]) });
  results.push({ label: 'audit store inserts (SQLite file, batched)', rows: await benchSqlite() });
  results.push({ label: 'detector memory: 1M distinct IPs and 1M users tracked, all detectors (own process)', rows: benchDetectorMemory() });
  results.push({ label: 'threat intelligence: 1M mixed IOCs, matcher (one core)', rows: await benchIoc() });
  results.push({ label: 'syslog UDP ingest on loopback (datagrams, default socket buffer)', rows: await benchSyslogUdp() });
  results.push({ label: 'syslog UDP ingest on loopback (datagrams, receiveBufferBytes 4 MiB)', rows: await benchSyslogUdp(1, 4 << 20) });
  if (PG_URL !== undefined) results.push({ label: 'audit store inserts (PostgreSQL, batched)', rows: await benchPostgres(PG_URL) });
  print(results);
  // Over HTTP against a separate Vigil process (bench/load.ts); --no-load skips it, --report updates the README.
  if (!process.argv.includes('--no-load')) await runLoadBench(process.argv);
}

function print(results: { label: string; rows: [string, string][] }[]): void {
  for (const { label, rows } of results) {
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\n== ${label}\n`);
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  }
}

/**
 * What counting security_events_total, login_* and friends adds per event:
 * the first 500,000 events of the stream, parsed beforehand, counted in
 * 512-event batches (as the pipeline hands them over), with an incident-level
 * lookup per source IP; no GeoIP (the synthetic addresses are shared address
 * space, which GeoIP never places). Then one scrape of the registry.
 */
async function benchEventMetrics(input: Buffer, config: VigilConfig): Promise<[string, string][]> {
  const lines = input.toString('utf8', 0, Math.min(input.length, 150 * 1048576)).split('\n', 500_000);
  const ctx = { ids: new IdGenerator('b'), now: () => 0, labels: { source: 'bench' } };
  const events: SecurityEvent[] = [];
  for (const line of lines) {
    const event = line === '' ? undefined : nativeJsonParser.parse(line, ctx).event;
    if (event !== undefined) events.push(event);
  }
  const levels = new Map<string, 'HIGH'>();
  for (let i = 0; i < events.length; i += 997) levels.set((events[i] as SecurityEvent).sourceIp, 'HIGH');
  let seconds = Infinity;
  let metrics: EventMetrics | undefined;
  for (let round = 0; round < 3; round++) {
    metrics = new EventMetrics({ ...config.metrics, countryLookup: false }, { levelOf: (ip) => levels.get(ip) });
    const started = performance.now();
    for (let i = 0; i < events.length; i += 512) metrics.observeBatch(events.slice(i, i + 512), 0.001);
    seconds = Math.min(seconds, (performance.now() - started) / 1000);
  }
  const registry = new Registry();
  metrics?.register(registry);
  const scrapeStarted = performance.now();
  const text = await registry.metrics();
  const scrapeMs = performance.now() - scrapeStarted;
  return [
    ['events counted', `${events.length.toLocaleString('en')} × 3 passes (slicing the batches included)`],
    ['mean per event (best pass)', `${((seconds / events.length) * 1e9).toFixed(0)} ns`],
    ['scrape (capped at 1,000 networks)', `${scrapeMs.toFixed(1)} ms, ${(text.length / 1024).toFixed(0)} KiB`],
  ];
}

/** Requests shaped like access-log traffic: mostly ordinary pages and parameters, 2 % attacks. */
function benchWebClassifier(): [string, string][] {
  const random = prng(5);
  const benign = ['/', '/products', '/search', '/cart/add', '/api/v1/items', '/static/app.js', '/login'];
  const attacks = ["id=1' UNION SELECT password FROM users--", 'q=<script>alert(1)</script>', 'file=../../../../etc/passwd', 'host=127.0.0.1;cat /etc/passwd'];
  const requests: HttpInfo[] = [];
  for (let i = 0; i < 100_000; i++) {
    const attack = random() < 0.02;
    requests.push({
      method: 'GET',
      path: benign[i % benign.length] as string,
      query: attack
        ? encodeURI(attacks[i % attacks.length] as string)
        : `page=${i % 50}&sort=name&q=${['shoes', 'red dress', "o'brien", 'select a plan', 'usb-c cable'][i % 5]}&ref=${i}`,
    });
  }
  let found = 0;
  let seconds = Infinity;
  // Three passes (the first one also warms the JIT); the best is the steady-state rate.
  for (let round = 0; round < 3; round++) {
    found = 0;
    const started = performance.now();
    for (const request of requests) if (classifyHttp(request).attack !== null) found++;
    seconds = Math.min(seconds, (performance.now() - started) / 1000);
  }
  return [
    ['requests classified', `${requests.length.toLocaleString('en')} × 3 passes`],
    ['requests/s (best pass)', Math.round(requests.length / seconds).toLocaleString('en')],
    ['flagged', `${found} (about 2 % planted)`],
  ];
}

/** 100,000 active blocks (and 1,000 ranges), then lookups of blocked and unblocked addresses. */
function benchDecisionLookups(config: VigilConfig): [string, string][] {
  const store = new DecisionStore({ config: config.response.decisions });
  const now = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < 100_000; i++) store.add({ value: `100.${64 + ((i >>> 16) & 63)}.${(i >>> 8) & 255}.${i & 255}`, durationMs: 3_600_000, reason: 'bench', origin: 'bench' }, now);
  for (let i = 0; i < 1_000; i++) store.add({ value: `198.${18 + (i >>> 8)}.${i & 255}.0/24`, durationMs: 3_600_000, reason: 'bench', origin: 'bench' }, now);
  const lookups = 1_000_000;
  let hits = 0;
  const started = performance.now();
  for (let i = 0; i < lookups; i++) {
    const ip = i % 2 === 0 ? `100.${64 + ((i >>> 16) & 63)}.${(i >>> 8) & 255}.${i & 255}` : `203.0.${(i >>> 8) & 255}.${i & 255}`;
    if (store.lookup(ip, now + 1000) !== undefined) hits++;
  }
  const seconds = (performance.now() - started) / 1000;
  return [
    ['active decisions', '101,000 (100,000 IPs, 1,000 ranges)'],
    ['lookups/s', Math.round(lookups / seconds).toLocaleString('en')],
    ['mean per lookup', `${((seconds / lookups) * 1e6).toFixed(2)} µs`],
    ['hits', hits.toLocaleString('en')],
  ];
}

/** In a child process, so that its RSS is the detectors' alone. */
function benchDetectorMemory(): [string, string][] {
  const script = fileURLToPath(new URL('./memory.js', import.meta.url));
  const child = spawnSync(process.execPath, ['--expose-gc', script, 'all', '1000000'], { encoding: 'utf8' });
  if (child.status !== 0) return [['error', (child.stderr || `exit ${String(child.status)}`).trim()]];
  const figures = JSON.parse(child.stdout) as MemoryFigures;
  return [
    ['tracked keys', figures.tracked],
    ['heap held by detector state', `${figures.heapMiB} MiB`],
    ['typed arrays held by detector state (outside the heap)', `${figures.arrayBuffersMiB} MiB`],
    ['process RSS', `${figures.rssMiB} MiB`],
  ];
}

async function benchSqlite(): Promise<[string, string][]> {
  return benchStore(undefined);
}

/** Into a PostgreSQL database (migrated first; rows are left behind: use a throw-away database). */
async function benchPostgres(url: string): Promise<[string, string][]> {
  return benchStore(url);
}

/** Three rounds of 100,000 events into one store (the tables grow to 300,000 rows); best and last round. */
async function benchStore(url: string | undefined): Promise<[string, string][]> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
  // VIGIL_STORE_* variables apply (e.g. VIGIL_STORE_SQLITE_WRITE_THREAD=false to compare).
  const { config } = loadConfig({ env: process.env, cwd: dir, overrides: { dataDir: dir, ...(url === undefined ? {} : { 'store.url': url }) } });
  const store = await openStore(config.store, dir);
  try {
    const rates = [];
    for (let round = 0; round < 3; round++) rates.push(await benchInsert(store, 100_000, `bench${round}`));
    const fmt = (n: number) => Math.round(n).toLocaleString('en');
    const rows: [string, string][] = [
      ['events/s, best of 3 × 100,000', fmt(Math.max(...rates.map((r) => r.perSecond)))],
      ['events/s per round (tables grow to 300,000 rows)', rates.map((r) => fmt(r.perSecond)).join(' / ')],
    ];
    if (url === undefined) rows.push(['events per CPU-second of the process, per round', rates.map((r) => fmt(r.perCpuSecond)).join(' / ')]);
    rows.push(['batch size (store.batchSize)', String(config.store.batchSize)]);
    return rows;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(config: VigilConfig, chunks: Buffer[], attackerIps: string[], inputBytes: number): Promise<[string, string][]> {
  let bestBaseline = Infinity;
  let bestPipeline = Infinity;
  let latencies: number[] = [];
  let detections = 0;
  const found = new Set<string>();
  let peakRss = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const baseline = splitParseLoop(chunks);
    bestBaseline = Math.min(bestBaseline, baseline.seconds);

    const roundLatencies: number[] = [];
    found.clear();
    const summary = await replay(
      (async function* () {
        yield* chunks;
      })(),
      {
        parser: nativeJsonParser,
        config,
        onDetection: (d) => {
          if (d.sourceIp !== undefined) found.add(d.sourceIp);
        },
        onBatch: (ms, n) => roundLatencies.push((ms * 1000) / n),
      },
    );
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (summary.events !== EVENTS || summary.errors !== 0) throw new Error(`replay saw ${summary.events} events, ${summary.errors} errors`);
    detections = summary.detections;
    if (summary.seconds < bestPipeline) {
      bestPipeline = summary.seconds;
      latencies = roundLatencies;
    }
    process.stdout.write(
      `${config.detectors.credentialStuffing.enabled ? 'all detectors' : 'brute force'} round ${round}: split+JSON.parse ${Math.round(baseline.count / baseline.seconds).toLocaleString('en')} ev/s; ` +
        `pipeline ${Math.round(EVENTS / summary.seconds).toLocaleString('en')} ev/s\n`,
    );
  }
  latencies.sort((a, b) => a - b);
  const attackers = new Set(attackerIps);
  const caught = [...attackers].filter((ip) => found.has(ip)).length;
  const benignFlagged = [...found].filter((ip) => !attackers.has(ip)).length;

  const baselineRate = EVENTS / bestBaseline;
  const pipelineRate = EVENTS / bestPipeline;
  const rows: [string, string][] = [
    ['events', EVENTS.toLocaleString('en')],
    ['split + JSON.parse only (best of rounds)', `${Math.round(baselineRate).toLocaleString('en')} events/s`],
    ['full pipeline, replay, one core (best)', `${Math.round(pipelineRate).toLocaleString('en')} events/s`],
    ['pipeline / split+parse', `${((pipelineRate / baselineRate) * 100).toFixed(1)} %`],
    ['per-event latency in a 512-event batch p50', `${percentile(latencies, 50).toFixed(2)} µs`],
    ['… p99', `${percentile(latencies, 99).toFixed(2)} µs`],
    ['… p99.9', `${percentile(latencies, 99.9).toFixed(2)} µs`],
    ['batch latency p99 (512 events)', `${((percentile(latencies, 99) * 512) / 1000).toFixed(2)} ms`],
    ['detections', `${detections} (planted attackers caught ${caught}/${attackers.size}, other IPs flagged ${benignFlagged})`],
    ['peak RSS', `${Math.round(peakRss / 1048576)} MiB (input held in memory: ${Math.round(inputBytes / 1048576)} MiB)`],
  ];
  return rows;
}

await main();
