/**
 * Time is injected everywhere so that event time, not the wall clock, drives
 * windows and decisions: replaying a file gives the same detections as live
 * ingestion of the same events.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests. */
export class ManualClock implements Clock {
  constructor(private current = 0) {}
  now(): number {
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/**
 * Event-time clock: the watermark is the largest event timestamp seen so far.
 * In replay it is the only clock; live, it is bounded by the wall clock so a
 * forged far-future timestamp cannot drag time forward.
 */
export class EventTimeClock implements Clock {
  private watermark = Number.NEGATIVE_INFINITY;
  observe(timestamp: number): void {
    if (timestamp > this.watermark) this.watermark = timestamp;
  }
  now(): number {
    return this.watermark === Number.NEGATIVE_INFINITY ? 0 : this.watermark;
  }
}
