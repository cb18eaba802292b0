import { describe, expect, it } from 'vitest';
import { parseTimestamp } from './time.js';

describe('parseTimestamp', () => {
  it('takes epoch milliseconds as they are', () => {
    expect(parseTimestamp(1_700_000_000_123)).toBe(1_700_000_000_123);
  });
  it('parses ISO-8601 with a zone or offset', () => {
    expect(parseTimestamp('2024-05-01T12:00:00Z')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseTimestamp('2024-05-01T14:00:00+02:00')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseTimestamp('2024-05-01T12:00:00.250Z')).toBe(Date.UTC(2024, 4, 1, 12, 0, 0, 250));
  });
  it('reads a date-time without a zone as UTC, whatever the host zone', () => {
    expect(parseTimestamp('2024-05-01T12:00:00')).toBe(Date.UTC(2024, 4, 1, 12));
  });
  it('rejects what is not a date', () => {
    expect(parseTimestamp('yesterday')).toBeNaN();
    expect(parseTimestamp('1')).toBeNaN();
    expect(parseTimestamp('2024-13-45T00:00:00Z')).toBeNaN();
    expect(parseTimestamp(Number.POSITIVE_INFINITY)).toBeNaN();
    expect(parseTimestamp({})).toBeNaN();
    expect(parseTimestamp(null)).toBeNaN();
  });
});
