import type { SiemRecord } from '../record.js';
import { recordTime } from '../record.js';
import { formatJsonDocument, type VigilJsonDocument } from './json.js';

/**
 * Splunk HTTP Event Collector, JSON event endpoint (`/services/collector/event`):
 * one object per event with `time` in epoch seconds (milliseconds as the
 * fraction), `host`, `source`, `sourcetype`, optional `index`, and `event`.
 * A batch is the objects concatenated, as the HEC docs show.
 */
export interface HecOptions {
  host: string;
  source?: string;
  /** Fixed sourcetype; by default `vigil:detection`, `vigil:event`, `vigil:decision`. */
  sourcetype?: string;
  index?: string;
}

export interface HecEvent {
  time: number;
  host: string;
  source: string;
  sourcetype: string;
  index?: string;
  event: VigilJsonDocument;
}

export function formatHecEvent(record: SiemRecord, options: HecOptions): HecEvent {
  const out: HecEvent = {
    time: Math.round(recordTime(record)) / 1000,
    host: options.host,
    source: options.source ?? 'vigil',
    sourcetype: options.sourcetype ?? `vigil:${record.kind}`,
    event: formatJsonDocument(record),
  };
  if (options.index !== undefined && options.index !== '') out.index = options.index;
  return out;
}

export function formatHecBatch(records: readonly SiemRecord[], options: HecOptions): string {
  let body = '';
  for (const record of records) body += JSON.stringify(formatHecEvent(record, options));
  return body;
}
