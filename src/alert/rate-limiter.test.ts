import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('per-channel rate limit', () => {
  it('lets a burst through, then refills at the per-minute rate', () => {
    const limiter = new RateLimiter(6, 3); // one token every 10 s
    expect([0, 0, 0, 0].map(() => limiter.tryTake(1000))).toEqual([true, true, true, false]);
    expect(limiter.tryTake(10_999)).toBe(false);
    expect(limiter.tryTake(11_000)).toBe(true);
    expect(limiter.tryTake(11_000)).toBe(false);
    // A long pause refills up to the burst only.
    expect([0, 0, 0, 0].map(() => limiter.tryTake(10_000_000))).toEqual([true, true, true, false]);
  });

  it('does not limit with perMinute 0, and a clock going back gives no tokens', () => {
    const open = new RateLimiter(0, 1);
    expect(Array.from({ length: 100 }, () => open.tryTake(0)).every(Boolean)).toBe(true);
    const limiter = new RateLimiter(60, 1);
    expect(limiter.tryTake(5000)).toBe(true);
    expect(limiter.tryTake(1000)).toBe(false);
  });
});
