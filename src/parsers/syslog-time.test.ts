import { describe, expect, it } from 'vitest';
import {
  assertTimeZone,
  clampToReference,
  classicTimeLength,
  InvalidTimeZoneError,
  MAX_FUTURE_MS,
  parseClassicTime,
  parseIsoTime,
  wallTimeToEpoch,
} from './syslog-time.js';

const at = (iso: string): number => Date.parse(iso);

describe('classic syslog time', () => {
  it('measures padded and unpadded stamps and rejects others', () => {
    expect(classicTimeLength('Nov 18 09:16:05 host', 0)).toBe(15);
    expect(classicTimeLength('Jan  5 01:31:41 host', 0)).toBe(15);
    expect(classicTimeLength('Feb 7 16:01:07 host', 0)).toBe(14);
    expect(classicTimeLength('Foo 18 09:16:05 host', 0)).toBe(0);
    expect(classicTimeLength('Nov 18 0916:05 host', 0)).toBe(0);
    expect(classicTimeLength('', 0)).toBe(0);
  });

  it('takes the year of the reference time, in UTC by default', () => {
    expect(parseClassicTime('Nov 18 09:16:05 h', 0, at('2026-11-20T00:00:00Z'))).toBe(at('2026-11-18T09:16:05Z'));
  });

  it('puts a December stamp read in January into the previous year', () => {
    expect(parseClassicTime('Dec 31 23:59:59 h', 0, at('2027-01-02T10:00:00Z'))).toBe(at('2026-12-31T23:59:59Z'));
  });

  it('puts a January stamp read late on Dec 31 (clock skew) into the next year', () => {
    expect(parseClassicTime('Jan  1 00:00:05 h', 0, at('2026-12-31T23:59:50Z'))).toBe(at('2027-01-01T00:00:05Z'));
  });

  it('accepts up to 7 days in the future before falling back a year', () => {
    const ref = at('2026-06-01T00:00:00Z');
    expect(parseClassicTime('Jun  7 00:00:00 h', 0, ref)).toBe(at('2026-06-07T00:00:00Z'));
    expect(parseClassicTime('Jun  9 00:00:00 h', 0, ref)).toBe(at('2025-06-09T00:00:00Z'));
  });

  it('finds the last leap year for Feb 29', () => {
    expect(parseClassicTime('Feb 29 12:00:00 h', 0, at('2027-03-01T00:00:00Z'))).toBe(at('2024-02-29T12:00:00Z'));
  });

  it('gives the same answer from the per-minute memo as from a full computation', () => {
    const ref = at('2027-01-02T00:00:00Z');
    const first = parseClassicTime('Dec 31 23:59:01 h', 0, ref);
    const memoised = parseClassicTime('Dec 31 23:59:42 h', 0, ref);
    expect(memoised - first).toBe(41_000);
    // A reference far later must not reuse the memoised year.
    expect(parseClassicTime('Dec 31 23:59:42 h', 0, at('2030-01-02T00:00:00Z'))).toBe(at('2029-12-31T23:59:42Z'));
  });

  it('rejects impossible dates', () => {
    expect(parseClassicTime('Feb 30 12:00:00 h', 0, at('2026-03-01T00:00:00Z'))).toBeNaN();
    expect(parseClassicTime('Nov 18 25:00:00 h', 0, at('2026-12-01T00:00:00Z'))).toBeNaN();
  });

  it('uses the configured IANA zone, across DST', () => {
    const ref = at('2026-12-01T00:00:00Z');
    // CEST (+02:00) in July, CET (+01:00) in November.
    expect(parseClassicTime('Jul  1 12:00:00 h', 0, ref, 'Europe/Berlin')).toBe(at('2026-07-01T10:00:00Z'));
    expect(parseClassicTime('Nov  1 12:00:00 h', 0, ref, 'Europe/Berlin')).toBe(at('2026-11-01T11:00:00Z'));
    expect(parseClassicTime('Nov  1 12:00:00 h', 0, ref, 'America/New_York')).toBe(at('2026-11-01T17:00:00Z'));
  });

  it('resolves DST gaps forward and overlaps to the earlier instant', () => {
    // Europe/Berlin 2026-03-29 02:00 -> 03:00 (gap), 2026-10-25 03:00 -> 02:00 (overlap).
    expect(wallTimeToEpoch(Date.UTC(2026, 2, 29, 2, 30), 'Europe/Berlin')).toBe(at('2026-03-29T01:30:00Z'));
    expect(wallTimeToEpoch(Date.UTC(2026, 9, 25, 2, 30), 'Europe/Berlin')).toBe(at('2026-10-25T00:30:00Z'));
    expect(wallTimeToEpoch(Date.UTC(2026, 9, 25, 3, 30), 'Europe/Berlin')).toBe(at('2026-10-25T02:30:00Z'));
  });

  it('throws a typed error for unknown zones', () => {
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(InvalidTimeZoneError);
    expect(() => parseClassicTime('Nov 18 09:16:05 h', 0, Date.now(), 'Mars/Olympus')).toThrow(/unknown time zone/);
  });
});

describe('ISO-8601 / RFC 3339 time', () => {
  it('reads fractions of any length and zones in all spellings', () => {
    expect(parseIsoTime('2019-07-08T17:40:16.954167-04:00')).toBe(at('2019-07-08T21:40:16.954Z'));
    expect(parseIsoTime('2019-07-08T17:40:16Z')).toBe(at('2019-07-08T17:40:16Z'));
    expect(parseIsoTime('2019-07-08 17:40:16,5+0200')).toBe(at('2019-07-08T15:40:16.500Z'));
    expect(parseIsoTime('2019-07-08T17:40:16+05')).toBe(at('2019-07-08T12:40:16Z'));
  });

  it('reads zone-less stamps in the configured zone', () => {
    expect(parseIsoTime('2024-05-01 12:00:00.123')).toBe(at('2024-05-01T12:00:00.123Z'));
    expect(parseIsoTime('2024-05-01 12:00:00.123', 'Europe/Berlin')).toBe(at('2024-05-01T10:00:00.123Z'));
  });

  it('rejects malformed stamps', () => {
    for (const bad of ['', '2019-07-08', '2019-13-08T17:40:16Z', '2019-02-30T00:00:00Z', '2019-07-08T17:40:16+2', 'yesterday at noon ok?']) {
      expect(parseIsoTime(bad), bad).toBeNaN();
    }
  });
});

describe('clamping', () => {
  const ref = at('2026-11-18T00:00:00Z');
  it('keeps plausible times', () => {
    expect(clampToReference(ref - 3600_000, ref)).toEqual({ timestamp: ref - 3600_000, clamped: false });
    expect(clampToReference(ref + MAX_FUTURE_MS, ref).clamped).toBe(false);
  });
  it('clamps far-future and far-past times to the reference', () => {
    expect(clampToReference(ref + MAX_FUTURE_MS + 1, ref)).toEqual({ timestamp: ref, clamped: true });
    expect(clampToReference(at('2015-04-16T18:02:50Z'), ref)).toEqual({ timestamp: ref, clamped: true });
  });
});
