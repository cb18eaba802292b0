import { Type, type Static } from '@sinclair/typebox';
import { isCompanion, type SecurityEvent } from '../../core/event.js';
import type { IdGenerator } from '../../core/ids.js';
import type { ThreatLevel } from '../../core/threat-level.js';
import { threatLevelSchema } from '../../core/threat-level-schema.js';
import type { DetectionListener, Detector, DetectorStats } from '../detector.js';
import { KeyedState } from '../windows/keyed-state.js';
import { growArray, growFloat, SlotKeyedState } from '../windows/slot-keyed-state.js';
import { EventIdColumn } from './event-id-column.js';
import { IpColumn } from './ip-column.js';
import { FailureIndex } from './failure-index.js';
import { TimeWindow } from '../windows/time-window.js';
import type { CredentialStuffingConfig } from './credential-stuffing.js';
import { findDenseSpan, noteName, tooFewNames, type DenseSpan } from './dense-span.js';
import { DetectionTracker, risingConfidence } from '../detection-tracker.js';
import { existing, usernameOf, type FailureRef } from './failure-ref.js';
import { ipKey, ipOfKey, networkKey, networkOfKey, type IpKey } from './ip-key.js';

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

/** Per IP with at least two failures (a single one is in the shared FailureIndex), or redeemed. */
interface KeyState {
  lastSeen: number;
  failures: TimeWindow<FailureRef>;
  /** Distinct usernames the window has held (noteName): most IPs never need the interval search. */
  names: string[];
  /** Latest failure time at which the stuffing burst held. */
  lastBurst: number;
}

/** A range's failures from its second on, and the usernames they have named (noteName). */
interface RangeWindow {
  failures: TimeWindow<FailureRef>;
  names: string[];
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
  /**
   * Per range (an IPv4 /24 as a number, an IPv6 /64 as its CIDR string): a
   * range's first failure inline in columns, its window from the second.
   */
  private readonly ranges: SlotKeyedState;
  private rangeFirstTime = new Float64Array(0);
  private readonly rangeFirstEventId = new EventIdColumn();
  private rangeFirstUsername: (string | undefined)[] = [];
  private readonly rangeFirstIp = new IpColumn();
  /** From a range's second failure (few ranges): its window. */
  private readonly rangeWindows = new Map<number, RangeWindow>();
  /** noteName's cap: the larger of the two distinct-username thresholds. */
  private readonly namesCap: number;
  private readonly burstNames: number;
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
    this.ranges = new SlotKeyedState({
      maxKeys: config.maxTrackedRanges,
      ttlMs,
      onFree: (slot) => {
        this.rangeFirstEventId.clear(slot);
        this.rangeFirstUsername[slot] = undefined;
        this.rangeFirstIp.clear(slot);
        if (this.rangeWindows.size > 0) this.rangeWindows.delete(slot);
      },
      onGrow: (capacity) => {
        this.rangeFirstTime = growFloat(this.rangeFirstTime, capacity);
        this.rangeFirstEventId.grow(capacity);
        this.rangeFirstUsername = growArray(this.rangeFirstUsername, capacity, undefined);
        this.rangeFirstIp.grow(capacity);
      },
    });
    this.burstNames = stuffing.minDistinctUsernames;
    this.namesCap = Math.max(config.minDistinctUsernames, stuffing.minDistinctUsernames);
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
      this.onIpFailure(event, seen);
      if (this.config.ranges) {
        const range = networkKey(event.sourceIp);
        if (range !== undefined) this.onRangeFailure(range, event);
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

  /** `seenBefore`: the shared index holds an earlier failure from this IP. */
  private onIpFailure(event: SecurityEvent, seenBefore: boolean): void {
    const t = event.timestamp;
    const ip = event.sourceIp;
    const open = this.tracker.get(ip);
    if (open !== undefined) {
      this.tracker.note(open, t, event.id, event.username, ip);
      open.detection.confidence = this.confidence(open.usernames.size);
      return;
    }
    let state = this.ips.get(ip);
    if (state === undefined) {
      // An IP's first failure lives only in the shared index; its window starts at the second.
      if (!seenBefore) return;
      state = this.ipStateFromIndex(ip);
    } else {
      this.ips.touch(ip, existing);
    }
    if (t > state.lastSeen) state.lastSeen = t;
    const failures = state.failures;
    failures.add(t, { eventId: event.id, username: event.username, ip });
    noteName(state.names, event.username, this.namesCap);
    if (failures.length < this.config.minDistinctUsernames) return;
    const { times, items } = failures;
    if (this.config.deferToStuffing) {
      if (
        !tooFewNames(state.names, this.burstNames, this.namesCap) &&
        findDenseSpan(times, items, usernameOf, t, this.burstMs, this.acceptBurst, this.scratch, this.span)
      ) {
        if (t > state.lastBurst) state.lastBurst = t;
      }
      if (Math.abs(t - state.lastBurst) <= this.windowMs) return;
    }
    if (tooFewNames(state.names, this.config.minDistinctUsernames, this.namesCap)) return;
    if (!findDenseSpan(times, items, usernameOf, t, this.windowMs, this.acceptSpray, this.scratch, this.span)) return;
    this.raise(ip, false, failures, t);
    this.ips.delete(ip);
  }

  private onRangeFailure(range: IpKey, event: SecurityEvent): void {
    const t = event.timestamp;
    const ip = event.sourceIp;
    const tracker = this.tracker;
    const open = tracker.size === 0 ? undefined : tracker.get(networkOfKey(range));
    if (open !== undefined) {
      tracker.note(open, t, event.id, event.username, ip);
      open.detection.confidence = this.confidence(open.usernames.size);
      return;
    }
    const ranges = this.ranges;
    let slot = ranges.get(range);
    if (slot === -1) {
      // A range's first failure is kept inline; its window starts at the second.
      slot = ranges.insert(range, t);
      this.rangeFirstTime[slot] = t;
      this.rangeFirstEventId.set(slot, event.id);
      this.rangeFirstUsername[slot] = event.username;
      this.rangeFirstIp.set(slot, ipKey(ip));
      return;
    }
    ranges.touch(slot);
    if (t > (ranges.lastSeen[slot] as number)) ranges.lastSeen[slot] = t;
    let window = this.rangeWindows.size === 0 ? undefined : this.rangeWindows.get(slot);
    if (window === undefined) {
      const failures = new TimeWindow<FailureRef>(2 * this.windowMs, this.capacity);
      const firstUsername = this.rangeFirstUsername[slot];
      failures.add(this.rangeFirstTime[slot] as number, {
        eventId: this.rangeFirstEventId.get(slot),
        username: firstUsername,
        ip: ipOfKey(this.rangeFirstIp.get(slot)),
      });
      window = { failures, names: [] };
      noteName(window.names, firstUsername, this.namesCap);
      this.rangeWindows.set(slot, window);
    }
    const { failures, names } = window;
    failures.add(t, { eventId: event.id, username: event.username, ip });
    noteName(names, event.username, this.namesCap);
    if (failures.length < this.config.minDistinctUsernames) return;
    if (tooFewNames(names, this.config.minDistinctUsernames, this.namesCap)) return;
    if (!findDenseSpan(failures.times, failures.items, usernameOf, t, this.windowMs, this.acceptSpray, this.scratch, this.span)) return;
    if (!this.rangeNeeded(failures)) return;
    this.raise(networkOfKey(range), true, failures, t);
    ranges.delete(range);
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
    const failures = new TimeWindow<FailureRef>(2 * this.windowMs, this.capacity);
    failures.add(index.previousTime, { eventId: index.previousEventId, username: index.previousUsername, ip });
    const names: string[] = [];
    noteName(names, index.previousUsername, this.namesCap);
    return this.ips.touch(ip, () => ({ lastSeen: index.previousTime, failures, names, lastBurst: Number.NEGATIVE_INFINITY }));
  }

  /**
   * The user got in from this address: its failures there were typos, not
   * guesses. An IP's state stays (emptied) rather than going, so that its
   * next failure does not start from the redeemed one in the shared index.
   */
  private redeem(ip: string, username: string): void {
    const state = this.ips.get(ip);
    if (state !== undefined) {
      removeFailures(state.failures, username, ip);
    } else {
      const index = this.index;
      if (index.latest(ip) && index.latestUsername === username) {
        const time = index.latestTime;
        this.ips.touch(ip, () => ({
          lastSeen: time,
          failures: new TimeWindow<FailureRef>(2 * this.windowMs, this.capacity),
          names: [],
          lastBurst: Number.NEGATIVE_INFINITY,
        }));
      }
    }
    if (!this.config.ranges) return;
    const range = networkKey(ip);
    if (range === undefined) return;
    const slot = this.ranges.get(range);
    if (slot === -1) return;
    const window = this.rangeWindows.size === 0 ? undefined : this.rangeWindows.get(slot);
    const emptied =
      window === undefined
        ? this.rangeFirstUsername[slot] === username && this.rangeFirstIp.get(slot) === ipKey(ip)
        : removeFailures(window.failures, username, ip);
    if (emptied) this.ranges.delete(range);
  }

  /** 0.75 at the username threshold, rising with every further distinct username. */
  private confidence(distinctUsernames: number): number {
    return risingConfidence(0.75, 0.01, distinctUsernames, this.config.minDistinctUsernames);
  }
}

/** Drop `username`'s failures from `ip` out of a window; true when nothing is left. */
function removeFailures(failures: TimeWindow<FailureRef>, username: string, ip: string): boolean {
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
