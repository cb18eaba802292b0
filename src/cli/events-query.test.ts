import { describe, expect, it } from 'vitest';
import { UsageError } from './input.js';
import { parseTimeOption } from './events-query.js';

describe('parseTimeOption', () => {
  const now = Date.parse('2026-06-01T12:00:00Z');
  it('reads ages, epoch ms and ISO-8601 (UTC when no zone)', () => {
    expect(parseTimeOption('15m', 'since', now)).toBe(now - 15 * 60_000);
    expect(parseTimeOption('7d', 'since', now)).toBe(now - 7 * 86_400_000);
    expect(parseTimeOption('1w', 'since', now)).toBe(now - 7 * 86_400_000);
    expect(parseTimeOption('1700000000000', 'since', now)).toBe(1_700_000_000_000);
    expect(parseTimeOption('2026-05-31T00:00:00', 'until', now)).toBe(Date.parse('2026-05-31T00:00:00Z'));
  });
  it('rejects anything else with a usage error naming the option', () => {
    expect(() => parseTimeOption('yesterday', 'since', now)).toThrow(UsageError);
    expect(() => parseTimeOption('5y', 'until', now)).toThrow(/--until "5y"/);
  });
});
