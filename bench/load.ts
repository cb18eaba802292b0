/**
 * Load bench (part of `npm run bench`; alone: `npm run bench:load`):
 *
 * 1. Vigil runs as a child process (`vigil run`, SQLite store, ingest journal,
 *    defaults otherwise) pinned to one core with taskset when available.
 * 2. A second process (bench/load-generator.ts, autocannon) posts login events
 *    at a fixed rate (default 10,000 events/s, one event per request) for
 *    --duration seconds (default 60).
 * 3. Meanwhile this process probes ingest→decision latency: every 100 ms a
 *    fresh address posts 4 failures, then the clock starts and the 5th
 *    failure (the brute-force threshold) is posted; the clock stops when the
 *    block decision for that address arrives on the decisions long-poll
 *    stream (GET /api/v1/decisions/stream?wait=). End to end, over HTTP.
 * 4. CPU and RSS of the child come from /proc/<pid>/stat and status; drops
 *    from autocannon (non-2xx, errors, timeouts) and Vigil's own /metrics.
 * 5. Then the max sustainable batched NDJSON ingest rate: senders post
 *    5,000-event NDJSON bodies as fast as Vigil answers (503 backpressure
 *    included) for --ndjson-seconds; the figure is events processed per second.
 *
 *   node dist/bench/load.js [--duration 60] [--rate 10000] [--connections 64] [--batch 1] [--ndjson-seconds 20] [--report]
 *
 * --report writes the summary table into README.md between
 * <!-- bench-report:start --> and <!-- bench-report:end -->.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const root = new URL('../..', import.meta.url).pathname;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), p999: at(0.999), max: sorted[sorted.length - 1] ?? Number.NaN };
}

async function startVigil(dataDir: string, core: number | undefined): Promise<{ child: ChildProcess; url: string }> {
  const config = join(dataDir, 'vigil.yaml');
  writeFileSync(
    config,
    [
      `dataDir: ${dataDir}`,
      'server: { port: 0, rateLimit: { ingest: 100000000, read: 100000000 } }',
      'log: { level: warn }',
      '',
    ].join('\n'),
  );
  // VIGIL_BENCH_NODE_ARGS: extra node flags for the Vigil process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p" or "--trace-gc").
  const nodeArgs = (process.env.VIGIL_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const command = [process.execPath, ...nodeArgs, join(root, 'bin/vigil.js'), 'run', '-c', config];
  const pinned = core !== undefined && existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', String(core), ...command] : command;
  const child = spawn(pinned[0] as string, pinned.slice(1), { stdio: ['ignore', process.env.VIGIL_BENCH_STDOUT ? openSync(process.env.VIGIL_BENCH_STDOUT, 'w') : 'ignore', 'pipe'], env: { ...process.env, VIGIL_LOG_LEVEL: 'info' } });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as { msg: string; address?: string };
      if (entry.msg === 'vigil started' && entry.address !== undefined) resolve(entry.address);
    });
    child.once('exit', (code) => reject(new Error(`vigil exited with ${String(code)}`)));
  });
  return { child, url };
}

/** utime+stime in seconds and RSS in bytes of a process, from /proc. */
function procSample(pid: number): { cpuSeconds: number; rssBytes: number; peakRssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpuSeconds: ticks / 100, rssBytes: kb('VmRSS') * 1024, peakRssBytes: kb('VmHWM') * 1024 };
}

/** The node process itself when started through taskset (taskset execs, so the pid is the same). */
async function metrics(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const space = line.lastIndexOf(' ');
    const name = line.slice(0, space);
    values.set(name, (values.get(name) ?? 0) + Number(line.slice(space + 1)));
  }
  return values;
}

function sum(values: Map<string, number>, prefix: string): number {
  let total = 0;
  for (const [name, v] of values) if (name === prefix || name.startsWith(`${prefix}{`)) total += v;
  return total;
}

/** Decisions as they arrive on the long-poll stream: address → arrival time (performance.now()). */
function watchDecisions(url: string): { seen: Map<string, number>; stop(): void } {
  const seen = new Map<string, number>();
  let running = true;
  void (async () => {
    let since = ((await (await fetch(`${url}/api/v1/decisions/stream?startup=true`)).json()) as { lastSeq: number }).lastSeq;
    while (running) {
      try {
        const answer = (await (await fetch(`${url}/api/v1/decisions/stream?since=${since}&wait=5`)).json()) as {
          new: { value: string }[];
          lastSeq: number;
        };
        const now = performance.now();
        for (const d of answer.new) if (!seen.has(d.value)) seen.set(d.value, now);
        since = answer.lastSeq;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  })();
  return { seen, stop: () => (running = false) };
}

async function post(url: string, events: unknown[]): Promise<number> {
  const response = await fetch(`${url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
  await response.arrayBuffer();
  return response.status;
}

/** Every 100 ms: 4 failures, then time the 5th until its block decision shows up on the stream. */
async function probeLatency(url: string, seconds: number): Promise<{ latencies: number[]; missed: number }> {
  const watcher = watchDecisions(url);
  const latencies: number[] = [];
  let missed = 0;
  const deadline = performance.now() + seconds * 1000;
  for (let k = 1; performance.now() < deadline; k++) {
    const ip = `198.18.${(k >> 8) & 255}.${k & 255}`;
    const failure = (i: number) => ({ eventType: 'LOGIN_FAILURE', sourceIp: ip, username: `probe${i}`, reason: 'INVALID_PASSWORD', timestamp: Date.now() });
    await post(url, [failure(1), failure(2), failure(3), failure(4)]);
    const started = performance.now();
    await post(url, [failure(5)]);
    const waitUntil = performance.now() + 5000;
    while (!watcher.seen.has(ip) && performance.now() < waitUntil) await new Promise((r) => setTimeout(r, 0.2));
    const arrived = watcher.seen.get(ip);
    if (arrived === undefined) missed++;
    else latencies.push(arrived - started);
    await new Promise((r) => setTimeout(r, 100));
  }
  watcher.stop();
  return { latencies, missed };
}

interface GeneratorResult {
  events: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  latency: { p50: number; p99: number; max: number };
}

function runGenerator(url: string, rate: number, seconds: number, connections: number, batch: number): Promise<GeneratorResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'dist/bench/load-generator.js'), url, String(rate), String(seconds), String(connections), String(batch)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as GeneratorResult) : reject(new Error(`load generator exited with ${String(code)}`))));
  });
}

/** NDJSON batches of 5,000 events from 4 senders, as fast as Vigil takes them. */
async function maxNdjsonRate(url: string, seconds: number): Promise<{ eventsPerSecond: number; refused: number }> {
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) {
    lines.push(
      JSON.stringify(
        i % 50 === 0
          ? { eventType: 'LOGIN_FAILURE', sourceIp: `203.0.113.${i % 200}`, username: `u${i % 997}`, reason: 'INVALID_PASSWORD', timestamp: Date.now() }
          : { eventType: 'LOGIN_SUCCESS', sourceIp: `10.2.${(i >> 8) & 255}.${i & 255}`, username: `u${i}`, timestamp: Date.now() },
      ),
    );
  }
  const body = lines.join('\n') + '\n';
  const before = await metrics(url);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let refused = 0;
  const sender = async () => {
    while (performance.now() < deadline) {
      const response = await fetch(`${url}/api/v1/events/ndjson`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
      if (response.status !== 202) refused++;
      await response.arrayBuffer();
    }
  };
  await Promise.all([sender(), sender(), sender(), sender()]);
  const elapsed = (performance.now() - started) / 1000;
  const after = await metrics(url);
  const processed = sum(after, 'vigil_pipeline_events_processed_total') - sum(before, 'vigil_pipeline_events_processed_total');
  return { eventsPerSecond: processed / elapsed, refused };
}

export interface LoadReport {
  duration: number;
  rate: number;
  batch: number;
  sent: number;
  acknowledged: number;
  httpFailures: number;
  latency: Percentiles;
  missedDecisions: number;
  requestLatencyP99Ms: number;
  cpuPercent: number;
  rssMiB: number;
  peakRssMiB: number;
  drops: number;
  processed: number;
  ndjsonEventsPerSecond: number;
  ndjsonRefusedRequests: number;
  pinned: boolean;
  /** 1-minute load average at the start and the end: the machine is shared, this says how much. */
  loadAverage: [number, number];
}

export async function runLoadBench(argv: string[] = process.argv): Promise<LoadReport> {
  const has = (flag: string) => argv.includes(flag);
  const duration = arg('duration', 60);
  const rate = arg('rate', 10_000);
  const connections = arg('connections', 64);
  const batch = arg('batch', 1);
  const ndjsonSeconds = arg('ndjson-seconds', 20);
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-load-'));
  // --no-pin: Vigil may use every core (its SQLite write thread then runs beside the event loop).
  const core = cpus().length > 1 && !has('--no-pin') ? cpus().length - 1 : undefined;
  const { child, url } = await startVigil(dataDir, core);
  const pid = child.pid as number;
  try {
    process.stdout.write(`\n== load: ${rate.toLocaleString('en')} login events/s for ${duration} s (${batch} per request, ${connections} connections) → ${url}\n`);
    const loadBefore = loadAverage();
    const cpuBefore = procSample(pid);
    const t0 = performance.now();
    let rssMax = 0;
    const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, procSample(pid).rssBytes)), 1000);
    const [generated, probe] = await Promise.all([runGenerator(url, rate, duration, connections, batch), probeLatency(url, duration - 1)]);
    clearInterval(rssTimer);
    const elapsed = (performance.now() - t0) / 1000;
    const cpuAfter = procSample(pid);
    // Let the queue drain, then read Vigil's own counters.
    await new Promise((r) => setTimeout(r, 2000));
    const m = await metrics(url);
    const drops =
      sum(m, 'vigil_ingest_rejected_total') + sum(m, 'vigil_pipeline_events_rejected_total') + sum(m, 'vigil_store_refused_rows_total') + sum(m, 'vigil_ingest_journal_refused_total');
    const ndjson = await maxNdjsonRate(url, ndjsonSeconds);
    const report: LoadReport = {
      duration,
      rate,
      batch,
      sent: generated.events,
      acknowledged: generated['2xx'] * batch,
      httpFailures: generated.non2xx + generated.errors + generated.timeouts,
      latency: percentiles(probe.latencies),
      missedDecisions: probe.missed,
      requestLatencyP99Ms: generated.latency.p99,
      cpuPercent: ((cpuAfter.cpuSeconds - cpuBefore.cpuSeconds) / elapsed) * 100,
      rssMiB: rssMax / 1048576,
      peakRssMiB: cpuAfter.peakRssBytes / 1048576,
      drops,
      processed: sum(m, 'vigil_pipeline_events_processed_total'),
      ndjsonEventsPerSecond: ndjson.eventsPerSecond,
      ndjsonRefusedRequests: ndjson.refused,
      pinned: core !== undefined,
      loadAverage: [loadBefore, loadAverage()],
    };
    printReport(report);
    if (has('--report')) writeReadme(report);
    return report;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

const fmt = (n: number, digits = 2) => n.toLocaleString('en', { maximumFractionDigits: digits });

function rows(r: LoadReport): [string, string][] {
  return [
    ['offered load', `${fmt(r.rate, 0)} login events/s for ${r.duration} s, ${r.batch} event(s) per request (autocannon, separate process)`],
    ['achieved rate (events sent / duration)', `${fmt(r.sent / r.duration, 0)} events/s`],
    ['events sent / acknowledged (2xx) / processed', `${fmt(r.sent, 0)} / ${fmt(r.acknowledged, 0)} / ${fmt(r.processed, 0)}`],
    ['drops (non-2xx, errors, timeouts; Vigil rejections)', `${fmt(r.httpFailures, 0)}; ${fmt(r.drops, 0)}`],
    [
      'ingest→decision latency p50 / p99 / p99.9 / max',
      `${fmt(r.latency.p50)} / ${fmt(r.latency.p99)} / ${fmt(r.latency.p999)} / ${fmt(r.latency.max)} ms (${r.latency.count} probes, ${r.missedDecisions} missed)`,
    ],
    ['HTTP request latency p99 (autocannon)', `${fmt(r.requestLatencyP99Ms)} ms`],
    ['Vigil CPU', `${fmt(r.cpuPercent, 0)} % of one core${r.pinned ? ' (pinned to one core with taskset)' : ''}`],
    ['Vigil RSS (max sampled / peak VmHWM)', `${fmt(r.rssMiB, 0)} / ${fmt(r.peakRssMiB, 0)} MiB`],
    ['machine load average (1 min) at start / end', `${fmt(r.loadAverage[0])} / ${fmt(r.loadAverage[1])} on ${cpus().length} cores (shared machine)`],
    ['max batched NDJSON ingest (one core)', `${fmt(r.ndjsonEventsPerSecond, 0)} events/s processed (5,000-event bodies, ${r.ndjsonRefusedRequests} requests answered 503)`],
  ];
}

function printReport(r: LoadReport): void {
  const table = rows(r);
  const width = Math.max(...table.map(([k]) => k.length));
  for (const [k, v] of table) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}

function writeReadme(r: LoadReport): void {
  const file = join(root, 'README.md');
  const text = readFileSync(file, 'utf8');
  const start = '<!-- bench-report:start -->';
  const end = '<!-- bench-report:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} markers`);
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Node ${process.versions.node}`;
  const table = ['| measure | result |', '|---|---|', ...rows(r).map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
  const block = `${start}\n_Generated by \`npm run bench -- --report\` on ${new Date().toISOString().slice(0, 10)} (${machine})._\n\n${table}\n${end}`;
  writeFileSync(file, text.slice(0, from) + block + text.slice(to + end.length));
  process.stdout.write('README.md: bench report updated\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runLoadBench().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
