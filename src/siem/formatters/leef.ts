import { VERSION } from '../../core/version.js';
import { recordSummary, recordTime, recordType, type SiemRecord } from '../record.js';
import { CEF_SEVERITY } from '../severity.js';
import { truncateChars, wellFormed } from './truncate.js';

/**
 * IBM QRadar Log Event Extended Format, version 2.0:
 *
 *   LEEF:2.0|Vigil|Vigil|<version>|<eventID>|<delimiter>|key=value<delimiter>key=value…
 *
 * The delimiter defaults to tab; another single character may be declared,
 * written in the header either as the character itself (`^`) or in the hex
 * notation the guide allows (`x5E`; tab is `x09`).
 *
 * LEEF defines no escape syntax for attribute values, so we keep values
 * parseable: a backslash becomes `\\`, the delimiter becomes `\` + the
 * delimiter (tab: `\t`), newlines `\n` / `\r`, `=` stays as is (QRadar
 * splits a pair at its first `=`), other control characters become U+FFFD.
 * Header fields escape `\` and `|` like CEF. Values are cut at 1000
 * characters (`…` marks a cut) to stay well inside QRadar's payload limits.
 *
 * `devTime` is written in UTC with `devTimeFormat` declared
 * (`MMM dd yyyy HH:mm:ss.SSS zzz`, Java SimpleDateFormat, e.g.
 * `Jan 05 2026 13:45:00.123 UTC`); `sev` uses the CEF scale (LOW 3 … CRITICAL 10).
 */
export interface LeefOptions {
  vendor?: string;
  product?: string;
  version?: string;
  /** One character separating attributes; tab by default. */
  delimiter?: string;
  /** How the header declares the delimiter: the character itself or `xHH`. */
  delimiterNotation?: 'char' | 'hex';
}

export const LEEF_DEV_TIME_FORMAT = 'MMM dd yyyy HH:mm:ss.SSS zzz';
const VALUE_LIMIT = 1000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export class LeefDelimiterError extends Error {
  constructor(delimiter: string) {
    super(`LEEF delimiter must be one character other than "=", "|", "\\" or a newline; got ${JSON.stringify(delimiter)}`);
    this.name = 'LeefDelimiterError';
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `MMM dd yyyy HH:mm:ss.SSS zzz` in UTC. */
export function leefDevTime(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} UTC`;
}

export function escapeLeefHeader(value: string): string {
  return wellFormed(value)
    .replace(/\r\n|[\r\n\t]/g, ' ')
    .replace(/[\\|]/g, (c) => `\\${c}`);
}

// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

export function escapeLeefValue(value: string, delimiter = '\t'): string {
  let out = '';
  for (const c of wellFormed(value).replace(CONTROLS, (ch) => (ch === delimiter ? ch : '\uFFFD'))) {
    if (c === '\\') out += '\\\\';
    else if (c === delimiter) out += delimiter === '\t' ? '\\t' : `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else out += c;
  }
  return out;
}

function delimiterField(delimiter: string, notation: 'char' | 'hex'): string {
  if (notation === 'char' && delimiter !== '\t') return delimiter;
  return `x${delimiter.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

type Attributes = Array<[key: string, value: string | number | boolean | undefined]>;

function attributesOf(record: SiemRecord): Attributes {
  const common: Attributes = [
    ['devTime', leefDevTime(recordTime(record))],
    ['devTimeFormat', LEEF_DEV_TIME_FORMAT],
    ['sev', CEF_SEVERITY[record.severity]],
    ['cat', recordType(record)],
  ];
  switch (record.kind) {
    case 'detection': {
      const d = record.detection;
      return [
        ...common,
        ['src', d.sourceIp],
        ['usrName', d.username],
        ['detectionId', d.id],
        ['status', record.status],
        ['detector', d.detector],
        ['confidence', Math.round(d.confidence * 100)],
        ['eventCount', d.evidence.eventCount],
        ['firstSeen', d.evidence.firstSeen],
        ['lastSeen', d.evidence.lastSeen],
        ['msg', recordSummary(record)],
      ];
    }
    case 'event': {
      const e = record.event;
      return [
        ...common,
        ['src', e.sourceIp],
        ['usrName', e.username],
        ['dstPort', e.destinationPort],
        ['isLoginEvent', e.kind === 'login.success' ? true : undefined],
        ['url', e.http?.path],
        ['userAgent', e.userAgent],
        ['reason', e.reason],
        ['eventId', e.id],
        ['msg', recordSummary(record)],
      ];
    }
    case 'decision': {
      const d = record.decision;
      return [
        ...common,
        ['src', d.scope === 'ip' ? d.value : undefined],
        ['usrName', d.scope === 'user' ? d.value : undefined],
        ['action', d.action],
        ['scope', d.scope],
        ['value', d.value],
        ['until', d.until],
        ['origin', d.origin],
        ['reason', d.reason],
        ['decisionId', d.id],
      ];
    }
  }
}

export function validateLeefDelimiter(delimiter: string): void {
  if ([...delimiter].length !== 1 || /[=|\\\r\n]/.test(delimiter)) throw new LeefDelimiterError(delimiter);
}

export function formatLeef(record: SiemRecord, options: LeefOptions = {}): string {
  const delimiter = options.delimiter ?? '\t';
  validateLeefDelimiter(delimiter);
  const header = [
    'LEEF:2.0',
    escapeLeefHeader(truncateChars(options.vendor ?? 'Vigil', 63)),
    escapeLeefHeader(truncateChars(options.product ?? 'Vigil', 63)),
    escapeLeefHeader(truncateChars(options.version ?? VERSION, 31)),
    escapeLeefHeader(truncateChars(recordType(record), 255)),
    delimiterField(delimiter, options.delimiterNotation ?? 'hex'),
  ];
  const attributes: string[] = [];
  for (const [key, value] of attributesOf(record)) {
    if (value === undefined || value === '') continue;
    attributes.push(`${key}=${escapeLeefValue(truncateChars(String(value), VALUE_LIMIT), delimiter)}`);
  }
  return `${header.join('|')}|${attributes.join(delimiter)}`;
}
