import { assertTimeZone, DEFAULT_TIME_ZONE, monthOfLetters } from './syslog-time.js';
import { MAX_SYSLOG_LINE_CHARS } from './syslog.js';

/**
 * A check on the raw bytes of a classic syslog line (`Mmm dd HH:MM:SS host
 * tag[pid]: …`, no `<PRI>`), before it is decoded: true when the envelope is
 * well-formed and names a program `wanted` rejects, i.e. exactly when the
 * syslog/sshd parsers would answer "skipped" with the reason "other program".
 * Most lines of an auth.log are cron, sudo, systemd-logind…: `vigil replay`
 * counts those without decoding or allocating anything.
 *
 * It mirrors scan3164 (syslog.ts) check by check, on bytes. Anything it does
 * not mirror exactly answers false — a `<PRI>`, an RFC 3339 stamp, a stamp
 * that is not a valid date, bytes ≥ 0x80 where a character count matters, an
 * unknown time zone, a line longer than MAX_SYSLOG_LINE_CHARS bytes — and
 * the line goes through the full parser, which reports its error or skips it.
 * False never loses a line; true is only said of lines the parser skips
 * (syslog-prefilter.test.ts compares the two over many generated lines).
 *
 * A space, `:`, `[` or `]` byte is that character after UTF-8 decoding (they
 * never occur inside a multi-byte sequence, and invalid bytes decode to
 * U+FFFD), so scanning for them in bytes finds the same places.
 */
export type ProgramBytes = (bytes: Uint8Array, start: number, end: number) => boolean;

const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Month 0..11 of the three bytes at `i`, or -1. */
function monthAt(b: Uint8Array, i: number): number {
  return monthOfLetters((b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!);
}

/** The digit at `i` (undefined past the end counts as no digit), or -1. */
function digit(b: Uint8Array, i: number, end: number): number {
  if (i >= end) return -1;
  const d = b[i]! - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/**
 * Length of a classic stamp at `start` that parseClassicTime reads as a
 * date (some year has that day: Feb 29 is one), or 0. Mirrors
 * classicTimeLength + the range checks of parseClassicTime.
 */
function validClassicStamp(b: Uint8Array, start: number, end: number): number {
  const month = monthAt(b, start);
  if (month < 0 || b[start + 3] !== 32) return 0;
  const unpadded = digit(b, start + 4, end) >= 0 && b[start + 5] === 32;
  const t = unpadded ? start + 6 : start + 7;
  if (!unpadded && (b[start + 6] !== 32 || digit(b, start + 5, end) < 0)) return 0;
  if (b[t + 2] !== 58 || b[t + 5] !== 58) return 0;
  const h1 = digit(b, t, end);
  const h2 = digit(b, t + 1, end);
  const m1 = digit(b, t + 3, end);
  const m2 = digit(b, t + 4, end);
  if (h1 < 0 || h2 < 0 || m1 < 0 || m2 < 0 || digit(b, t + 6, end) < 0 || digit(b, t + 7, end) < 0) return 0;
  const day = unpadded ? b[start + 4]! - 48 : Math.max(0, digit(b, start + 4, end)) * 10 + (b[start + 5]! - 48);
  if (day < 1 || day > (MONTH_DAYS[month] as number) || h1 * 10 + h2 > 23 || m1 * 10 + m2 > 59) return 0;
  return t + 8 - start;
}

/** Index of the first `byte` in [from, limit), or -1; -2 when a byte ≥ 0x80 comes first. */
function asciiIndexOf(b: Uint8Array, byte: number, from: number, limit: number): number {
  for (let i = from; i < limit; i++) {
    const c = b[i]!;
    if (c === byte) return i;
    if (c >= 0x80) return -2;
  }
  return -1;
}

const knownZones = new Map<string, boolean>();

function zoneKnown(timeZone: string): boolean {
  let known = knownZones.get(timeZone);
  if (known === undefined) {
    try {
      assertTimeZone(timeZone);
      known = true;
    } catch {
      known = false;
    }
    knownZones.set(timeZone, known);
  }
  return known;
}

/** classicEnvelope: the line needs the full parser. */
export const ENVELOPE_UNKNOWN = -1;
/** classicEnvelope: a well-formed line of a program `wanted` rejects (the parsers skip it). */
export const ENVELOPE_OTHER_PROGRAM = -2;

/** Where classicEnvelope found the parts of a line of a wanted program (byte offsets; -1: absent). */
export interface EnvelopeBytes {
  hostStart: number;
  hostEnd: number;
  appStart: number;
  appEnd: number;
  procStart: number;
  procEnd: number;
  /** Every byte before the message is ASCII: the offsets (minus the line's start) are character offsets too. */
  ascii: boolean;
}

/**
 * The classic envelope of bytes [start, end) as scan3164 reads it:
 * ENVELOPE_OTHER_PROGRAM, ENVELOPE_UNKNOWN, or — for a well-formed line of a
 * program `wanted` accepts — the index of the first byte of its message (and
 * the parts in `out`, when given).
 */
export function classicEnvelope(
  b: Uint8Array,
  start: number,
  end: number,
  timeZone: string | undefined,
  wanted: ProgramBytes,
  out?: EnvelopeBytes,
): number {
  if (end - start > MAX_SYSLOG_LINE_CHARS || end - start < 16) return ENVELOPE_UNKNOWN;
  if (timeZone !== undefined && timeZone !== DEFAULT_TIME_ZONE && !zoneKnown(timeZone)) return ENVELOPE_UNKNOWN;
  const stamp = validClassicStamp(b, start, end);
  if (stamp === 0) return ENVELOPE_UNKNOWN;
  let i = start + stamp;
  while (i < end && b[i] === 32) i++;
  if (i >= end) return ENVELOPE_UNKNOWN;
  let tagStart = i;
  let hostStart = -1;
  let hostEnd = -1;
  let high = 0; // OR of the bytes scanned in host and tag: bit 7 set when one is not ASCII
  if (b[i] !== 91 /* [ */) {
    let space = i;
    for (; space < end; space++) {
      const c = b[space]!;
      if (c === 32) break;
      high |= c;
    }
    if (space >= end) return ENVELOPE_UNKNOWN;
    if (b[space - 1] !== 58 /* : */) {
      hostStart = i;
      hostEnd = space;
      tagStart = space + 1;
      while (tagStart < end && b[tagStart] === 32) tagStart++;
    }
  }
  let appStart: number;
  let appEnd: number;
  let procStart = -1;
  let procEnd = -1;
  let p = tagStart;
  if (b[p] === 91 /* [ */) {
    // The parser allows at most 64 characters from `[` to `]`: count them in ASCII only.
    const close = asciiIndexOf(b, 93, p, Math.min(end, p + 65));
    if (close < 0) return ENVELOPE_UNKNOWN;
    appStart = p + 1;
    appEnd = close;
    p = close + 1;
  } else {
    for (; p < end; p++) {
      const c = b[p]!;
      if (c === 91 || c === 58 || c === 32) break;
      high |= c;
    }
    if (p === tagStart) return ENVELOPE_UNKNOWN;
    appStart = tagStart;
    appEnd = p;
    if (p < end && b[p] === 91) {
      const close = asciiIndexOf(b, 93, p, Math.min(end, p + 25));
      if (close < 0) return ENVELOPE_UNKNOWN;
      procStart = p + 1;
      procEnd = close;
      p = close + 1;
    }
  }
  if (!wanted(b, appStart, appEnd)) return ENVELOPE_OTHER_PROGRAM;
  if (b[p] === 58 /* : */) p++;
  if (b[p] === 32) p++;
  // Solaris' `[ID 800047 auth.info] `: left to the parser.
  if (b[p] === 91 && b[p + 1] === 73 && b[p + 2] === 68 && b[p + 3] === 32) return ENVELOPE_UNKNOWN;
  if (out !== undefined) {
    out.hostStart = hostStart;
    out.hostEnd = hostEnd;
    out.appStart = appStart;
    out.appEnd = appEnd;
    out.procStart = procStart;
    out.procEnd = procEnd;
    // The stamp, the spaces and bracketed tags were checked as ASCII already.
    out.ascii = high < 0x80;
  }
  return p;
}

/** See the type comment above: true only for a well-formed classic line of a program `wanted` rejects. */
export function otherProgramLine(
  b: Uint8Array,
  start: number,
  end: number,
  timeZone: string | undefined,
  wanted: ProgramBytes,
): boolean {
  return classicEnvelope(b, start, end, timeZone, wanted) === ENVELOPE_OTHER_PROGRAM;
}
