import { isIP } from 'node:net';
import { VERSION } from '../../core/version.js';
import { recordSummary, recordTime, recordType, type SiemRecord } from '../record.js';
import { CEF_SEVERITY } from '../severity.js';
import { truncateChars, wellFormed } from './truncate.js';

/**
 * ArcSight Common Event Format (CEF) version 0 ("Implementing ArcSight
 * Common Event Format"):
 *
 *   CEF:0|Vigil|Vigil|<version>|<signatureId>|<name>|<severity>|<extension>
 *
 * Header fields escape `\` and `|` with a backslash and may not span lines
 * (CR/LF become a space). Extension values escape `\` and `=` with a
 * backslash and encode newlines as `\n` / `\r`; pipes in values are left
 * alone, as the spec says. Other control characters become U+FFFD.
 * Values longer than the spec's limit for their key are cut (see truncate.ts).
 */
export interface CefOptions {
  vendor?: string;
  product?: string;
  version?: string;
}

/** Maximum lengths from the CEF key dictionary (characters); keys not listed are not cut. */
const EXTENSION_LIMITS: Readonly<Record<string, number>> = {
  act: 63,
  cat: 1023,
  externalId: 40,
  msg: 1023,
  outcome: 63,
  reason: 1023,
  request: 1023,
  requestClientApplication: 1023,
  requestMethod: 1023,
  suser: 1023,
  duser: 1023,
  cs1: 4000,
  cs2: 4000,
  cs3: 4000,
  cs4: 4000,
  cs5: 4000,
  cs6: 4000,
};
const LABEL_LIMIT = 1023;

const HEADER_LIMITS = { vendor: 63, product: 63, version: 31, signatureId: 1023, name: 512 } as const;

// eslint-disable-next-line no-control-regex
const OTHER_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export function escapeCefHeader(value: string): string {
  return wellFormed(value)
    .replace(/\r\n|[\r\n]/g, ' ')
    .replace(OTHER_CONTROLS, '\uFFFD')
    .replace(/[\\|]/g, (c) => `\\${c}`);
}

export function escapeCefExtensionValue(value: string): string {
  return wellFormed(value)
    .replace(OTHER_CONTROLS, '\uFFFD')
    .replace(/[\\=\r\n]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`));
}

type Extension = Array<[key: string, value: string | number | undefined]>;

function renderExtension(pairs: Extension): string {
  const present = new Set(pairs.filter(([, v]) => v !== undefined && v !== '').map(([k]) => k));
  const out: string[] = [];
  for (const [key, value] of pairs) {
    if (value === undefined || value === '') continue;
    // A label without its value (cs1Label without cs1) says nothing: leave it out.
    if (key.endsWith('Label') && !present.has(key.slice(0, -'Label'.length))) continue;
    const text = typeof value === 'number' ? String(value) : truncateChars(value, key.endsWith('Label') ? LABEL_LIMIT : (EXTENSION_LIMITS[key] ?? Number.MAX_SAFE_INTEGER));
    out.push(`${key}=${escapeCefExtensionValue(text)}`);
  }
  return out.join(' ');
}

/** IPv4 goes in `src`; IPv6 in `c6a2` ("Source IPv6 Address", the spec's convention). */
function sourceAddress(ip: string | undefined): Extension {
  if (ip === undefined || ip === '') return [];
  if (isIP(ip) === 4) return [['src', ip]];
  if (isIP(ip) === 6) return [['c6a2', ip], ['c6a2Label', 'Source IPv6 Address']];
  return [['cs6Label', 'sourceAddress'], ['cs6', ip]];
}

function extensionOf(record: SiemRecord): Extension {
  const rt = recordTime(record);
  switch (record.kind) {
    case 'detection': {
      const d = record.detection;
      return [
        ['rt', rt],
        ['act', record.status === 'open' ? 'opened' : 'closed'],
        ['cat', d.type],
        ['cnt', d.evidence.eventCount],
        ['start', d.evidence.firstSeen],
        ['end', d.evidence.lastSeen],
        ...sourceAddress(d.sourceIp),
        ['suser', d.username],
        ['externalId', d.id],
        ['msg', recordSummary(record)],
        ['cs1Label', 'detector'],
        ['cs1', d.detector],
        ['cs2Label', 'eventIds'],
        ['cs2', d.eventIds.join(',')],
        ['cs3Label', 'usernames'],
        ['cs3', d.evidence.usernames?.join(',')],
        ['cs4Label', 'sourceIps'],
        ['cs4', d.evidence.ips?.join(',')],
        ['cn1Label', 'confidence'],
        ['cn1', Math.round(d.confidence * 100)],
      ];
    }
    case 'event': {
      const e = record.event;
      const outcome = e.kind === 'login.success' ? 'success' : e.kind === 'login.failure' ? 'failure' : undefined;
      const request = e.http?.path !== undefined ? e.http.path + (e.http.query ? `?${e.http.query}` : '') : undefined;
      return [
        ['rt', rt],
        ['cat', e.kind],
        ...sourceAddress(e.sourceIp),
        ['suser', e.username],
        ['outcome', outcome],
        ['reason', e.reason ?? e.violationType],
        ['requestMethod', e.http?.method],
        ['request', request],
        ['requestClientApplication', e.userAgent],
        ['dpt', e.destinationPort],
        ['externalId', e.id],
        ['msg', recordSummary(record)],
        ['cs1Label', 'sessionId'],
        ['cs1', e.sessionId],
        ['cn2Label', 'httpStatus'],
        ['cn2', e.http?.status],
      ];
    }
    case 'decision': {
      const d = record.decision;
      return [
        ['rt', rt],
        ['act', d.action],
        ['cat', `decision.${d.scope}`],
        ...(d.scope === 'ip' ? sourceAddress(d.value) : []),
        ['suser', d.scope === 'user' ? d.value : undefined],
        ['end', d.until],
        ['reason', d.reason],
        ['externalId', d.id],
        ['msg', recordSummary(record)],
        ['cs1Label', 'origin'],
        ['cs1', d.origin],
        ['cs2Label', 'scopeValue'],
        ['cs2', d.scope === 'range' ? d.value : undefined],
        ['cs3Label', 'simulated'],
        ['cs3', d.simulated ? 'true' : undefined],
      ];
    }
  }
}

/** Event name for the header: what happened, in a few words. */
export function cefName(record: SiemRecord): string {
  switch (record.kind) {
    case 'detection':
      return `${record.detection.type.replace(/_/g, ' ')} ${record.status === 'open' ? 'detected' : 'ended'}`;
    case 'event':
      return record.event.kind;
    case 'decision':
      return `${record.decision.action} ${record.decision.scope}`;
  }
}

/** Signature ID: stable per kind of record, so SIEM rules can key on it. */
export function cefSignatureId(record: SiemRecord): string {
  return record.kind === 'detection' ? `detection:${recordType(record)}` : record.kind === 'event' ? `event:${recordType(record)}` : recordType(record);
}

export function formatCef(record: SiemRecord, options: CefOptions = {}): string {
  const header = [
    'CEF:0',
    escapeCefHeader(truncateChars(options.vendor ?? 'Vigil', HEADER_LIMITS.vendor)),
    escapeCefHeader(truncateChars(options.product ?? 'Vigil', HEADER_LIMITS.product)),
    escapeCefHeader(truncateChars(options.version ?? VERSION, HEADER_LIMITS.version)),
    escapeCefHeader(truncateChars(cefSignatureId(record), HEADER_LIMITS.signatureId)),
    escapeCefHeader(truncateChars(cefName(record), HEADER_LIMITS.name)),
    String(CEF_SEVERITY[record.severity]),
  ];
  return `${header.join('|')}|${renderExtension(extensionOf(record))}`;
}
