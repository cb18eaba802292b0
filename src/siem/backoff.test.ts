import { describe, expect, it } from 'vitest';
import { backoffDelay, nextDelay, parseRetryAfter } from './backoff.js';

const policy = { initialDelayMs: 1000, maxDelayMs: 60_000, maxRetryAfterMs: 120_000 };

describe('backoff', () => {
  it('doubles per attempt with jitter between half and the full delay, capped', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 1)).toBe(4000);
    expect(backoffDelay(20, policy, () => 1)).toBe(60_000);
  });
  it('reads Retry-After as seconds or an HTTP date, and caps it', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:30 GMT'))).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(nextDelay(1, 5000, policy)).toBe(5000);
    expect(nextDelay(1, 10_000_000, policy)).toBe(120_000);
  });
});
