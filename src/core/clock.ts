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
