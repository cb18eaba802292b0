/**
 * Token bucket per channel: `burst` messages at once, then `perMinute` on
 * average. Time is passed in (clock-injected, pure). perMinute 0 = no limit.
 */
export class RateLimiter {
  private tokens: number;
  private last: number | undefined;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Takes one token when available; false means rate-limited. */
  tryTake(now: number): boolean {
    if (this.perMinute <= 0) return true;
    if (this.last !== undefined && now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perMinute) / 60_000);
    }
    if (this.last === undefined || now > this.last) this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
