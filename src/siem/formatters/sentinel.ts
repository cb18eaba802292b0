import { isIP } from 'node:net';
import { attackTechniqueFor } from '../attack-mapping.js';
import { recordId, recordSummary, recordTime, recordType, recordSourceIp, recordUsername, type SiemRecord } from '../record.js';
import { SEVERITY_NAME } from '../severity.js';
import { truncateChars } from './truncate.js';

/**
 * Microsoft Sentinel / Azure Monitor Logs Ingestion API: one row per
 * record, sent as a JSON array to a data collection rule (DCR) stream. The
 * DCR's stream declaration must list these columns (`SENTINEL_STREAM_COLUMNS`
 * below is that declaration, ready to paste); a transformation in the DCR
 * can map them onto a custom table (`…_CL`) or ASIM columns.
 *
 * Column names avoid the names Log Analytics reserves (`Type`, `TenantId`,
 * `_ResourceId`, …). String columns are cut at 32 KiB (Log Analytics'
 * per-column string limit); `Evidence` and `Details` are `dynamic`.
 */
const STRING_LIMIT = 32_000;

export interface SentinelRow {
  TimeGenerated: string;
  RecordId: string;
  RecordKind: string;
  Severity: string;
  ThreatLevel: string;
  Name: string;
  Message: string;
  Status?: string;
  Detector?: string;
  SourceIp?: string;
  UserName?: string;
  Confidence?: number;
  EventCount?: number;
  FirstSeen?: string;
  LastSeen?: string;
  Tactics?: string;
  Techniques?: string;
  Details: Record<string, unknown>;
}

export const SENTINEL_STREAM_COLUMNS: ReadonlyArray<{ name: keyof SentinelRow; type: 'string' | 'datetime' | 'int' | 'real' | 'dynamic' }> = [
  { name: 'TimeGenerated', type: 'datetime' },
  { name: 'RecordId', type: 'string' },
  { name: 'RecordKind', type: 'string' },
  { name: 'Severity', type: 'string' },
  { name: 'ThreatLevel', type: 'string' },
  { name: 'Name', type: 'string' },
  { name: 'Message', type: 'string' },
  { name: 'Status', type: 'string' },
  { name: 'Detector', type: 'string' },
  { name: 'SourceIp', type: 'string' },
  { name: 'UserName', type: 'string' },
  { name: 'Confidence', type: 'real' },
  { name: 'EventCount', type: 'int' },
  { name: 'FirstSeen', type: 'datetime' },
  { name: 'LastSeen', type: 'datetime' },
  { name: 'Tactics', type: 'string' },
  { name: 'Techniques', type: 'string' },
  { name: 'Details', type: 'dynamic' },
];

function s(value: string | undefined): string | undefined {
  return value === undefined ? undefined : truncateChars(value, STRING_LIMIT);
}

export function formatSentinelRow(record: SiemRecord): SentinelRow {
  const ip = recordSourceIp(record);
  const row: SentinelRow = {
    TimeGenerated: new Date(recordTime(record)).toISOString(),
    RecordId: recordId(record),
    RecordKind: record.kind,
    Severity: SEVERITY_NAME[record.severity],
    ThreatLevel: record.severity,
    Name: s(recordType(record)) as string,
    Message: s(recordSummary(record)) as string,
    SourceIp: ip !== undefined && isIP(ip) !== 0 ? ip : undefined,
    UserName: s(recordUsername(record)),
    Details: {},
  };
  if (record.kind === 'detection') {
    const d = record.detection;
    const technique = attackTechniqueFor(d.type);
    row.Status = record.status;
    row.Detector = d.detector;
    row.Confidence = d.confidence;
    row.EventCount = d.evidence.eventCount;
    row.FirstSeen = new Date(d.evidence.firstSeen).toISOString();
    row.LastSeen = new Date(d.evidence.lastSeen).toISOString();
    if (technique) {
      // Sentinel's own tactic names are the ATT&CK names without spaces (CredentialAccess).
      row.Tactics = technique.tactic.name.replace(/\s+/g, '');
      row.Techniques = (technique.subtechnique ?? technique.technique).id;
    }
    row.Details = { detectionId: d.id, eventIds: d.eventIds.slice(0, 100), evidence: d.evidence };
  } else if (record.kind === 'event') {
    const { raw: _raw, ...event } = record.event;
    row.Details = { ...event, userAgent: s(event.userAgent), eventData: s(event.eventData), command: s(event.command) };
  } else {
    row.Details = { ...record.decision };
  }
  for (const key of Object.keys(row) as Array<keyof SentinelRow>) if (row[key] === undefined) delete row[key];
  return row;
}

export function formatSentinelBody(records: readonly SiemRecord[]): string {
  return JSON.stringify(records.map(formatSentinelRow));
}
