import { isIP } from 'node:net';
import type { HttpInfo, SecurityEvent } from '../core/event.js';
import type { LineParser, ParseContext, ParseOutcome } from './parser.js';

/**
 * NGINX / Apache access logs in the "combined" and "common" formats:
 *
 *   1.2.3.4 - user [10/Oct/2000:13:55:36 -0700] "GET /a?b=c HTTP/1.1" 200 2326 "referer" "UA"
 *
 * Apache's `vhost_combined` (`%v:%p` first) is accepted too. Written as a
 * scanner rather than one big regular expression: quoted fields may contain
 * escaped quotes, and attack traffic puts anything into them.
 */

const MONTHS: Record<string, number> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

export interface AccessLogRecord {
  vhost?: string;
  remoteAddr: string;
  ident?: string;
  user?: string;
  timestamp: number;
  request: string;
  method?: string;
  target?: string;
  protocol?: string;
  status: number;
  bytes?: number;
  referer?: string;
  userAgent?: string;
}

class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  done(): boolean {
    return this.i >= this.s.length;
  }
  skipSpaces(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }
  word(): string {
    this.skipSpaces();
    const start = this.i;
    while (this.i < this.s.length && this.s[this.i] !== ' ' && this.s[this.i] !== '\t') this.i++;
    return this.s.slice(start, this.i);
  }
  peek(): string | undefined {
    this.skipSpaces();
    return this.s[this.i];
  }
  /** A `[…]` field. */
  bracketed(): string | null {
    if (this.peek() !== '[') return null;
    const close = this.s.indexOf(']', this.i + 1);
    if (close < 0) return null;
    const value = this.s.slice(this.i + 1, close);
    this.i = close + 1;
    return value;
  }
  /** A `"…"` field with `\"` and `\\` escapes (as both servers write them). */
  quoted(): string | null {
    if (this.peek() !== '"') return null;
    let out = '';
    let j = this.i + 1;
    let last = j;
    while (j < this.s.length) {
      const c = this.s[j];
      if (c === '\\' && (this.s[j + 1] === '"' || this.s[j + 1] === '\\')) {
        out += this.s.slice(last, j) + this.s[j + 1];
        j += 2;
        last = j;
        continue;
      }
      if (c === '"') {
        // Apache does not always escape quotes: a quote ends the field only before a blank or the end.
        const after = this.s[j + 1];
        if (after === undefined || after === ' ' || after === '\t') break;
      }
      j++;
    }
    if (j >= this.s.length) return null;
    out += this.s.slice(last, j);
    this.i = j + 1;
    return out;
  }
}

function twoDigits(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return NaN;
  return a * 10 + b;
}

/** `10/Oct/2000:13:55:36 -0700` → epoch ms, or NaN. */
export function parseAccessLogTime(text: string): number {
  // dd/Mon/yyyy:HH:MM:SS ±hhmm
  if (text.length < 26 || text[2] !== '/' || text[6] !== '/' || text[11] !== ':' || text[20] !== ' ') return NaN;
  const day = twoDigits(text, 0);
  const month = MONTHS[text.slice(3, 6)];
  const year = Number(text.slice(7, 11));
  const hour = twoDigits(text, 12);
  const minute = twoDigits(text, 15);
  const second = twoDigits(text, 18);
  const sign = text[21];
  const zh = twoDigits(text, 22);
  const zm = twoDigits(text, 24);
  if (month === undefined || !Number.isInteger(year) || (sign !== '+' && sign !== '-')) return NaN;
  if ([day, hour, minute, second, zh, zm].some((n) => Number.isNaN(n))) return NaN;
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60 || zm > 59) return NaN;
  const local = Date.UTC(year, month, day, hour, minute, second);
  const offset = (zh * 60 + zm) * 60_000 * (sign === '+' ? 1 : -1);
  return local - offset;
}

/** Parse one line into its fields, or a message saying what is wrong. */
export function parseAccessLogLine(line: string, allowVhost: boolean): AccessLogRecord | { error: string } {
  const c = new Cursor(line.trimEnd());
  let first = c.word();
  if (first.length === 0) return { error: 'empty line' };
  let vhost: string | undefined;
  if (isIP(first) === 0) {
    const save = c.i;
    const second = c.word();
    if (allowVhost && isIP(second) !== 0) {
      vhost = first;
      first = second;
    } else {
      c.i = save;
      return { error: `client address ${JSON.stringify(first.slice(0, 64))} is not an IP address` };
    }
  }
  const ident = c.word();
  const user = c.word();
  if (user.length === 0) return { error: 'line ends before the [time] field' };
  const time = c.bracketed();
  if (time === null) return { error: 'missing [dd/Mon/yyyy:HH:MM:SS ±zone] time field' };
  const timestamp = parseAccessLogTime(time);
  if (Number.isNaN(timestamp)) return { error: `time ${JSON.stringify(time)} is not dd/Mon/yyyy:HH:MM:SS ±hhmm` };
  const request = c.quoted();
  if (request === null) return { error: 'missing quoted "METHOD target PROTOCOL" request field' };
  const statusText = c.word();
  const status = Number(statusText);
  if (statusText.length !== 3 || !Number.isInteger(status) || status < 100 || status > 599) {
    return { error: `status ${JSON.stringify(statusText)} is not a 3-digit HTTP status` };
  }
  const bytesText = c.word();
  if (bytesText.length === 0) return { error: 'missing response size field' };
  let bytes: number | undefined;
  if (bytesText !== '-') {
    bytes = Number(bytesText);
    if (!Number.isInteger(bytes) || bytes < 0) return { error: `response size ${JSON.stringify(bytesText)} is not a number or -` };
  }
  const record: AccessLogRecord = { remoteAddr: first, timestamp, request, status };
  if (vhost !== undefined) record.vhost = vhost;
  if (ident !== '-') record.ident = ident;
  if (user !== '-') record.user = user;
  if (bytes !== undefined) record.bytes = bytes;
  // Combined format: referer and user agent follow.
  if (!c.done() && c.peek() === '"') {
    const referer = c.quoted();
    if (referer === null) return { error: 'unterminated quoted referer field' };
    if (referer !== '-' && referer !== '') record.referer = referer;
    if (c.peek() === '"') {
      const ua = c.quoted();
      if (ua === null) return { error: 'unterminated quoted user-agent field' };
      if (ua !== '-' && ua !== '') record.userAgent = ua;
    }
  }
  const parts = request.split(' ');
  if (parts.length >= 2 && parts.length <= 3 && parts[0] !== undefined && /* method token */ parts[0].length > 0 && parts[0].length <= 16) {
    record.method = parts[0];
    record.target = parts[1];
    if (parts[2] !== undefined) record.protocol = parts[2];
  }
  return record;
}

function toEvent(record: AccessLogRecord, ctx: ParseContext, parser: string): SecurityEvent {
  const http: HttpInfo = { status: record.status };
  if (record.method !== undefined) http.method = record.method;
  if (record.target !== undefined) {
    const q = record.target.indexOf('?');
    http.path = q < 0 ? record.target : record.target.slice(0, q);
    if (q >= 0) http.query = record.target.slice(q + 1);
  }
  if (record.bytes !== undefined) http.bytes = record.bytes;
  const headers: Record<string, string> = {};
  if (record.referer !== undefined) headers.referer = record.referer;
  if (record.userAgent !== undefined) headers['user-agent'] = record.userAgent;
  http.headers = headers;
  const labels: Record<string, string> = { ...ctx.labels, parser };
  if (record.vhost !== undefined) labels.vhost = record.vhost;
  if (record.method === undefined) labels.request = record.request.slice(0, 512);
  const event: SecurityEvent = {
    id: ctx.ids.next(),
    timestamp: record.timestamp,
    kind: 'http.request',
    sourceIp: record.remoteAddr,
    http,
    labels,
  };
  if (record.user !== undefined) event.username = record.user;
  if (record.userAgent !== undefined) event.userAgent = record.userAgent;
  return event;
}

function looksLikeAccessLog(line: string): boolean {
  const open = line.indexOf(' [');
  return open > 0 && line.indexOf('] "', open) > open && line.charCodeAt(0) > 32;
}

function makeParser(name: 'nginx' | 'apache', allowVhost: boolean): LineParser {
  return {
    name,
    detect: looksLikeAccessLog,
    parse(line: string, ctx: ParseContext): ParseOutcome {
      if (line.trim().length === 0) return { skipped: true };
      const parsed = parseAccessLogLine(line, allowVhost);
      if ('error' in parsed) return { error: `${name} access log: ${parsed.error}` };
      return { event: toEvent(parsed, ctx, name) };
    },
  };
}

/** NGINX `combined` / `main` (and `common`) access log lines. */
export const nginxParser: LineParser = makeParser('nginx', false);

/** Apache `combined` / `common` access log lines, with an optional `%v` or `%v:%p` virtual-host prefix. */
export const apacheParser: LineParser = makeParser('apache', true);
