import type { SecurityEvent } from '../core/event.js';
import type { LineParser, ParseContext, ParseOutcome } from './parser.js';
import { SKIPPED } from './parser.js';
// sshd.ts imports this module's envelope parser and this module dispatches to
// sshd.ts: the cycle is safe because both sides only use function
// declarations (initialised before either module body runs).
import { isSshdProgram, isSshdProgramAt, parseSshdMessage } from './sshd.js';
import { parseSshdBytes } from './sshd-prefilter.js';
import {
  classicTimeLength,
  clampToReference,
  DEFAULT_TIME_ZONE,
  InvalidTimeZoneError,
  MAX_FUTURE_MS,
  MAX_PAST_MS,
  parseIsoTime,
  readClassicTime,
  type ClassicTime,
} from './syslog-time.js';

/**
 * Syslog envelopes, one record per line (octet-counting framing, if any, is
 * the source's job):
 *
 *  - RFC 5424: `<PRI>1 TIMESTAMP HOST APP-NAME PROCID MSGID [SD…]|- MSG`
 *  - RFC 3164 / what syslog daemons write to files: `[<PRI>]Mmm dd HH:MM:SS HOST TAG[PID]: MSG`,
 *    also with an RFC 3339 stamp (rsyslog's high-precision file format), without
 *    HOST (`Nov 23 21:50:19 sshd[8148]: …`), with a bracketed tag (`[sshd]: …`)
 *    and with Solaris' `[ID 800047 auth.info]` message id.
 *
 * Parsing is hand-written with indexOf / charCodeAt: no regular expression runs
 * over the line, so hostile input cannot make it slow.
 */

export interface SyslogRecord {
  format: 'rfc3164' | 'rfc5424';
  /** From `<PRI>`; undefined when the line has none (as in files written by syslog daemons). */
  facility?: number;
  severity?: number;
  /** Event time, epoch ms (classic stamps: year and zone resolved against the reference time). */
  timestamp: number;
  /** The stamp was implausibly far from the reference and was replaced by it. */
  timeClamped: boolean;
  host?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  /** RFC 5424 structured data: SD-ID -> params (undefined when `-`). */
  structuredData?: Record<string, Record<string, string>>;
  message: string;
}

export interface SyslogOptions {
  /** Reference time for year inference and clamping (`ctx.now()`). */
  now: number;
  /** Zone of stamps without one; default UTC. */
  timeZone?: string;
  /** When given and false for the line's program, parseSyslog returns OTHER_PROGRAM early (hot-path filter). */
  program?: (appName: string) => boolean;
}

/** Longest line accepted; longer ones are reported as errors rather than scanned. */
export const MAX_SYSLOG_LINE_CHARS = 64 * 1024;

function severityOf(pri: number): number {
  return pri & 7;
}

/** Returns the record, or an error message saying what is wrong with the line. */
export function parseSyslog(line: string, options: SyslogOptions): SyslogRecord | string | typeof OTHER_PROGRAM {
  if (line.length > MAX_SYSLOG_LINE_CHARS) return tooLong(line);
  const pri = readPri(line);
  if (typeof pri === 'string') return pri;
  const i = pri < 0 ? 0 : line.indexOf('>', 1) + 1;
  // RFC 5424: VERSION (1) and a space right after PRI.
  if (pri >= 0 && line.charCodeAt(i) === 49 /* 1 */ && line.charCodeAt(i + 1) === 32) return parse5424(line, i + 2, pri, options);
  return parse3164(line, i, pri, options);
}

function tooLong(line: string): string {
  return `line is ${line.length} characters long; syslog lines longer than ${MAX_SYSLOG_LINE_CHARS} are not parsed`;
}

/** The `<PRI>` at the start of the line: its value, -1 when there is none, or an error message. The rest starts after the first `>`. */
function readPri(line: string): number | string {
  if (line.charCodeAt(0) !== 60 /* < */) return -1;
  const close = line.indexOf('>', 1);
  if (close < 2 || close > 4) return 'malformed <PRI>: expected <0> to <191> at the start';
  let pri = 0;
  for (let k = 1; k < close; k++) {
    const d = line.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return 'malformed <PRI>: expected <0> to <191> at the start';
    pri = pri * 10 + d;
  }
  if (pri > 191) return `<PRI> ${pri} out of range (0..191)`;
  return pri;
}

function resolveTime(timestamp: number, options: SyslogOptions): { timestamp: number; clamped: boolean } {
  return clampToReference(timestamp, options.now);
}

/** Returned by parseSyslog when `options.program` rejected the line's program (no record is built). */
export const OTHER_PROGRAM = Symbol('other program');

/**
 * Where an RFC 3164 line's parts are, as scan3164 found them: offsets into
 * the line (no string cut yet, so that lines of other programs cost no
 * allocation). A start of -1 means the part is absent.
 */
interface Offsets3164 {
  stamp: number;
  hostStart: number;
  hostEnd: number;
  appStart: number;
  appEnd: number;
  procStart: number;
  procEnd: number;
  msgIdStart: number;
  msgIdEnd: number;
  messageStart: number;
}

/** Reused by every scan (parsing is synchronous: one line at a time). */
const offsets: Offsets3164 = {
  stamp: 0,
  hostStart: -1,
  hostEnd: -1,
  appStart: -1,
  appEnd: -1,
  procStart: -1,
  procEnd: -1,
  msgIdStart: -1,
  msgIdEnd: -1,
  messageStart: 0,
};
const classicTime: ClassicTime = { length: 0, epoch: 0 };

/** A check of the program name in place: `line.slice(start, end)` is the name. */
export type ProgramAt = (line: string, start: number, end: number) => boolean;

/**
 * The RFC 3164 envelope from `start` (after any `<PRI>`) into `offsets`:
 * undefined when it is well-formed, else the error message, or OTHER_PROGRAM
 * when `programAt` / `program` rejected the program name (every check that can
 * make the line an error comes before that one).
 */
function scan3164(
  line: string,
  start: number,
  now: number,
  timeZone: string,
  programAt: ProgramAt | undefined,
  program: ((appName: string) => boolean) | undefined,
): string | undefined | typeof OTHER_PROGRAM {
  let i = start;
  let stamp: number;
  readClassicTime(line, i, now, timeZone, classicTime);
  if (classicTime.length > 0) {
    stamp = classicTime.epoch;
    i += classicTime.length;
  } else {
    // RFC 3339 stamp (rsyslog RSYSLOG_FileFormat, journald's short-iso output).
    const end = line.indexOf(' ', i);
    if (end < 0 || end - i < 19 || end - i > 40 || line.charCodeAt(i + 4) !== 45) {
      return 'no syslog time stamp: expected "Mmm dd HH:MM:SS" or an RFC 3339 date-time at the start of the line';
    }
    stamp = parseIsoTime(line.slice(i, end), timeZone);
    i = end;
  }
  if (Number.isNaN(stamp)) return `invalid time stamp "${line.slice(start, i)}"`;
  // One or more spaces after the stamp.
  while (line.charCodeAt(i) === 32) i++;
  if (i >= line.length) return 'truncated syslog line: nothing after the time stamp';

  let hostStart = -1;
  let hostEnd = -1;
  let tagStart = i;
  if (line.charCodeAt(i) !== 91 /* [ */) {
    const space = line.indexOf(' ', i);
    if (space < 0) return 'truncated syslog line: no message after the host name';
    // A token that ends with ':' is the tag of a line without host name (`sshd[42]: …`).
    if (line.charCodeAt(space - 1) !== 58 /* : */) {
      hostStart = i;
      hostEnd = space;
      tagStart = space + 1;
      while (line.charCodeAt(tagStart) === 32) tagStart++;
    }
  }

  // TAG: `prog[pid]:`, `prog:`, `prog[pid]`, `[prog]:`, `[prog]`.
  let appStart: number;
  let appEnd: number;
  let procStart = -1;
  let procEnd = -1;
  let p = tagStart;
  if (line.charCodeAt(p) === 91 /* [ */) {
    const close = line.indexOf(']', p);
    if (close < 0 || close - p > 64) return 'malformed tag: unclosed "["';
    appStart = p + 1;
    appEnd = close;
    p = close + 1;
  } else {
    for (; p < line.length; p++) {
      const c = line.charCodeAt(p);
      if (c === 91 /* [ */ || c === 58 /* : */ || c === 32) break;
    }
    if (p === tagStart) return 'malformed tag: expected "program[pid]:" after the host name';
    appStart = tagStart;
    appEnd = p;
    if (line.charCodeAt(p) === 91) {
      const close = line.indexOf(']', p);
      if (close < 0 || close - p > 24) return 'malformed tag: unclosed "[" after the program name';
      procStart = p + 1;
      procEnd = close;
      p = close + 1;
    }
  }
  if (programAt !== undefined && !programAt(line, appStart, appEnd)) return OTHER_PROGRAM;
  if (program !== undefined && !program(line.slice(appStart, appEnd))) return OTHER_PROGRAM;
  if (line.charCodeAt(p) === 58) p++;
  if (line.charCodeAt(p) === 32) p++;
  // Solaris: `[ID 800047 auth.info] ` between tag and message.
  let msgIdStart = -1;
  let msgIdEnd = -1;
  if (line.charCodeAt(p) === 91 && line.startsWith('[ID ', p)) {
    const close = line.indexOf('] ', p);
    if (close > 0 && close - p < 64) {
      msgIdStart = p + 1;
      msgIdEnd = close;
      p = close + 2;
    }
  }
  const o = offsets;
  o.stamp = stamp;
  o.hostStart = hostStart;
  o.hostEnd = hostEnd;
  o.appStart = appStart;
  o.appEnd = appEnd;
  o.procStart = procStart;
  o.procEnd = procEnd;
  o.msgIdStart = msgIdStart;
  o.msgIdEnd = msgIdEnd;
  o.messageStart = p;
  return undefined;
}

/** `line.slice(start, end)`, undefined when start is -1. */
function part(line: string, start: number, end: number): string | undefined {
  return start < 0 ? undefined : line.slice(start, end);
}

function parse3164(
  line: string,
  start: number,
  pri: number,
  options: SyslogOptions,
): SyslogRecord | string | typeof OTHER_PROGRAM {
  const scanned = scan3164(line, start, options.now, options.timeZone ?? DEFAULT_TIME_ZONE, undefined, options.program);
  if (scanned !== undefined) return scanned;
  const o = offsets;
  // Inline plausibility check (clampToReference without its allocation: this is the hot path).
  const now = options.now;
  const stamp = o.stamp;
  const clamped = stamp - now > MAX_FUTURE_MS || now - stamp > MAX_PAST_MS;
  const p = o.messageStart;
  return {
    format: 'rfc3164',
    facility: pri >= 0 ? pri >> 3 : undefined,
    severity: pri >= 0 ? severityOf(pri) : undefined,
    timestamp: clamped ? now : stamp,
    timeClamped: clamped,
    host: part(line, o.hostStart, o.hostEnd),
    appName: line.slice(o.appStart, o.appEnd),
    procId: part(line, o.procStart, o.procEnd),
    msgId: part(line, o.msgIdStart, o.msgIdEnd),
    structuredData: undefined,
    message: p === 0 ? line : line.slice(p),
  };
}

/** Next space-delimited field of an RFC 5424 header; `-` is nil. Returns [value, next index] or undefined. */
function field(line: string, i: number, max: number): [string | undefined, number] | undefined {
  const space = line.indexOf(' ', i);
  const end = space < 0 ? line.length : space;
  if (end === i || end - i > max) return undefined;
  const value = end - i === 1 && line.charCodeAt(i) === 45 ? undefined : line.slice(i, end);
  return [value, space < 0 ? line.length : space + 1];
}

function parse5424(
  line: string,
  start: number,
  pri: number,
  options: SyslogOptions,
): SyslogRecord | string | typeof OTHER_PROGRAM {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const ts = field(line, start, 40);
  if (ts === undefined) return 'RFC 5424: missing TIMESTAMP';
  let stamp = options.now;
  if (ts[0] !== undefined) {
    stamp = parseIsoTime(ts[0], timeZone);
    if (Number.isNaN(stamp)) return `RFC 5424: invalid TIMESTAMP "${ts[0]}"`;
  }
  const host = field(line, ts[1], 255);
  if (host === undefined) return 'RFC 5424: missing HOSTNAME';
  const app = field(line, host[1], 48);
  if (app === undefined) return 'RFC 5424: missing APP-NAME';
  if (options.program !== undefined && (app[0] === undefined || !options.program(app[0]))) return OTHER_PROGRAM;
  const proc = field(line, app[1], 128);
  if (proc === undefined) return 'RFC 5424: missing PROCID';
  const msgId = field(line, proc[1], 32);
  if (msgId === undefined) return 'RFC 5424: missing MSGID';
  let i = msgId[1];
  let structuredData: Record<string, Record<string, string>> | undefined;
  if (line.charCodeAt(i) === 45 /* - */) {
    i++;
  } else if (line.charCodeAt(i) === 91 /* [ */) {
    const sd = parseStructuredData(line, i);
    if (typeof sd === 'string') return sd;
    structuredData = sd.data;
    i = sd.end;
  } else {
    return 'RFC 5424: STRUCTURED-DATA must be "-" or start with "["';
  }
  if (i < line.length && line.charCodeAt(i) !== 32) return 'RFC 5424: expected a space after STRUCTURED-DATA';
  i++;
  // A UTF-8 BOM may precede MSG.
  if (line.charCodeAt(i) === 0xfeff) i++;
  const time = ts[0] === undefined ? { timestamp: stamp, clamped: false } : resolveTime(stamp, options);
  return {
    format: 'rfc5424',
    facility: pri >> 3,
    severity: severityOf(pri),
    timestamp: time.timestamp,
    timeClamped: time.clamped,
    host: host[0],
    appName: app[0],
    procId: proc[0],
    msgId: msgId[0],
    structuredData,
    message: i >= line.length ? '' : line.slice(i),
  };
}

/** `[id k="v" …][id2 …]` with `\"`, `\\` and `\]` escapes in values. */
function parseStructuredData(
  line: string,
  start: number,
): { data: Record<string, Record<string, string>>; end: number } | string {
  const data: Record<string, Record<string, string>> = Object.create(null) as Record<string, Record<string, string>>;
  let i = start;
  while (line.charCodeAt(i) === 91 /* [ */) {
    i++;
    let k = i;
    while (k < line.length && line.charCodeAt(k) !== 32 && line.charCodeAt(k) !== 93) k++;
    if (k === i || k >= line.length) return 'RFC 5424: malformed SD-ELEMENT (missing SD-ID or "]")';
    const params: Record<string, string> = Object.create(null) as Record<string, string>;
    data[line.slice(i, k)] = params;
    i = k;
    while (line.charCodeAt(i) === 32) {
      i++;
      const eq = line.indexOf('="', i);
      if (eq < 0 || eq === i) return 'RFC 5424: malformed SD-PARAM (expected name="value")';
      const name = line.slice(i, eq);
      let value = '';
      let j = eq + 2;
      let chunk = j;
      for (; j < line.length; j++) {
        const c = line.charCodeAt(j);
        if (c === 92 /* \ */) {
          const next = line.charCodeAt(j + 1);
          if (next === 34 || next === 92 || next === 93) {
            value += line.slice(chunk, j);
            chunk = j + 1;
            j++;
          }
        } else if (c === 34 /* " */) {
          break;
        }
      }
      if (j >= line.length) return 'RFC 5424: unterminated SD-PARAM value';
      params[name] = value + line.slice(chunk, j);
      i = j + 1;
    }
    if (line.charCodeAt(i) !== 93 /* ] */) return 'RFC 5424: malformed SD-ELEMENT (expected "]")';
    i++;
  }
  return { data, end: i };
}

// ---------------------------------------------------------------- dispatching parser

/** What the envelope tells an inner parser about a message. */
export interface MessageMeta {
  timestamp: number;
  timeClamped: boolean;
  host?: string;
  program?: string;
  pid?: string;
}

/** What an inner parser is told about the message of a parsed envelope. */
export function messageMeta(record: SyslogRecord): MessageMeta {
  return { timestamp: record.timestamp, timeClamped: record.timeClamped, host: record.host, program: record.appName, pid: record.procId };
}

/** Parses the message part of one program's records. */
export type MessageParser = (message: string, meta: MessageMeta, ctx: ParseContext) => ParseOutcome;

/** The envelope's meta and the message of a line (what readSyslogMessage returns for a program it accepts). */
export interface SyslogMessage extends MessageMeta {
  program: string;
  message: string;
}

/** Which programs readSyslogMessage accepts. */
export interface ProgramFilter {
  /** The name in place (RFC 3164: checked before any string is cut); when absent, `name` is asked. */
  at?: ProgramAt;
  /** The same decision on the name as a string. */
  name: (program: string) => boolean;
  /**
   * RFC 5424: reject other programs right after APP-NAME, before the rest of
   * the header is checked (as parseSyslog's `program` option); else they are
   * validated in full (errors reported) and then skipped.
   */
  early5424: boolean;
}

/**
 * The hot path of the dispatching parsers: parseSyslog + messageMeta in one
 * step, without the intermediate record. Lines of programs `accept` rejects
 * return OTHER_PROGRAM after the same checks (and errors) as parseSyslog with
 * its `program` option, having cut no string.
 */
export function readSyslogMessage(
  line: string,
  now: number,
  timeZone: string | undefined,
  accept: ProgramFilter,
): SyslogMessage | string | typeof OTHER_PROGRAM {
  if (line.length > MAX_SYSLOG_LINE_CHARS) return tooLong(line);
  let i = 0;
  if (line.charCodeAt(0) === 60 /* < */) {
    const pri = readPri(line);
    if (typeof pri === 'string') return pri;
    i = line.indexOf('>', 1) + 1;
    if (line.charCodeAt(i) === 49 /* 1 */ && line.charCodeAt(i + 1) === 32) {
      const record = parse5424(line, i + 2, pri, { now, timeZone, program: accept.early5424 ? accept.name : undefined });
      if (typeof record === 'string' || record === OTHER_PROGRAM) return record;
      if (record.appName === undefined || !accept.name(record.appName)) return OTHER_PROGRAM;
      return {
        timestamp: record.timestamp,
        timeClamped: record.timeClamped,
        host: record.host,
        program: record.appName,
        pid: record.procId,
        message: record.message,
      };
    }
  }
  const scanned = scan3164(line, i, now, timeZone ?? DEFAULT_TIME_ZONE, accept.at, accept.at === undefined ? accept.name : undefined);
  if (scanned !== undefined) return scanned;
  const o = offsets;
  const stamp = o.stamp;
  const clamped = stamp - now > MAX_FUTURE_MS || now - stamp > MAX_PAST_MS;
  const p = o.messageStart;
  return {
    timestamp: clamped ? now : stamp,
    timeClamped: clamped,
    host: part(line, o.hostStart, o.hostEnd),
    program: line.slice(o.appStart, o.appEnd),
    pid: part(line, o.procStart, o.procEnd),
    message: p === 0 ? line : line.slice(p),
  };
}

/**
 * A LineParser for syslog lines that hands each message to the parser
 * registered for its program (APP-NAME / tag); other programs are skipped.
 * `programAt`, when given, must accept exactly the names `programs` has a
 * parser for: it lets lines of other programs be skipped without cutting
 * their program name out.
 */
export function createSyslogParser(
  name: string,
  programs: (program: string) => MessageParser | undefined,
  programAt?: ProgramAt,
): LineParser {
  const accept: ProgramFilter = { at: programAt, name: (program) => programs(program) !== undefined, early5424: false };
  return {
    name,
    detect: detectSyslog,
    parse(line: string, ctx: ParseContext): ParseOutcome {
      let message: SyslogMessage | string | typeof OTHER_PROGRAM;
      try {
        message = readSyslogMessage(line, ctx.now(), ctx.timeZone, accept);
      } catch (err) {
        if (err instanceof InvalidTimeZoneError) return { error: err.message };
        throw err;
      }
      if (typeof message === 'string') return { error: message };
      if (message === OTHER_PROGRAM) return SKIPPED;
      const inner = programs(message.program);
      if (inner === undefined) return SKIPPED;
      return inner(message.message, message, ctx);
    },
  };
}

/** Cheap look: `<PRI>`, a classic stamp or an RFC 3339 date at the start. */
export function detectSyslog(line: string): boolean {
  let i = 0;
  if (line.charCodeAt(0) === 60) {
    const close = line.indexOf('>');
    if (close < 2 || close > 4) return false;
    i = close + 1;
    if (line.charCodeAt(i) === 49 && line.charCodeAt(i + 1) === 32) i += 2;
  }
  if (classicTimeLength(line, i) > 0) return true;
  return line.charCodeAt(i + 4) === 45 && line.charCodeAt(i + 7) === 45 && line.charCodeAt(i + 10) === 84;
}

function sshdFor(program: string): MessageParser | undefined {
  return isSshdProgram(program) ? parseSshdMessage : undefined;
}

/** [syslog] RFC 3164 / RFC 5424 lines; sshd messages go to the sshd parser, other programs are skipped. */
const syslogLines = createSyslogParser('syslog', sshdFor, isSshdProgramAt);
export const syslogParser: LineParser = {
  ...syslogLines,
  // sshd is the only program read: the same byte-level path as the sshd parser.
  parseBytes: (bytes, start, end, ctx) => parseSshdBytes(bytes, start, end, ctx, syslogLines.parse),
};

/** Events built by inner parsers carry these labels: exported for parsers that build their own. */
export function syslogLabels(meta: MessageMeta, parser: string, ctx: ParseContext): SecurityEvent['labels'] {
  const labels: Record<string, string> = ctx.labels === undefined ? {} : { ...ctx.labels };
  if (meta.host !== undefined) labels.host = meta.host;
  if (meta.program !== undefined) labels.program = meta.program;
  if (meta.pid !== undefined) labels.pid = meta.pid;
  labels.parser = parser;
  if (meta.timeClamped) labels.timeClamped = 'true';
  return labels;
}
