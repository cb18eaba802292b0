import type { SecurityEvent } from '../../core/event.js';
import type { Detector, DetectorStats } from '../detector.js';
import { KeyedState } from '../windows/keyed-state.js';
import { existing } from './failure-ref.js';

interface LastFailure {
  lastSeen: number;
  order?: number;
  /** The most recently arrived failure from this IP. */
  time: number;
  eventId: string;
  username: string | undefined;
}

/**
 * The latest failed login per source IP, shared by the IP-keyed login
 * detectors (brute force, credential stuffing, password spraying, account
 * takeover).
 *
 * Most addresses fail once and are never seen again. Without this index every
 * IP-keyed detector would keep its own entry for each of them; with it, a
 * detector allocates its per-IP state only at an IP's second failure, seeded
 * with the first from here. With 1M distinct addresses that is one entry per
 * address instead of four.
 *
 * It is listed among the detectors so that its size and evictions show in
 * the detector metrics, and swept with them; it raises nothing. Each user
 * calls `observe(event)` for every failure it sees: the first call for an
 * event records it and keeps what was there before in `previous*`; further
 * calls for the same event (other detectors) get the same answer.
 */
export class FailureIndex implements Detector {
  readonly name = 'login_failure_index';
  private readonly ips: KeyedState<LastFailure>;
  private current: SecurityEvent | undefined;
  private currentId = '';
  private hadPrevious = false;
  previousTime = 0;
  previousEventId = '';
  previousUsername: string | undefined;

  constructor(options: { maxTrackedIps: number; horizonMs: number }) {
    this.ips = new KeyedState<LastFailure>({ maxKeys: options.maxTrackedIps, ttlMs: options.horizonMs });
  }

  /**
   * Records a failure (once per event) and answers whether its IP had failed
   * before within the horizon; if so, `previousTime/EventId/Username` describe
   * the latest such failure.
   */
  observe(event: SecurityEvent): boolean {
    // The same event object seen again (the next detector), not a reused object carrying a new event.
    if (event === this.current && event.id === this.currentId) return this.hadPrevious;
    this.current = event;
    this.currentId = event.id;
    const t = event.timestamp;
    const record = this.ips.get(event.sourceIp);
    if (record === undefined) {
      this.hadPrevious = false;
      this.ips.touch(event.sourceIp, () => ({ lastSeen: t, time: t, eventId: event.id, username: event.username }));
      return false;
    }
    this.ips.touch(event.sourceIp, existing);
    this.hadPrevious = true;
    this.previousTime = record.time;
    this.previousEventId = record.eventId;
    this.previousUsername = record.username;
    record.time = t;
    record.eventId = event.id;
    record.username = event.username;
    if (t > record.lastSeen) record.lastSeen = t;
    return true;
  }

  /** The latest failure from `ip` (for a success that needs the failures before it), without recording anything. */
  latest(ip: string): { time: number; eventId: string; username: string | undefined } | undefined {
    return this.ips.get(ip);
  }

  onEvent(): void {}

  advance(watermark: number): void {
    this.ips.sweep(watermark);
  }

  flush(): void {
    this.current = undefined;
    this.ips.clear();
  }

  stats(): DetectorStats {
    return { trackedKeys: this.ips.size, evictedKeys: this.ips.evicted };
  }
}
