import type { SecurityEvent } from '../../core/event.js';

/** One second of processed events. */
export interface SecondPoint {
  /** Start of the second (epoch ms, wall clock). */
  t: number;
  events: number;
  failures: number;
}

export interface TopEntry {
  key: string;
  count: number;
}

export interface TopLists {
  ips: TopEntry[];
  usernames: TopEntry[];
  countries: TopEntry[];
  /** Seconds the counts cover (between one and two windows). */
  windowSeconds: number;
  /** Keys not counted because a window's map was full. */
  overflow: number;
  /** 1: every event counted; n: one in n counted with weight n (high rates), so counts are estimates. */
  sampleEvery: number;
}

export interface LiveStatsOptions {
  /** Seconds of per-second history kept for the chart. */
  historySeconds: number;
  /** Top lists count over the current and the previous window of this many seconds. */
  topWindowSeconds: number;
  /** Distinct keys counted per list and window; further keys are counted as overflow. */
  maxKeys: number;
  /**
   * Events per second fed to the top lists: above it, about one event in n
   * (at pseudo-random gaps of mean n) is counted with weight n (n from the previous second's rate), which bounds
   * the hot-path cost whatever the throughput. Default 10,000.
   */
  topSamplesPerSecond?: number;
}

/** A mutable count: one map lookup per event for keys already seen. */
interface Counter {
  n: number;
}

/** Counts per key in one window, bounded. */
class WindowCounts {
  current = new Map<string, Counter>();
  previous = new Map<string, Counter>();
  overflow = 0;

  constructor(private readonly maxKeys: number) {}

  add(key: string, weight: number): void {
    const counter = this.current.get(key);
    if (counter !== undefined) counter.n += weight;
    else if (this.current.size < this.maxKeys) this.current.set(key, { n: weight });
    else this.overflow++;
  }

  rotate(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  top(k: number): TopEntry[] {
    const merged = new Map<string, number>();
    for (const [key, counter] of this.previous) merged.set(key, counter.n);
    for (const [key, counter] of this.current) merged.set(key, (merged.get(key) ?? 0) + counter.n);
    // Keep the k largest in a small sorted array: one pass, no full sort.
    const best: TopEntry[] = [];
    for (const [key, count] of merged) {
      if (best.length === k && count <= (best[k - 1] as TopEntry).count) continue;
      let i = best.length < k ? best.length : k - 1;
      if (best.length < k) best.push({ key, count });
      else best[i] = { key, count };
      while (i > 0 && (best[i - 1] as TopEntry).count < count) {
        const swap = best[i - 1] as TopEntry;
        best[i - 1] = best[i] as TopEntry;
        best[i] = swap;
        i--;
      }
    }
    return best;
  }
}

/**
 * What the dashboard charts, counted off the hot path's batches: events and
 * login failures per wall-clock second (a ring of `historySeconds`), and the
 * busiest source IPs, usernames and countries (event geo, when the source
 * gave one) over the last one to two `topWindowSeconds` windows. Memory is
 * bounded by `maxKeys` per list and window; above `topSamplesPerSecond`
 * events/s the top lists are sampled, so their cost per second is bounded.
 */
export class LiveStats {
  private readonly history: SecondPoint[] = [];
  private events = 0;
  private failures = 0;
  private readonly ips: WindowCounts;
  private readonly usernames: WindowCounts;
  private readonly countries: WindowCounts;
  private windowStart: number | undefined;
  /** Count one event in `sampleEvery` for the top lists (1: every event). */
  private sampleEvery = 1;
  /** Events to pass before the next counted one: drawn pseudo-randomly (mean sampleEvery) so periodic traffic cannot line up with it. */
  private skip = 0;
  /** xorshift32 state. */
  private random = 0x9e3779b9;

  constructor(private readonly options: LiveStatsOptions) {
    this.ips = new WindowCounts(options.maxKeys);
    this.usernames = new WindowCounts(options.maxKeys);
    this.countries = new WindowCounts(options.maxKeys);
  }

  /** A processed batch (the pipeline's event sink). */
  record(events: readonly SecurityEvent[]): void {
    const every = this.sampleEvery;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as SecurityEvent;
      if (event.kind === 'login.failure') this.failures++;
      if (every > 1) {
        if (--this.skip > 0) continue;
        this.skip = this.nextSkip(every);
      }
      this.ips.add(event.sourceIp, every);
      if (event.username !== undefined && event.username !== '') this.usernames.add(event.username, every);
      const country = event.geo?.country;
      if (country !== undefined && country !== '') this.countries.add(country, every);
    }
    this.events += events.length;
  }

  /** Uniform in 1 … 2·every − 1: a mean of `every`. */
  private nextSkip(every: number): number {
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    return 1 + ((x >>> 0) % (2 * every - 1));
  }

  /** Close the second that started at `t` (called once a second): returns its point and keeps it in the history. */
  closeSecond(t: number): SecondPoint {
    const point: SecondPoint = { t, events: this.events, failures: this.failures };
    this.sampleEvery = Math.max(1, Math.ceil(this.events / (this.options.topSamplesPerSecond ?? 10_000)));
    this.events = 0;
    this.failures = 0;
    this.history.push(point);
    if (this.history.length > this.options.historySeconds) this.history.shift();
    if (this.windowStart === undefined) this.windowStart = t;
    else if (t - this.windowStart >= this.options.topWindowSeconds * 1000) {
      this.ips.rotate();
      this.usernames.rotate();
      this.countries.rotate();
      this.windowStart = t;
    }
    return point;
  }

  series(): SecondPoint[] {
    return this.history.slice();
  }

  top(k = 10): TopLists {
    return {
      ips: this.ips.top(k),
      usernames: this.usernames.top(k),
      countries: this.countries.top(k),
      windowSeconds: this.options.topWindowSeconds * 2,
      overflow: this.ips.overflow + this.usernames.overflow + this.countries.overflow,
      sampleEvery: this.sampleEvery,
    };
  }
}
