import { Type, type Static } from '@sinclair/typebox';
import { isCompanion, type SecurityEvent } from '../../core/event.js';
import type { IdGenerator } from '../../core/ids.js';
import type { ThreatLevel } from '../../core/threat-level.js';
import { threatLevelSchema } from '../../core/threat-level-schema.js';
import type { DetectionListener } from '../detector.js';
import { TrackingDetector } from '../tracking-detector.js';
import type { KeySpace } from '../windows/key-space.js';
import { SlotKeyedState } from '../windows/slot-keyed-state.js';
import { IpColumn } from './ip-column.js';
import { DetectionTracker, risingConfidence } from '../detection-tracker.js';
import { ipKey, ipOfKey } from './ip-key.js';

export const distributedAttackConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the distributed-attack (many IPs, one account) detector.' }),
    minDistinctIps: Type.Integer({ minimum: 2, default: 10, description: 'Distinct IPs failing on one username within the window.' }),
    windowSeconds: Type.Number({ exclusiveMinimum: 0, default: 600, description: 'Window of event time, in seconds.' }),
    severity: threatLevelSchema('HIGH'),
    maxTrackedUsers: Type.Integer({
      minimum: 1,
      default: 1_000_000,
      description: 'Memory bound: usernames tracked at once; the least recently seen is evicted beyond it (counted).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type DistributedAttackConfig = Static<typeof distributedAttackConfigSchema>;

/**
 * ≥ minDistinctIps distinct IPs failing on one username within the window →
 * one HIGH detection per username (subject = the username; the IPs are the
 * evidence, capped). Each IP may stay below every per-IP threshold: only the
 * per-user view sees this attack.
 */
export class DistributedAttackDetector extends TrackingDetector {
  readonly name = 'distributed_attack';
  private readonly windowMs: number;
  /**
   * Per username (a slot): the first failing IP inline (its latest failure
   * is the user's lastSeen while it is the only one), then from the second IP a map of the latest failure time per
   * failing IP, least recently failing first. One entry per IP (not per
   * failure) so one IP hammering the account cannot push the others out.
   */
  private readonly users: SlotKeyedState;
  private readonly firstIp = new IpColumn();
  /** From the second IP (few users): slot → IP → latest failure time. */
  private readonly ipMaps = new Map<number, Map<string, number>>();
  protected readonly tracker: DetectionTracker;
  /** Per-user IP map bound: enough to find the threshold, with room for stragglers. */
  private readonly maxIpsPerUser: number;
  private readonly scratchTimes: number[] = [];

  constructor(
    private readonly config: DistributedAttackConfig,
    listener: DetectionListener,
    ids: IdGenerator,
    /** Usernames, shared with the other per-user login detectors; a private space when absent. */
    userKeys?: KeySpace,
  ) {
    super();
    this.windowMs = config.windowSeconds * 1000;
    this.tracker = new DetectionTracker(this.name, 'distributed_attack', config.severity as ThreatLevel, this.windowMs, listener, ids);
    this.users = new SlotKeyedState({
      maxKeys: config.maxTrackedUsers,
      ttlMs: 2 * this.windowMs,
      keys: userKeys,
      onFree: (slot) => {
        this.firstIp.clear(slot);
        if (this.ipMaps.size > 0) this.ipMaps.delete(slot);
      },
      onGrow: (capacity) => {
        this.firstIp.grow(capacity);
      },
    });
    this.maxIpsPerUser = Math.max(64, 4 * config.minDistinctIps);
  }

  onEvent(event: SecurityEvent): void {
    if (event.kind !== 'login.failure' || isCompanion(event)) return;
    const username = event.username;
    if (username === undefined) return;
    const ip = event.sourceIp;
    const t = event.timestamp;
    const open = this.tracker.get(username);
    if (open !== undefined) {
      this.tracker.note(open, t, event.id, undefined, ip);
      open.detection.confidence = this.confidence(open.ips.size);
      return;
    }
    const users = this.users;
    const slot = users.get(username);
    if (slot === -1) {
      const fresh = users.insert(username, t);
      this.firstIp.set(fresh, ipKey(ip));
      return;
    }
    users.touch(slot);
    let ips = this.ipMaps.size === 0 ? undefined : this.ipMaps.get(slot);
    if (ips === undefined) {
      // Every failure so far came from the first IP: its latest is the user's lastSeen.
      const firstTime = users.lastSeen[slot] as number;
      if (t > firstTime) users.lastSeen[slot] = t;
      const first = this.firstIp.get(slot);
      if (ipKey(ip) === first) return;
      ips = new Map([[ipOfKey(first), firstTime]]);
      this.ipMaps.set(slot, ips);
    }
    const previous = ips.get(ip);
    if (previous === undefined || t >= previous) {
      ips.delete(ip);
      ips.set(ip, t);
    }
    if (t > (users.lastSeen[slot] as number)) users.lastSeen[slot] = t;
    if (ips.size > this.maxIpsPerUser) this.trim(ips, users.lastSeen[slot] as number);
    if (ips.size < this.config.minDistinctIps) return;
    const from = this.denseFrom(ips, t);
    if (from === undefined) return;
    this.raise(username, ips, from, t, event.id);
    this.users.delete(username);
  }

  protected override get keyed(): SlotKeyedState {
    return this.users;
  }

  /** Drop IPs beyond the horizon, then the least recently failing ones, down to the bound. */
  private trim(ips: Map<string, number>, newest: number): void {
    const limit = newest - 2 * this.windowMs;
    for (const [ip, time] of ips) if (time < limit) ips.delete(ip);
    for (const ip of ips.keys()) {
      if (ips.size <= this.maxIpsPerUser) break;
      ips.delete(ip);
    }
  }

  /**
   * Start of a closed interval of length window that contains t and the
   * latest failure of ≥ minDistinctIps IPs, or undefined.
   */
  private denseFrom(ips: Map<string, number>, t: number): number | undefined {
    const w = this.windowMs;
    const times = this.scratchTimes;
    times.length = 0;
    for (const time of ips.values()) if (time >= t - w && time <= t + w) times.push(time);
    if (times.length < this.config.minDistinctIps) return undefined;
    times.sort((a, b) => a - b);
    let hi = 0;
    for (let s = 0; s < times.length; s++) {
      const start = times[s] as number;
      if (start > t) break;
      if (start < t - w) continue;
      if (hi < s) hi = s;
      while (hi < times.length && (times[hi] as number) <= start + w) hi++;
      if (hi - s >= this.config.minDistinctIps) return start;
    }
    return undefined;
  }

  private raise(username: string, ips: Map<string, number>, from: number, t: number, eventId: string): void {
    const tracked = this.tracker.raise(username, {
      username,
      confidence: 0,
      detectedAt: t,
      extra: { windowSeconds: this.config.windowSeconds, minDistinctIps: this.config.minDistinctIps },
    });
    const to = from + this.windowMs;
    // Only the latest failure per IP is kept, so the evidence counts one
    // failure per IP in the window; event ids start with the triggering one.
    for (const [ip, time] of ips) {
      if (time >= from && time <= to) this.tracker.note(tracked, time, eventId, username, ip);
    }
    tracked.detection.eventIds.length = 0;
    tracked.detection.eventIds.push(eventId);
    tracked.detection.confidence = this.confidence(tracked.ips.size);
    this.tracker.announce(tracked);
  }

  /** 0.8 at the IP threshold, rising with every further IP. */
  private confidence(distinctIps: number): number {
    return risingConfidence(0.8, 0.01, distinctIps, this.config.minDistinctIps);
  }
}
