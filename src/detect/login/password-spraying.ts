import { Type, type Static } from '@sinclair/typebox';
import { isCompanion, type SecurityEvent } from '../../core/event.js';
import type { IdGenerator } from '../../core/ids.js';
import type { ThreatLevel } from '../../core/threat-level.js';
import { threatLevelSchema } from '../../core/threat-level-schema.js';
import type { DetectionListener, Detector, DetectorStats } from '../detector.js';
import { KeyedState } from '../windows/keyed-state.js';
import { FailureIndex } from './failure-index.js';
import { TimeWindow } from '../windows/time-window.js';
import type { CredentialStuffingConfig } from './credential-stuffing.js';
import { findDenseSpan, type DenseSpan } from './dense-span.js';
import { DetectionTracker, risingConfidence } from '../detection-tracker.js';
import { existing, usernameOf, type FailureRef } from './failure-ref.js';
import { networkOf } from './network-key.js';

export const passwordSprayingConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the password-spraying detector.' }),
    minDistinctUsernames: Type.Integer({
      minimum: 2,
      default: 10,
      description: 'Distinct usernames failing from one source (IP or range) within the window.',
    }),
    maxAttemptsPerUsername: Type.Number({
      exclusiveMinimum: 0,
      default: 2,
      description:
        'Average failures per username in that window must not exceed this: few tries on many accounts. ' +
        'An average, not a maximum, so one retried account cannot hide a spray.',
    }),
    windowSeconds: Type.Number({ exclusiveMinimum: 0, default: 3600, description: 'Window of event time, in seconds.' }),
    severity: threatLevelSchema('HIGH'),
    ranges: Type.Boolean({
      default: true,
      description:
        'Also aggregate by network (IPv4 /24, IPv6 /64) to catch a spray rotating addresses; raised only when no single IP explains it.',
    }),
    minRangeIps: Type.Integer({
      minimum: 2,
      default: 2,
      description: 'A range-level spray needs at least this many addresses of the range, each failing on ≥ 2 usernames.',
    }),
    deferToStuffing: Type.Boolean({
      default: true,
      description:
        'Do not report spraying for an IP that meets the credential-stuffing burst within the window: it is stuffing (CRITICAL), reported by that detector.',
    }),
    redeemOnSuccess: Type.Boolean({
      default: true,
      description:
        'A success of a username from the same IP removes that username\'s earlier failures from the IP\'s and its range\'s window (a typo, not a guess).',
    }),
    maxTrackedIps: Type.Integer({
      minimum: 1,
      default: 1_000_000,
      description: 'Memory bound: IPs tracked at once; the least recently seen is evicted beyond it (counted).',
    }),
    maxTrackedRanges: Type.Integer({
      minimum: 1,
      default: 500_000,
      description: 'Memory bound: ranges tracked at once; the least recently seen is evicted beyond it (counted).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type PasswordSprayingConfig = Static<typeof passwordSprayingConfigSchema>;

/** The part of the credential-stuffing config that spraying defers to. */
export type StuffingBurst = Pick<CredentialStuffingConfig, 'minFailures' | 'minDistinctUsernames' | 'windowSeconds'>;
const DEFAULT_STUFFING_BURST: StuffingBurst = { minFailures: 10, minDistinctUsernames: 5, windowSeconds: 600 };

interface KeyState {
  lastSeen: number;
  firstTime: number;
  first: FailureRef;
  failures: TimeWindow<FailureRef> | undefined;
  /** Latest failure time at which the stuffing burst held (IP keys only). */
  lastBurst: number;
}

/**
 * Password spraying: one source trying many accounts with few attempts each,
 * low and slow — ≥ minDistinctUsernames usernames failing within the window
 * (1 h) with ≤ maxAttemptsPerUsername failures per username on average →
 * one HIGH detection per source.
 *
 * Sources are IPs and, with `ranges`, their /24 (IPv4) or /64 (IPv6); a
 * range is reported only when the pattern needs ≥ minRangeIps addresses and
 * none of them is reported (or deferred to stuffing) on its own, so one
 * attacker is one detection.
 *
 * Stuffing vs spraying: per-user attempt counts cannot tell them apart (both
 * try each account about once); tempo does. Stuffing replays a list as fast as
 * it can (≥ 10 failures / 10 min), spraying stays under rate limits. An IP
 * meeting the stuffing burst is stuffing; spraying stays silent for it while
 * the burst is within its window. The per-user average is what separates
 * spraying from brute force (many tries on few accounts).
 */
export class PasswordSprayingDetector implements Detector {
  readonly name = 'password_spraying';
  private readonly windowMs: number;
  private readonly burstMs: number;
  private readonly ips: KeyedState<KeyState>;
  private readonly ranges: KeyedState<KeyState>;
  private readonly tracker: DetectionTracker;
  private readonly scratch = new Map<string, number>();
  private readonly span: DenseSpan = { from: 0, to: 0, count: 0, distinct: 0 };
  private readonly distinctIps = new Set<string>();
  private readonly firstUserByIp = new Map<string, string>();
  private readonly acceptSpray: (count: number, distinct: number) => boolean;
  private readonly acceptBurst: (count: number, distinct: number) => boolean;
  private readonly capacity: number;

  constructor(
    private readonly config: PasswordSprayingConfig,
    listener: DetectionListener,
    ids: IdGenerator,
    stuffing: StuffingBurst = DEFAULT_STUFFING_BURST,
    /** Shared with the other IP-keyed login detectors; a private one when used alone. */
    private readonly index = new FailureIndex({ maxTrackedIps: config.maxTrackedIps, horizonMs: 2 * config.windowSeconds * 1000 }),
  ) {
    this.windowMs = config.windowSeconds * 1000;
    this.burstMs = stuffing.windowSeconds * 1000;
    this.tracker = new DetectionTracker(this.name, 'password_spraying', config.severity as ThreatLevel, this.windowMs, listener, ids);
    const ttlMs = 2 * this.windowMs;
    this.ips = new KeyedState<KeyState>({ maxKeys: config.maxTrackedIps, ttlMs });
    this.ranges = new KeyedState<KeyState>({ maxKeys: config.maxTrackedRanges, ttlMs });
    const { minDistinctUsernames, maxAttemptsPerUsername } = config;
    this.acceptSpray = (count, distinct) => distinct >= minDistinctUsernames && count <= maxAttemptsPerUsername * distinct;
    this.acceptBurst = (count, distinct) => count >= stuffing.minFailures && distinct >= stuffing.minDistinctUsernames;
    // Enough failures to see a spray at the allowed average, with room for noise.
    this.capacity = Math.max(256, Math.ceil(4 * minDistinctUsernames * maxAttemptsPerUsername));
  }

  onEvent(event: SecurityEvent): void {
    const kind = event.kind;
    if (kind === 'login.failure') {
      if (isCompanion(event)) return;
      const seen = this.index.observe(event);
      this.onFailure(this.ips, event.sourceIp, false, event, seen);
      if (this.config.ranges) {
        const range = networkOf(event.sourceIp);
        if (range !== undefined) this.onFailure(this.ranges, range, true, event, false);
      }
    } else if (kind === 'login.success' && this.config.redeemOnSuccess && event.username !== undefined) {
      this.redeem(event.sourceIp, event.username);
    }
  }

  advance(watermark: number): void {
    this.tracker.advance(watermark);
    this.ips.sweep(watermark);
    this.ranges.sweep(watermark);
  }

  flush(): void {
    this.tracker.flush();
    this.ips.clear();
    this.ranges.clear();
  }

  stats(): DetectorStats {
    return {
      trackedKeys: this.ips.size + this.ranges.size,
      evictedKeys: this.ips.evicted + this.ranges.evicted + this.tracker.evicted,
    };
  }

  /** `seenBefore`: for an IP key, the shared index holds an earlier failure from it. */
  private onFailure(states: KeyedState<KeyState>, key: string, isRange: boolean, event: SecurityEvent, seenBefore: boolean): void {
    const t = event.timestamp;
    const ip = event.sourceIp;
    const open = this.tracker.get(key);
    if (open !== undefined) {
      this.tracker.note(open, t, event.id, event.username, ip);
      open.detection.confidence = this.confidence(open.usernames.size);
      return;
    }
    let state = states.get(key);
    if (state === undefined) {
      if (isRange) {
        // A range's first failure is kept inline; its window starts at the second.
        states.touch(key, () => ({
          lastSeen: t,
          firstTime: t,
          first: { eventId: event.id, username: event.username, ip },
          failures: undefined,
          lastBurst: Number.NEGATIVE_INFINITY,
        }));
        return;
      }
      // An IP's first failure lives only in the shared index; its window starts at the second.
      if (!seenBefore) return;
      state = this.ipStateFromIndex(ip);
    } else {
      states.touch(key, existing);
    }
    if (t > state.lastSeen) state.lastSeen = t;
    let failures = state.failures;
    if (failures === undefined) {
      failures = state.failures = new TimeWindow<FailureRef>(2 * this.windowMs, this.capacity);
      failures.add(state.firstTime, state.first);
    }
    failures.add(t, { eventId: event.id, username: event.username, ip });
    if (failures.length < this.config.minDistinctUsernames) return;
    const { times, items } = failures;
    if (!isRange && this.config.deferToStuffing) {
      if (findDenseSpan(times, items, usernameOf, t, this.burstMs, this.acceptBurst, this.scratch, this.span)) {
        if (t > state.lastBurst) state.lastBurst = t;
      }
      if (Math.abs(t - state.lastBurst) <= this.windowMs) return;
    }
    if (!findDenseSpan(times, items, usernameOf, t, this.windowMs, this.acceptSpray, this.scratch, this.span)) return;
    if (isRange && !this.rangeNeeded(failures)) return;
    this.raise(key, isRange, failures, t);
    states.delete(key);
  }

  /**
   * A range counts only when it takes several addresses that each try several
   * accounts (a sprayer rotating addresses splits its list across them; many
   * addresses trying one account each are a distributed attack or unrelated
   * neighbours), and none of them is a spray (or stuffing) on its own.
   */
  private rangeNeeded(failures: TimeWindow<FailureRef>): boolean {
    const firstUserByIp = this.firstUserByIp;
    const rotating = this.distinctIps;
    const { from, to } = this.span;
    for (let i = from; i < to; i++) {
      const ref = failures.items[i] as FailureRef;
      if (ref.username === undefined) continue;
      const first = firstUserByIp.get(ref.ip);
      if (first === undefined) firstUserByIp.set(ref.ip, ref.username);
      else if (first !== ref.username) rotating.add(ref.ip);
    }
    let needed = rotating.size >= this.config.minRangeIps;
    if (needed) {
      for (const ip of firstUserByIp.keys()) {
        if (this.tracker.get(ip) !== undefined) needed = false;
        const state = this.ips.get(ip);
        if (state !== undefined && Math.abs(state.lastSeen - state.lastBurst) <= this.windowMs) needed = false;
        if (!needed) break;
      }
    }
    rotating.clear();
    firstUserByIp.clear();
    return needed;
  }

  private raise(key: string, isRange: boolean, failures: TimeWindow<FailureRef>, t: number): void {
    const { from, to } = this.span;
    const tracked = this.tracker.raise(key, {
      sourceIp: key,
      confidence: 0,
      detectedAt: t,
      extra: {
        scope: isRange ? 'range' : 'ip',
        windowSeconds: this.config.windowSeconds,
        minDistinctUsernames: this.config.minDistinctUsernames,
        maxAttemptsPerUsername: this.config.maxAttemptsPerUsername,
      },
    });
    for (let i = from; i < to; i++) {
      const ref = failures.items[i] as FailureRef;
      this.tracker.note(tracked, failures.times[i] as number, ref.eventId, ref.username, ref.ip);
    }
    const evidence = tracked.detection.evidence;
    evidence.attemptsPerUsername = Math.round((evidence.eventCount / Math.max(1, tracked.usernames.size)) * 100) / 100;
    tracked.detection.confidence = this.confidence(tracked.usernames.size);
    this.tracker.announce(tracked);
  }

  /** State for an IP at its second failure, its window starting with the first (from the index). */
  private ipStateFromIndex(ip: string): KeyState {
    const index = this.index;
    const first: FailureRef = { eventId: index.previousEventId, username: index.previousUsername, ip };
    const failures = new TimeWindow<FailureRef>(2 * this.windowMs, this.capacity);
    failures.add(index.previousTime, first);
    return this.ips.touch(ip, () => ({
      lastSeen: index.previousTime,
      firstTime: index.previousTime,
      first,
      failures,
      lastBurst: Number.NEGATIVE_INFINITY,
    }));
  }

  /**
   * The user got in from this address: its failures there were typos, not
   * guesses. An IP's state stays (emptied) rather than going, so that its
   * next failure does not start from the redeemed one in the shared index.
   */
  private redeem(ip: string, username: string): void {
    const state = this.ips.get(ip);
    if (state !== undefined) {
      removeFailures(state, username, ip);
    } else {
      const latest = this.index.latest(ip);
      if (latest !== undefined && latest.username === username) {
        this.ips.touch(ip, () => ({
          lastSeen: latest.time,
          firstTime: latest.time,
          first: { eventId: latest.eventId, username, ip },
          failures: new TimeWindow<FailureRef>(2 * this.windowMs, this.capacity),
          lastBurst: Number.NEGATIVE_INFINITY,
        }));
      }
    }
    if (!this.config.ranges) return;
    const range = networkOf(ip);
    const rangeState = range === undefined ? undefined : this.ranges.get(range);
    if (rangeState !== undefined && removeFailures(rangeState, username, ip)) this.ranges.delete(range as string);
  }

  /** 0.75 at the username threshold, rising with every further distinct username. */
  private confidence(distinctUsernames: number): number {
    return risingConfidence(0.75, 0.01, distinctUsernames, this.config.minDistinctUsernames);
  }
}

/** Drop `username`'s failures from `ip` out of a key's state; true when nothing is left. */
function removeFailures(state: KeyState, username: string, ip: string): boolean {
  const failures = state.failures;
  if (failures === undefined) return state.first.username === username && state.first.ip === ip;
  const { times, items } = failures;
  let kept = 0;
  for (let i = 0; i < times.length; i++) {
    const ref = items[i] as FailureRef;
    if (ref.username === username && ref.ip === ip) continue;
    times[kept] = times[i] as number;
    items[kept] = ref;
    kept++;
  }
  times.length = kept;
  items.length = kept;
  return kept === 0;
}
