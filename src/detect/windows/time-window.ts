/**
 * Event times of one key, kept sorted so that out-of-order arrivals count
 * correctly. Holds only what can still matter: times within `horizonMs` of
 * the newest one, and at most `capacity` of them (the oldest go first).
 *
 * `maxInSpan(t, span)` answers "how many events fall in the busiest interval
 * of length `span` that contains t" — the question every threshold detector
 * asks ("≥ 5 failures within 300 s"). Intervals are closed: events exactly
 * `span` apart are in the same window.
 */
export class TimeWindow<T = undefined> {
  readonly times: number[] = [];
  /** Payload per time (e.g. the username of each failure), same order. */
  readonly items: T[] = [];

  constructor(
    private readonly horizonMs: number,
    private readonly capacity: number,
  ) {}

  get length(): number {
    return this.times.length;
  }

  get newest(): number {
    const n = this.times.length;
    return n === 0 ? Number.NEGATIVE_INFINITY : (this.times[n - 1] as number);
  }

  get oldest(): number {
    return this.times.length === 0 ? Number.POSITIVE_INFINITY : (this.times[0] as number);
  }

  /** Insert in time order; returns false (and stores nothing) when t is already beyond the horizon. */
  add(t: number, item: T): boolean {
    const times = this.times;
    const newest = this.newest;
    if (t < newest - this.horizonMs) return false;
    let i = times.length;
    if (t >= newest) {
      times.push(t);
      this.items.push(item);
    } else {
      while (i > 0 && (times[i - 1] as number) > t) i--;
      times.splice(i, 0, t);
      this.items.splice(i, 0, item);
    }
    this.prune();
    return true;
  }

  /** Set by maxInSpan: indices [spanFrom, spanTo) of the busiest interval found. */
  spanFrom = 0;
  spanTo = 0;

  /**
   * Largest number of events in one closed interval of length `span` that
   * contains t; the interval's indices are left in spanFrom/spanTo (evidence).
   */
  maxInSpan(t: number, span: number): number {
    const times = this.times;
    const n = times.length;
    let bestFrom = 0;
    let bestTo = 0;
    // Candidate intervals start at an event time s with t - span <= s <= t.
    let lo = 0;
    while (lo < n && (times[lo] as number) < t - span) lo++;
    let hi = lo;
    for (let s = lo; s < n; s++) {
      const start = times[s] as number;
      if (start > t) break;
      if (hi < s) hi = s;
      while (hi < n && (times[hi] as number) <= start + span) hi++;
      if (hi - s > bestTo - bestFrom) {
        bestFrom = s;
        bestTo = hi;
      }
    }
    this.spanFrom = bestFrom;
    this.spanTo = bestTo;
    return bestTo - bestFrom;
  }

  clear(): void {
    this.times.length = 0;
    this.items.length = 0;
  }

  private prune(): void {
    const times = this.times;
    const limit = this.newest - this.horizonMs;
    let drop = 0;
    while (drop < times.length && (times[drop] as number) < limit) drop++;
    const over = times.length - drop - this.capacity;
    if (over > 0) drop += over;
    if (drop > 0) {
      times.splice(0, drop);
      this.items.splice(0, drop);
    }
  }
}
