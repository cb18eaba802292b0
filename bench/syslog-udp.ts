/**
 * Syslog over UDP on loopback: how fast can datagrams arrive without loss?
 * A sender paces N datagrams (RFC 3164 sshd lines) at a target rate to the
 * real SyslogSource (default socket buffer) feeding a real pipeline; for each
 * rate we count sent, received by the source, processed by the pipeline and
 * dropped (by the source's bound, and by the kernel: sent − received).
 * Reported: every rate tried, and the highest with zero loss.
 *
 *   node dist/bench/syslog-udp.js [--seconds 1]   (also part of npm run bench)
 */
import { Worker } from 'node:worker_threads';
import { systemClock } from '../src/core/clock.js';
import { IdGenerator } from '../src/core/ids.js';
import { silentLogger } from '../src/core/logger.js';
import { DetectionOutputs } from '../src/pipeline/detection-outputs.js';
import { Pipeline } from '../src/pipeline/pipeline.js';
import { SourceCounters } from '../src/sources/line-ingestor.js';
import { SyslogSource } from '../src/sources/syslog.js';

const RATES = [1_000, 2_000, 5_000, 10_000, 20_000, 40_000, 80_000];

interface RateResult {
  rate: number;
  sent: number;
  received: number;
  processed: number;
  droppedBySource: number;
  lostInKernel: number;
  achievedRate: number;
}

/** Paces `total` datagrams at `rate`/s to the port, then reports how many and how long. */
const SENDER = `
const { createSocket } = require('node:dgram');
const { parentPort, workerData } = require('node:worker_threads');
const { port, rate, total, lines } = workerData;
const payloads = lines.map((l) => Buffer.from(l));
const socket = createSocket('udp4');
let sent = 0;
let done = 0;
let failed = 0;
let sendSeconds = 0;
const started = performance.now();
// Close only once every send has completed: closing earlier cancels the ones still queued.
const finished = (err) => {
  if (err) failed++;
  if (++done === total) socket.close(() => parentPort.postMessage({ sent: sent - failed, sendSeconds }));
};
const step = () => {
  const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
  while (sent < due) {
    socket.send(payloads[sent % payloads.length], port, '127.0.0.1', finished);
    sent++;
  }
  if (sent < total) return setImmediate(step);
  sendSeconds = (performance.now() - started) / 1000;
};
step();
`;

function line(i: number): string {
  return `<38>Jan  1 00:00:${String(i % 60).padStart(2, '0')} bastion sshd[${1000 + (i % 9000)}]: Failed password for invalid user u${i % 5000} from 198.51.${(i >> 8) & 255}.${i & 255} port ${40000 + (i % 20000)} ssh2`;
}

async function oneRate(rate: number, seconds: number, receiveBufferBytes: number | undefined): Promise<RateResult> {
  const pipeline = new Pipeline({
    config: { queueCapacity: 100_000, batchSize: 512, outputQueueCapacity: 10_000, maxFutureSkewSeconds: 1e9, maxLatenessSeconds: 60, retryAfterSeconds: 1 },
    detectors: [],
    outputs: new DetectionOutputs([], 10_000),
    clock: systemClock,
    mode: 'live',
  });
  const counters = new SourceCounters();
  const source = new SyslogSource(
    { type: 'syslog', name: 'bench-udp', protocol: 'udp', host: '127.0.0.1', port: 0, input: 'syslog', maxMessageBytes: 65_536, receiveBufferBytes },
    { pipeline, ids: new IdGenerator('ev', 'b'), now: () => Date.now(), logger: silentLogger, counters, dataDir: '/tmp' },
    512,
  );
  await source.start();
  const port = source.address?.port ?? 0;
  const total = Math.round(rate * seconds);
  // The sender runs in its own thread (its own event loop), like a remote syslog client.
  const { sent, sendSeconds } = await new Promise<{ sent: number; sendSeconds: number }>((resolve, reject) => {
    const worker = new Worker(SENDER, { eval: true, workerData: { port, rate, total, lines: Array.from({ length: 1000 }, (_, i) => line(i)) } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const counts = counters.for('bench-udp');
  const received = () => counts.events + counts.skipped + counts.errors - source.droppedDatagrams;
  // Wait until nothing more arrives (200 ms quiet), then until everything is processed.
  let last = -1;
  while (received() !== last) {
    last = received();
    await new Promise((r) => setTimeout(r, 200));
  }
  await source.stop();
  await pipeline.idle();
  await pipeline.stop();
  const got = received() + source.droppedDatagrams;
  return {
    rate,
    sent,
    received: got,
    processed: pipeline.stats.processed,
    droppedBySource: source.droppedDatagrams,
    lostInKernel: sent - got,
    achievedRate: sent / sendSeconds,
  };
}

export async function benchSyslogUdp(seconds = 1, receiveBufferBytes?: number): Promise<[string, string][]> {
  const rows: [string, string][] = [];
  let best = 0;
  for (const rate of RATES) {
    const r = await oneRate(rate, seconds, receiveBufferBytes);
    const loss = r.droppedBySource + r.lostInKernel;
    rows.push([
      `${rate.toLocaleString('en')}/s target (${Math.round(r.achievedRate).toLocaleString('en')}/s sent)`,
      `sent ${r.sent}, received ${r.received}, processed ${r.processed}, dropped by source ${r.droppedBySource}, lost in kernel ${r.lostInKernel}`,
    ]);
    if (loss === 0 && r.processed === r.sent) best = Math.max(best, Math.round(r.achievedRate));
  }
  rows.push(['highest rate with 0 loss', best > 0 ? `${best.toLocaleString('en')} datagrams/s` : 'none of the rates tried']);
  return rows;
}

if (process.argv[1]?.endsWith('syslog-udp.js')) {
  const i = process.argv.indexOf('--seconds');
  const b = process.argv.indexOf('--buffer');
  const rows = await benchSyslogUdp(i >= 0 ? Number(process.argv[i + 1]) : 1, b >= 0 ? Number(process.argv[b + 1]) : undefined);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}
