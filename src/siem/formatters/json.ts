import { VERSION } from '../../core/version.js';
import { recordId, recordSummary, recordTime, recordType, type SiemRecord } from '../record.js';
import { truncateChars } from './truncate.js';

/** The raw original record is kept but cut, so one huge log line cannot bloat a batch. */
export const RAW_LIMIT = 8192;

/**
 * Vigil's own JSON shape for a record: the envelope every JSON-speaking
 * destination gets (Splunk `event`, generic HTTP, syslog JSON bodies).
 * Field names are stable; the payload is the core type as-is.
 */
export interface VigilJsonDocument {
  schema: 'vigil.siem/1';
  id: string;
  kind: SiemRecord['kind'];
  status?: 'open' | 'closed';
  severity: SiemRecord['severity'];
  time: string;
  type: string;
  summary: string;
  product: { name: 'Vigil'; version: string };
  detection?: unknown;
  event?: unknown;
  decision?: unknown;
}

export function formatJsonDocument(record: SiemRecord, version: string = VERSION): VigilJsonDocument {
  const doc: VigilJsonDocument = {
    schema: 'vigil.siem/1',
    id: recordId(record),
    kind: record.kind,
    severity: record.severity,
    time: new Date(recordTime(record)).toISOString(),
    type: recordType(record),
    summary: recordSummary(record),
    product: { name: 'Vigil', version },
  };
  if (record.kind === 'detection') {
    doc.status = record.status;
    doc.detection = record.detection;
  } else if (record.kind === 'event') {
    const raw = record.event.raw;
    doc.event = raw !== undefined && raw.length > RAW_LIMIT ? { ...record.event, raw: truncateChars(raw, RAW_LIMIT) } : record.event;
  } else {
    doc.decision = record.decision;
  }
  return doc;
}

/** One line of JSON (no newline inside: JSON.stringify escapes control characters). */
export function formatJsonLine(record: SiemRecord): string {
  return JSON.stringify(formatJsonDocument(record));
}
