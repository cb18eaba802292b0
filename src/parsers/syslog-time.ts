/**
 * Time stamps of syslog-style logs.
 *
 *  - Classic BSD syslog (`Nov 18 09:16:05`) has neither year nor zone: the zone
 *    comes from configuration (IANA name, default UTC) and the year from the
 *    reference time (`ctx.now()`: wall clock live, watermark in replay), with a
 *    year-rollover rule so that a `Dec 31` stamp read on Jan 1 lands in the old year.
 *  - ISO-8601 / RFC 3339 stamps (rsyslog high-precision, RFC 5424, Spring Boot)
 *    carry the year and usually the zone; a stamp without zone is local time
 *    in the configured zone.
 *
 * Zone offsets come from `Intl.DateTimeFormat` (the platform's tz database) and
 * are cached per zone and wall-clock minute, so the hot path calls Intl once
 * per minute of log, not once per line.
 */

export const DEFAULT_TIME_ZONE = 'UTC';

/** A classic stamp may lie at most this far in the future of the reference before it is taken as last year's. */
export const YEAR_ROLLOVER_MS = 7 * 86_400_000;
/** Stamps further than this in the future of the reference are implausible and clamped. */
export const MAX_FUTURE_MS = 86_400_000;
/** Stamps further than this in the past of the reference are implausible and clamped. */
export const MAX_PAST_MS = 10 * 365.25 * 86_400_000;

export class InvalidTimeZoneError extends Error {
  constructor(readonly timeZone: string) {
    super(`unknown time zone "${timeZone}": use an IANA name such as "UTC" or "Europe/Berlin"`);
    this.name = 'InvalidTimeZoneError';
  }
}

/** An event time after the plausibility check. */
export interface EventTime {
  timestamp: number;
  /** The stamp was implausibly far from the reference and was replaced by it (count it). */
  clamped: boolean;
}

/** Replace implausible times (> 1 day ahead, > 10 years behind the reference) by the reference. */
export function clampToReference(timestamp: number, reference: number): EventTime {
  if (timestamp - reference > MAX_FUTURE_MS || reference - timestamp > MAX_PAST_MS) {
    return { timestamp: reference, clamped: true };
  }
  return { timestamp, clamped: false };
}

// ---------------------------------------------------------------- zone offsets

interface ZoneCache {
  formatter: Intl.DateTimeFormat;
  /** wall-clock minute (epoch minutes, as if UTC) -> offset in ms (local - UTC). */
  offsetByWallMinute: Map<number, number>;
}

/** Bound on cached minutes per zone (about 70 days of continuous log); cleared wholesale when full. */
const MAX_CACHED_MINUTES = 100_000;
const zones = new Map<string, ZoneCache>();

function zoneCache(timeZone: string): ZoneCache {
  let cache = zones.get(timeZone);
  if (cache === undefined) {
    let formatter: Intl.DateTimeFormat;
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new InvalidTimeZoneError(timeZone);
    }
    cache = { formatter, offsetByWallMinute: new Map() };
    zones.set(timeZone, cache);
  }
  return cache;
}

/** Throws InvalidTimeZoneError when the zone is not known to this runtime. */
export function assertTimeZone(timeZone: string): void {
  zoneCache(timeZone);
}

/** Offset (local - UTC, ms) of `timeZone` at the instant `utc`. */
function offsetAt(formatter: Intl.DateTimeFormat, utc: number): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatter.formatToParts(utc)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value) % 24;
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      default:
        break;
    }
  }
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  return local - (utc - (((utc % 1000) + 1000) % 1000));
}

/**
 * Epoch ms of a wall-clock time in `timeZone`; `wall` is that wall time
 * encoded as if it were UTC (`Date.UTC(y, m, d, h, mi, s, ms)`). In a DST gap
 * the result is shifted forward by the gap; in an overlap the earlier of the
 * two instants is taken.
 */
export function wallTimeToEpoch(wall: number, timeZone: string = DEFAULT_TIME_ZONE): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return wall;
  const cache = zoneCache(timeZone);
  const minute = Math.floor(wall / 60_000);
  let offset = cache.offsetByWallMinute.get(minute);
  if (offset === undefined) {
    // The offsets half a day before and after bracket any transition on that
    // day (Temporal's "compatible" disambiguation): in an overlap the earlier
    // instant wins, in a gap the wall time is read with the offset from before
    // the gap, i.e. shifted forward by the gap's length.
    const start = minute * 60_000;
    const before = offsetAt(cache.formatter, start - 43_200_000);
    const after = offsetAt(cache.formatter, start + 43_200_000);
    if (before === after) {
      offset = before;
    } else {
      const validBefore = offsetAt(cache.formatter, start - before) === before;
      const validAfter = offsetAt(cache.formatter, start - after) === after;
      if (validBefore && validAfter) offset = Math.max(before, after);
      else if (validAfter) offset = after;
      else offset = before;
    }
    if (cache.offsetByWallMinute.size >= MAX_CACHED_MINUTES) cache.offsetByWallMinute.clear();
    cache.offsetByWallMinute.set(minute, offset);
  }
  return wall - offset;
}

// ---------------------------------------------------------------- classic syslog

/** Month index 0..11 of the three letters at `i`, or -1. Case-sensitive as syslog writes them. */
function monthAt(text: string, i: number): number {
  return monthOfLetters((text.charCodeAt(i) << 16) | (text.charCodeAt(i + 1) << 8) | text.charCodeAt(i + 2));
}

/** Month index 0..11 of three letter codes packed as (a << 16) | (b << 8) | c ("Jan" … "Dec"), or -1. */
export function monthOfLetters(packed: number): number {
  switch (packed) {
    case 0x4a616e: return 0; // Jan
    case 0x466562: return 1; // Feb
    case 0x4d6172: return 2; // Mar
    case 0x417072: return 3; // Apr
    case 0x4d6179: return 4; // May
    case 0x4a756e: return 5; // Jun
    case 0x4a756c: return 6; // Jul
    case 0x417567: return 7; // Aug
    case 0x536570: return 8; // Sep
    case 0x4f6374: return 9; // Oct
    case 0x4e6f76: return 10; // Nov
    case 0x446563: return 11; // Dec
    default: return -1;
  }
}

function digit(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

function twoDigits(text: string, i: number): number {
  const a = digit(text, i);
  const b = digit(text, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 1 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month] ?? 31;
}

/**
 * One-entry memo of the last classic stamp's minute: consecutive log lines
 * mostly share it. The entry holds the range of reference times for
 * which the year choice stays the same, so a hit is exactly what a full
 * computation would return.
 */
interface ClassicMemo {
  stamp: string;
  timeZone: string;
  epoch: number;
  referenceFrom: number;
  referenceUntil: number;
}
let lastClassic: ClassicMemo | undefined;

/**
 * Length of the classic stamp at `start`: 15 for `Nov  8 09:16:05` / `Nov 08 …`,
 * 14 for the unpadded `Nov 8 09:16:05` some daemons write; 0 when there is none.
 */
export function classicTimeLength(text: string, start: number): number {
  if (monthAt(text, start) < 0 || text.charCodeAt(start + 3) !== 32) return 0;
  // Day: " 8", "08" or "8" (unpadded), then a space and HH:MM:SS.
  const unpadded = digit(text, start + 4) >= 0 && text.charCodeAt(start + 5) === 32;
  const t = unpadded ? start + 6 : start + 7;
  if (!unpadded && (text.charCodeAt(start + 6) !== 32 || digit(text, start + 5) < 0)) return 0;
  if (text.charCodeAt(t + 2) !== 58 || text.charCodeAt(t + 5) !== 58) return 0;
  if (twoDigits(text, t) < 0 || twoDigits(text, t + 3) < 0 || twoDigits(text, t + 6) < 0) return 0;
  return t + 8 - start;
}

/**
 * Epoch ms of the classic stamp at `start` (see classicTimeLength), or NaN.
 * The year is the latest one that puts the stamp no more than 7 days after
 * `reference`: a `Dec 31` stamp read on Jan 2 is last year's, a `Jan 1`
 * stamp read on Dec 31 (a clock a little ahead) is next year's. Not clamped.
 */
export function parseClassicTime(
  text: string,
  start: number,
  reference: number,
  timeZone: string = DEFAULT_TIME_ZONE,
): number {
  const hit = memoHit(text, start, reference, timeZone);
  if (!Number.isNaN(hit)) return hit;
  const length = classicTimeLength(text, start);
  return length === 0 ? Number.NaN : computeClassicTime(text, start, length, reference, timeZone);
}

/** Where readClassicTime puts its result (a caller-owned object, reused line after line). */
export interface ClassicTime {
  /** Length of the stamp (see classicTimeLength); 0 when there is none. */
  length: number;
  /** Epoch ms (see parseClassicTime); NaN when there is no stamp or it is invalid. */
  epoch: number;
}

/**
 * classicTimeLength and parseClassicTime in one step, for the parsers' hot
 * path: a stamp in the same minute as the previous one (most lines of a log)
 * is compared with the memoised `Mmm dd HH:MM` and only its seconds are read.
 */
export function readClassicTime(text: string, start: number, reference: number, timeZone: string, out: ClassicTime): void {
  const hit = memoHit(text, start, reference, timeZone);
  if (!Number.isNaN(hit)) {
    // A hit is a valid stamp: the memo's `Mmm dd HH:MM` and `:SS`.
    out.length = (lastClassic as ClassicMemo).stamp.length + 3;
    out.epoch = hit;
    return;
  }
  const length = classicTimeLength(text, start);
  out.length = length;
  out.epoch = length === 0 ? Number.NaN : computeClassicTime(text, start, length, reference, timeZone);
}

/** The memoised minute's epoch plus the seconds when the stamp at `start` is in it (and `:SS ` follows), else NaN. */
function memoHit(text: string, start: number, reference: number, timeZone: string): number {
  const memo = lastClassic;
  if (
    memo !== undefined &&
    reference >= memo.referenceFrom &&
    reference < memo.referenceUntil &&
    memo.timeZone === timeZone &&
    text.startsWith(memo.stamp, start)
  ) {
    // Hit on `Mmm dd HH:MM`: only the seconds are left (`:SS ` follows).
    const s = start + memo.stamp.length;
    const second = twoDigits(text, s + 1);
    if (text.charCodeAt(s) === 58 && second >= 0 && second <= 60 && text.charCodeAt(s + 3) === 32) {
      return memo.epoch + Math.min(second, 59) * 1000;
    }
  }
  return Number.NaN;
}

/** parseClassicTime without the memo lookup; `length` from classicTimeLength (> 0). Memoises the minute. */
function computeClassicTime(text: string, start: number, length: number, reference: number, timeZone: string): number {
  const month = monthAt(text, start);
  const t = start + length - 8;
  const day = length === 14 ? digit(text, start + 4) : Math.max(0, digit(text, start + 4)) * 10 + digit(text, start + 5);
  const hour = twoDigits(text, t);
  const minute = twoDigits(text, t + 3);
  const second = Math.min(twoDigits(text, t + 6), 59);
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const latest = reference + YEAR_ROLLOVER_MS;
  // Start one year after the reference's (UTC) year; a Feb 29 stamp may need up to 8 years back.
  let year = new Date(reference).getUTCFullYear() + 1;
  let later = Number.POSITIVE_INFINITY; // start of the stamp's minute in the next candidate year up
  for (let tries = 0; tries < 10; tries++, year--) {
    if (day > daysInMonth(year, month)) continue;
    const minuteEpoch = wallTimeToEpoch(Date.UTC(year, month, day, hour, minute), timeZone);
    const epoch = minuteEpoch + second * 1000;
    if (epoch <= latest) {
      // Every second of this minute resolves to this year for references in
      // [minute + 59 s - 7 d, later minute - 7 d): memoise the minute.
      if (later !== Number.POSITIVE_INFINITY) {
        lastClassic = {
          stamp: text.slice(start, start + length - 3),
          timeZone,
          epoch: minuteEpoch,
          referenceFrom: minuteEpoch + 59_000 - YEAR_ROLLOVER_MS,
          referenceUntil: later - YEAR_ROLLOVER_MS,
        };
      }
      return epoch;
    }
    later = minuteEpoch;
  }
  return Number.NaN;
}

// ---------------------------------------------------------------- ISO-8601 / RFC 3339

/**
 * Epoch ms of an ISO-8601 / RFC 3339 date-time (`T` or space between date and
 * time, optional fraction of any length, `Z` / `±hh:mm` / `±hhmm` / `±hh`), or
 * NaN. Without a zone the wall time is taken in `timeZone`.
 */
export function parseIsoTime(text: string, timeZone: string = DEFAULT_TIME_ZONE): number {
  // YYYY-MM-DD?HH:MM:SS — fixed positions, checked by hand (no regex on the hot path).
  if (text.length < 19 || text.length > 40) return Number.NaN;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return Number.NaN;
  const sep = text.charCodeAt(10);
  if (sep !== 84 /* T */ && sep !== 32 /* space */ && sep !== 116 /* t */) return Number.NaN;
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return Number.NaN;
  const y1 = twoDigits(text, 0);
  const y2 = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  if (y1 < 0 || y2 < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return Number.NaN;
  if (minute < 0 || minute > 59 || second < 0 || second > 60) return Number.NaN;
  const year = y1 * 100 + y2;
  if (day > daysInMonth(year, month - 1)) return Number.NaN;
  let i = 19;
  let millis = 0;
  if (text.charCodeAt(i) === 46 /* . */ || text.charCodeAt(i) === 44 /* , */) {
    i++;
    let scale = 100;
    const fractionStart = i;
    for (; i < text.length; i++) {
      const d = digit(text, i);
      if (d < 0) break;
      millis += d * scale;
      scale /= 10;
    }
    if (i === fractionStart) return Number.NaN;
    millis = Math.floor(millis);
  }
  const wall = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), millis);
  if (i === text.length) return wallTimeToEpoch(wall, timeZone);
  const z = text.charCodeAt(i);
  if ((z === 90 /* Z */ || z === 122 /* z */) && i + 1 === text.length) return wall;
  if (z !== 43 /* + */ && z !== 45 /* - */) return Number.NaN;
  const offsetHours = twoDigits(text, i + 1);
  let offsetMinutes = 0;
  const rest = text.length - (i + 3);
  if (rest === 3 && text.charCodeAt(i + 3) === 58) offsetMinutes = twoDigits(text, i + 4);
  else if (rest === 2) offsetMinutes = twoDigits(text, i + 3);
  else if (rest !== 0) return Number.NaN;
  if (offsetHours < 0 || offsetHours > 23 || offsetMinutes < 0 || offsetMinutes > 59) return Number.NaN;
  const offset = (offsetHours * 60 + offsetMinutes) * 60_000;
  return z === 43 ? wall - offset : wall + offset;
}
