import { recordId, recordSourceIp, recordTime, recordType, recordUsername, recordSummary, type SiemRecord } from '../record.js';
import { SYSLOG_SEVERITY } from '../severity.js';
import { formatCef, type CefOptions } from './cef.js';
import { formatJsonLine } from './json.js';
import { formatLeef, type LeefOptions } from './leef.js';
import { truncateChars, truncateUtf8, utf8Length, wellFormed } from './truncate.js';

/**
 * Syslog framing of one record, RFC 5424 or RFC 3164; the message body is
 * CEF, LEEF, Vigil JSON or the one-line summary.
 *
 * RFC 5424: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG`.
 * Header fields are printable US-ASCII (anything else becomes `?`), cut at
 * the RFC's lengths (255/48/128/32), `-` when empty. Structured data goes in
 * one element, `[vigil@32473 …]` by default — 32473 is the Private
 * Enterprise Number RFC 5612 reserves for documentation: use your own. SD
 * parameter values escape `"`, `\` and `]` with a backslash; control
 * characters in them become a space so LF-framed transports stay intact.
 * MSG is sent without a BOM (RFC 5424 MSG-ANY) unless `bom` is set.
 *
 * RFC 3164: `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PROCID]: MSG` in UTC
 * (the format has no zone; we state UTC rather than guess the receiver's).
 *
 * The whole message is cut to `maxMessageBytes` UTF-8 bytes (default 8192;
 * 1024 for RFC 3164, its hard limit) by cutting MSG on a character boundary
 * and ending it with `…`. SD parameter values are cut at 256 characters;
 * if the structured data would still take more than half the budget it is
 * left out (`-`): it only repeats fields the body carries.
 */
export const FACILITIES = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
} as const;
export type Facility = keyof typeof FACILITIES;

export type SyslogBody = 'cef' | 'leef' | 'json' | 'text';

export interface SyslogOptions {
  protocol?: 'rfc5424' | 'rfc3164';
  hostname: string;
  appName?: string;
  procId?: string;
  facility?: Facility;
  body?: SyslogBody;
  /** RFC 5424 only: add the structured-data element. */
  structuredData?: boolean;
  sdId?: string;
  bom?: boolean;
  maxMessageBytes?: number;
  cef?: CefOptions;
  leef?: LeefOptions;
}

export class SyslogOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyslogOptionError';
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** PRINTUSASCII (%d33-126), cut to `max`, `-` (NILVALUE) when empty. */
export function headerField(value: string | undefined, max: number): string {
  if (value === undefined || value === '') return '-';
  const ascii = value.replace(/[^\x21-\x7e]/g, '?');
  return ascii.slice(0, max);
}

/** SD-NAME: 1–32 PRINTUSASCII except `=`, space, `]`, `"`. */
export function isSdName(name: string): boolean {
  return /^[\x21-\x7e]{1,32}$/.test(name) && !/[= \]"]/.test(name);
}

export function escapeSdValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return wellFormed(value).replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/["\\\]]/g, (c) => `\\${c}`);
}

function sdParamsOf(record: SiemRecord): Array<[string, string | number | undefined]> {
  const common: Array<[string, string | number | undefined]> = [
    ['kind', record.kind],
    ['id', recordId(record)],
    ['level', record.severity],
    ['type', recordType(record)],
    ['src', recordSourceIp(record)],
    ['user', recordUsername(record)],
  ];
  switch (record.kind) {
    case 'detection':
      return [
        ...common,
        ['status', record.status],
        ['detector', record.detection.detector],
        ['confidence', record.detection.confidence],
        ['count', record.detection.evidence.eventCount],
      ];
    case 'event':
      return [...common, ['reason', record.event.reason]];
    case 'decision':
      return [...common, ['action', record.decision.action], ['until', new Date(record.decision.until).toISOString()], ['origin', record.decision.origin]];
  }
}

export function formatStructuredData(record: SiemRecord, sdId: string): string {
  if (!isSdName(sdId.split('@')[0] ?? '') || !isSdName(sdId)) throw new SyslogOptionError(`not a valid SD-ID: ${JSON.stringify(sdId)}`);
  let out = `[${sdId}`;
  for (const [name, value] of sdParamsOf(record)) {
    if (value === undefined || value === '') continue;
    out += ` ${name}="${escapeSdValue(truncateChars(String(value), 256))}"`;
  }
  return `${out}]`;
}

export function formatSyslogBody(record: SiemRecord, body: SyslogBody, options: Pick<SyslogOptions, 'cef' | 'leef'> = {}): string {
  switch (body) {
    case 'cef':
      return formatCef(record, options.cef);
    case 'leef':
      return formatLeef(record, options.leef);
    case 'json':
      return formatJsonLine(record);
    case 'text':
      // eslint-disable-next-line no-control-regex
      return wellFormed(recordSummary(record)).replace(/[\u0000-\u0008\u000a-\u001f\u007f]+/g, ' ');
  }
}

function pri(record: SiemRecord, facility: Facility): string {
  return `<${FACILITIES[facility] * 8 + SYSLOG_SEVERITY[record.severity]}>`;
}

/** `Mmm dd hh:mm:ss`, day padded with a space (RFC 3164 4.1.2), UTC. */
export function rfc3164Timestamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

function fitMessage(head: string, msg: string, maxBytes: number): string {
  const room = maxBytes - utf8Length(head);
  if (room <= 0) return head.trimEnd();
  return head + truncateUtf8(msg, room);
}

export function formatRfc5424(record: SiemRecord, options: SyslogOptions): string {
  const facility = options.facility ?? 'authpriv';
  const maxBytes = options.maxMessageBytes ?? 8192;
  const headerOf = (sd: string) =>
    [
      `${pri(record, facility)}1`,
      new Date(recordTime(record)).toISOString(),
      headerField(options.hostname, 255),
      headerField(options.appName ?? 'vigil', 48),
      headerField(options.procId ?? String(process.pid), 128),
      headerField(recordType(record), 32),
      sd,
    ].join(' ') + ` ${options.bom ? '\uFEFF' : ''}`;
  let head = headerOf(options.structuredData === false ? '-' : formatStructuredData(record, options.sdId ?? 'vigil@32473'));
  // Structured data repeats the body's key fields: when it alone would crowd out the message, it goes.
  if (utf8Length(head) > maxBytes / 2) head = headerOf('-');
  const body = formatSyslogBody(record, options.body ?? 'json', options);
  return fitMessage(head, body, maxBytes);
}

export function formatRfc3164(record: SiemRecord, options: SyslogOptions): string {
  const facility = options.facility ?? 'authpriv';
  const tag = (options.appName ?? 'vigil').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32) || 'vigil';
  const procId = options.procId ?? String(process.pid);
  const host = headerField(options.hostname, 255);
  const head = `${pri(record, facility)}${rfc3164Timestamp(recordTime(record))} ${host} ${tag}${procId ? `[${procId.replace(/[^\x21-\x7e]/g, '')}]` : ''}: `;
  const body = formatSyslogBody(record, options.body ?? 'json', options).replace(/[\r\n]+/g, ' ');
  return fitMessage(head, body, Math.min(options.maxMessageBytes ?? 1024, 1024));
}

export function formatSyslog(record: SiemRecord, options: SyslogOptions): string {
  return (options.protocol ?? 'rfc5424') === 'rfc3164' ? formatRfc3164(record, options) : formatRfc5424(record, options);
}
