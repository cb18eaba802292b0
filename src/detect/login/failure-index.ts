import type { SecurityEvent } from '../../core/event.js';
import type { Detector, DetectorStats } from '../detector.js';
import { growArray, growFloat, SlotKeyedState } from '../windows/slot-keyed-state.js';
import { EventIdColumn } from './event-id-column.js';
import { ipKey } from './ip-key.js';

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
 * An entry is a slot (SlotKeyedState) keyed by the address (an IPv4 address
 * as a number, see ip-key.ts) with three columns: time, event id
 * (EventIdColumn), username.
 *
 * It is listed among the detectors so that its size and evictions show in
 * the detector metrics, and swept with them; it raises nothing. Each user
 * calls `observe(event)` for every failure it sees: the first call for an
 * event records it and keeps what was there before in `previous*`; further
 * calls for the same event (other detectors) get the same answer.
 */
export class FailureIndex implements Detector {
  readonly name = 'login_failure_index';
  private readonly ips: SlotKeyedState;
  /** The most recently arrived failure per slot. */
  private times = new Float64Array(0);
  private readonly eventIds = new EventIdColumn();
  private usernames: (string | undefined)[] = [];
  private current: SecurityEvent | undefined;
  private currentId = '';
  private hadPrevious = false;
  previousTime = 0;
  previousEventId = '';
  previousUsername: string | undefined;
  /** Set by `latest`. */
  latestTime = 0;
  latestEventId = '';
  latestUsername: string | undefined;

  constructor(options: { maxTrackedIps: number; horizonMs: number }) {
    this.ips = new SlotKeyedState({
      maxKeys: options.maxTrackedIps,
      ttlMs: options.horizonMs,
      onFree: (slot) => {
        this.eventIds.clear(slot);
        this.usernames[slot] = undefined;
      },
      onGrow: (capacity) => {
        this.times = growFloat(this.times, capacity);
        this.eventIds.grow(capacity);
        this.usernames = growArray(this.usernames, capacity, undefined);
      },
    });
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
    const ips = this.ips;
    const key = ipKey(event.sourceIp);
    let slot = ips.get(key);
    if (slot === -1) {
      this.hadPrevious = false;
      slot = ips.insert(key, t);
      this.times[slot] = t;
      this.eventIds.set(slot, event.id);
      this.usernames[slot] = event.username;
      return false;
    }
    ips.touch(slot);
    this.hadPrevious = true;
    this.previousTime = this.times[slot] as number;
    this.previousEventId = this.eventIds.get(slot);
    this.previousUsername = this.usernames[slot];
    this.times[slot] = t;
    this.eventIds.set(slot, event.id);
    this.usernames[slot] = event.username;
    if (t > (ips.lastSeen[slot] as number)) ips.lastSeen[slot] = t;
    return true;
  }

  /**
   * Whether `ip` has a latest failure (for a success that needs the failures
   * before it); if so `latestTime/EventId/Username` describe it. Records nothing.
   */
  latest(ip: string): boolean {
    const slot = this.ips.get(ipKey(ip));
    if (slot === -1) return false;
    this.latestTime = this.times[slot] as number;
    this.latestEventId = this.eventIds.get(slot);
    this.latestUsername = this.usernames[slot];
    return true;
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
