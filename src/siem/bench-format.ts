import { formatCef } from './formatters/cef.js';
import { formatEcsBulk } from './formatters/ecs.js';
import { formatHecBatch } from './formatters/hec.js';
import { formatHttpJsonBody } from './formatters/http-json.js';
import { formatLeef } from './formatters/leef.js';
import { formatSentinelBody } from './formatters/sentinel.js';
import { formatRfc3164, formatRfc5424 } from './formatters/syslog.js';
import { fromDetectionRecord, type SiemRecord } from './record.js';
import { detection, eventRecord, hostileDetection } from './test-fixtures.js';

export interface FormatThroughput {
  format: string;
  records: number;
  seconds: number;
  recordsPerSecond: number;
}

/**
 * Formatted records per second for each format, single-threaded, on a mix
 * of detections (one hostile), events and closed detections. For
 * `npm run bench`: prints nothing itself, asserts nothing.
 */
export function benchFormats(n = 100_000): FormatThroughput[] {
  const sample: SiemRecord[] = [];
  for (let i = 0; i < 64; i++) {
    if (i % 16 === 0) sample.push(hostileDetection);
    else if (i % 4 === 0) sample.push(eventRecord);
    else sample.push(fromDetectionRecord({ status: i % 2 === 0 ? 'open' : 'closed', detection: detection({ id: `det-${i}`, sourceIp: `203.0.113.${i}` }) }));
  }
  const syslog = { hostname: 'bench', procId: '1' };
  const single: Record<string, (r: SiemRecord) => string> = {
    cef: (r) => formatCef(r),
    leef: (r) => formatLeef(r),
    'rfc5424+json': (r) => formatRfc5424(r, { ...syslog, body: 'json' }),
    'rfc5424+cef': (r) => formatRfc5424(r, { ...syslog, body: 'cef' }),
    'rfc3164+leef': (r) => formatRfc3164(r, { ...syslog, body: 'leef' }),
  };
  // Batch formats are measured per batch of 100 (how they are sent), reported per record.
  const batch: Record<string, (rs: SiemRecord[]) => string> = {
    'splunk-hec': (rs) => formatHecBatch(rs, { host: 'bench' }),
    'ecs-bulk': (rs) => formatEcsBulk(rs, { index: 'logs-vigil.alerts-default' }),
    sentinel: (rs) => formatSentinelBody(rs),
    'http-json': (rs) => formatHttpJsonBody(rs),
  };
  const results: FormatThroughput[] = [];
  let sink = 0;
  for (const [format, fn] of Object.entries(single)) {
    for (let i = 0; i < 1000; i++) sink += fn(sample[i % sample.length] as SiemRecord).length; // warm-up
    const started = performance.now();
    for (let i = 0; i < n; i++) sink += fn(sample[i % sample.length] as SiemRecord).length;
    const seconds = (performance.now() - started) / 1000;
    results.push({ format, records: n, seconds, recordsPerSecond: Math.round(n / seconds) });
  }
  const batches: SiemRecord[][] = [];
  for (let i = 0; i < sample.length; i++) batches.push(Array.from({ length: 100 }, (_, j) => sample[(i + j) % sample.length] as SiemRecord));
  for (const [format, fn] of Object.entries(batch)) {
    for (let i = 0; i < 20; i++) sink += fn(batches[i % batches.length] as SiemRecord[]).length;
    const rounds = Math.max(1, Math.floor(n / 100));
    const started = performance.now();
    for (let i = 0; i < rounds; i++) sink += fn(batches[i % batches.length] as SiemRecord[]).length;
    const seconds = (performance.now() - started) / 1000;
    results.push({ format, records: rounds * 100, seconds, recordsPerSecond: Math.round((rounds * 100) / seconds) });
  }
  if (sink < 0) throw new Error('unreachable');
  return results;
}
