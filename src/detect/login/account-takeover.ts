import { Type, type Static } from '@sinclair/typebox';
import { isCompanion, type SecurityEvent } from '../../core/event.js';
import type { IdGenerator } from '../../core/ids.js';
import type { ThreatLevel } from '../../core/threat-level.js';
import { threatLevelSchema } from '../../core/threat-level-schema.js';
import type { DetectionListener, Detector, DetectorStats } from '../detector.js';
import { KeyedState } from '../windows/keyed-state.js';
import type { KeySpace } from '../windows/key-space.js';
import { growFloat, SlotKeyedState } from '../windows/slot-keyed-state.js';
import { IpColumn } from './ip-column.js';
import { ipKey, type IpKey } from './ip-key.js';
import { FailureIndex } from './failure-index.js';
import { TimeWindow } from '../windows/time-window.js';
import { DetectionTracker } from '../detection-tracker.js';
import { existing, type FailureRef } from './failure-ref.js';

export const accountTakeoverConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the success-after-failures (account takeover) detector.' }),
    minFailuresOnUser: Type.Integer({
      minimum: 1,
      default: 3,
      description: 'A success is suspect when its IP failed at least this often on the same username within the window…',
    }),
    minDistinctUsernames: Type.Integer({
      minimum: 2,
      default: 5,
      description: '…or failed on at least this many distinct usernames within the window.',
    }),
    windowSeconds: Type.Number({ exclusiveMinimum: 0, default: 600, description: 'How far back failures count, in seconds.' }),
    severity: threatLevelSchema('CRITICAL'),
    trustFamiliarIps: Type.Boolean({
      default: true,
      description:
        'Failures on one username followed by its success from an IP that username already logged in from are typos, ' +
        'not a takeover. Never applies to the many-usernames condition.',
    }),
    familiarIpDays: Type.Number({ exclusiveMinimum: 0, default: 30, description: 'How long a successful IP stays familiar.' }),
    maxFamiliarIpsPerUser: Type.Integer({ minimum: 1, default: 4, description: 'Familiar IPs remembered per username.' }),
    maxTrackedIps: Type.Integer({
      minimum: 1,
      default: 1_000_000,
      description: 'Memory bound: failing IPs tracked at once; the least recently seen is evicted beyond it (counted).',
    }),
    maxTrackedUsers: Type.Integer({
      minimum: 1,
      default: 1_000_000,
      description: 'Memory bound: usernames whose familiar IPs are remembered; the least recently seen is evicted (counted).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type AccountTakeoverConfig = Static<typeof accountTakeoverConfigSchema>;

interface IpState {
  lastSeen: number;
  firstTime: number;
  first: FailureRef;
  failures: TimeWindow<FailureRef> | undefined;
  /** Latest success from this IP (for failures that arrive after it, out of order). */
  successTime: number;
  successUser: string | undefined;
  successEventId: string;
}

/**
 * A LOGIN_SUCCESS for a username from an IP that, within the window before
 * it, failed ≥ minFailuresOnUser times on that username or on ≥
 * minDistinctUsernames distinct usernames → one CRITICAL detection per
 * username (the account possibly taken over; the IP is in sourceIp).
 *
 * Typos: a user who mistypes a few times and gets in from an IP they have
 * logged in from before is not a takeover (`trustFamiliarIps`). Failures that
 * arrive after their success (out of order) re-check that success.
 */
export class AccountTakeoverDetector implements Detector {
  readonly name = 'account_takeover';
  private readonly windowMs: number;
  private readonly ips: KeyedState<IpState>;
  /** Per username whose familiar IPs are remembered (a slot). */
  private readonly users: SlotKeyedState;
  /** Earliest success remembered: history younger than one window cannot vouch for the failures in it. */
  private firstSeen = new Float64Array(0);
  /** The IP the username logged in from (the usual single one)… */
  private readonly familiar = new IpColumn();
  /** …or, once there are several, all of them (ip-key.ts keys), most recent last. */
  private readonly familiarLists = new Map<number, IpKey[]>();
  private readonly tracker: DetectionTracker;
  private readonly distinct = new Set<string>();

  constructor(
    private readonly config: AccountTakeoverConfig,
    listener: DetectionListener,
    ids: IdGenerator,
    /** Shared with the other IP-keyed login detectors; a private one when used alone. */
    private readonly index = new FailureIndex({ maxTrackedIps: config.maxTrackedIps, horizonMs: 2 * config.windowSeconds * 1000 }),
    /** Usernames, shared with the other per-user login detectors; a private space when absent. */
    userKeys?: KeySpace,
  ) {
    this.windowMs = config.windowSeconds * 1000;
    this.tracker = new DetectionTracker(this.name, 'account_takeover', config.severity as ThreatLevel, this.windowMs, listener, ids);
    this.ips = new KeyedState<IpState>({ maxKeys: config.maxTrackedIps, ttlMs: 2 * this.windowMs });
    this.users = new SlotKeyedState({
      maxKeys: config.maxTrackedUsers,
      ttlMs: config.familiarIpDays * 86_400_000,
      keys: userKeys,
      onFree: (slot) => {
        this.familiar.clear(slot);
        if (this.familiarLists.size > 0) this.familiarLists.delete(slot);
      },
      onGrow: (capacity) => {
        this.firstSeen = growFloat(this.firstSeen, capacity);
        this.familiar.grow(capacity);
      },
    });
  }

  onEvent(event: SecurityEvent): void {
    if (event.kind === 'login.failure') {
      if (!isCompanion(event)) this.onFailure(event);
    }
    else if (event.kind === 'login.success') this.onSuccess(event);
  }

  advance(watermark: number): void {
    this.tracker.advance(watermark);
    this.ips.sweep(watermark);
    this.users.sweep(watermark);
  }

  flush(): void {
    this.tracker.flush();
    this.ips.clear();
    this.users.clear();
  }

  stats(): DetectorStats {
    return {
      trackedKeys: this.ips.size + this.users.size,
      evictedKeys: this.ips.evicted + this.users.evicted + this.tracker.evicted,
    };
  }

  private onFailure(event: SecurityEvent): void {
    const ip = event.sourceIp;
    const t = event.timestamp;
    const seen = this.index.observe(event);
    let state = this.ips.get(ip);
    if (state === undefined) {
      // An IP's first failure lives only in the shared index; its state starts at the second.
      if (!seen) return;
      state = this.ipStateFrom(ip, this.index.previousTime, this.index.previousEventId, this.index.previousUsername);
    } else {
      this.ips.touch(ip, existing);
    }
    if (t > state.lastSeen) state.lastSeen = t;
    let failures = state.failures;
    if (failures === undefined) {
      failures = state.failures = new TimeWindow<FailureRef>(2 * this.windowMs, Math.max(64, 4 * this.config.minFailuresOnUser, 4 * this.config.minDistinctUsernames));
      failures.add(state.firstTime, state.first);
    }
    failures.add(t, { eventId: event.id, username: event.username, ip });
    // A failure stamped before a success we already saw: re-check that success.
    const successUser = state.successUser;
    if (successUser !== undefined && t <= state.successTime && state.successTime - t <= this.windowMs) {
      this.check(state, ip, successUser, state.successTime, state.successEventId);
    }
  }

  private onSuccess(event: SecurityEvent): void {
    const username = event.username;
    if (username === undefined) return;
    const ip = event.sourceIp;
    const t = event.timestamp;
    let state = this.ips.get(ip);
    if (state === undefined) {
      // A single earlier failure from this IP is only in the shared index.
      const index = this.index;
      if (index.latest(ip)) state = this.ipStateFrom(ip, index.latestTime, index.latestEventId, index.latestUsername);
    }
    let raised = false;
    if (state !== undefined) {
      if (t >= state.successTime) {
        state.successTime = t;
        state.successUser = username;
        state.successEventId = event.id;
      }
      raised = this.check(state, ip, username, t, event.id);
    }
    if (!raised) this.remember(username, ip, t);
  }

  private ipStateFrom(ip: string, time: number, eventId: string, username: string | undefined): IpState {
    return this.ips.touch(ip, () => ({
      lastSeen: time,
      firstTime: time,
      first: { eventId, username, ip },
      failures: undefined,
      successTime: Number.NEGATIVE_INFINITY,
      successUser: undefined,
      successEventId: '',
    }));
  }

  /** Raise (or extend) a detection when the success at t is preceded by enough failures from its IP. */
  private check(state: IpState, ip: string, username: string, t: number, eventId: string): boolean {
    const open = this.tracker.get(username);
    if (open !== undefined) {
      if (open.detection.eventIds.includes(eventId)) return true;
      this.tracker.note(open, t, eventId, username, ip);
      return true;
    }
    const from = t - this.windowMs;
    let onUser = 0;
    const distinct = this.distinct;
    distinct.clear();
    const failures = state.failures;
    if (failures === undefined) {
      if (state.firstTime >= from && state.firstTime <= t) {
        if (state.first.username === username) onUser++;
        if (state.first.username !== undefined) distinct.add(state.first.username);
      }
    } else {
      const { times, items } = failures;
      for (let i = times.length - 1; i >= 0; i--) {
        const time = times[i] as number;
        if (time > t) continue;
        if (time < from) break;
        const name = (items[i] as FailureRef).username;
        if (name === username) onUser++;
        if (name !== undefined) distinct.add(name);
      }
    }
    const manyUsers = distinct.size >= this.config.minDistinctUsernames;
    const onThisUser = onUser >= this.config.minFailuresOnUser && !(this.config.trustFamiliarIps && this.isFamiliar(username, ip, t));
    distinct.clear();
    if (!manyUsers && !onThisUser) return false;
    const tracked = this.tracker.raise(username, {
      sourceIp: ip,
      username,
      confidence: manyUsers ? 0.9 : 0.8,
      detectedAt: t,
      extra: {
        condition: manyUsers ? 'failures_on_many_usernames' : 'failures_on_username',
        failuresOnUsername: onUser,
        windowSeconds: this.config.windowSeconds,
        successAt: t,
      },
    });
    if (failures === undefined) {
      this.tracker.note(tracked, state.firstTime, state.first.eventId, state.first.username, ip);
    } else {
      const { times, items } = failures;
      for (let i = 0; i < times.length; i++) {
        const time = times[i] as number;
        if (time >= from && time <= t) {
          const ref = items[i] as FailureRef;
          this.tracker.note(tracked, time, ref.eventId, ref.username, ip);
        }
      }
    }
    this.tracker.note(tracked, t, eventId, username, ip);
    tracked.detection.evidence.failures = tracked.detection.evidence.eventCount - 1;
    this.tracker.announce(tracked);
    return true;
  }

  private isFamiliar(username: string, ip: string, t: number): boolean {
    const slot = this.users.get(username);
    if (slot === -1 || (this.firstSeen[slot] as number) >= t - this.windowMs) return false;
    const key = ipKey(ip);
    const list = this.familiarLists.size === 0 ? undefined : this.familiarLists.get(slot);
    return list === undefined ? this.familiar.get(slot) === key : list.includes(key);
  }

  private remember(username: string, ip: string, t: number): void {
    const users = this.users;
    const key = ipKey(ip);
    const slot = users.get(username);
    if (slot === -1) {
      const fresh = users.insert(username, t);
      this.firstSeen[fresh] = t;
      this.familiar.set(fresh, key);
      return;
    }
    users.touch(slot);
    if (t > (users.lastSeen[slot] as number)) users.lastSeen[slot] = t;
    if (t < (this.firstSeen[slot] as number)) this.firstSeen[slot] = t;
    const familiar = this.familiarLists.size === 0 ? undefined : this.familiarLists.get(slot);
    if (familiar === undefined) {
      const only = this.familiar.get(slot);
      if (only !== key) this.familiarLists.set(slot, [only, key]);
      return;
    }
    const at = familiar.indexOf(key);
    if (at !== -1) familiar.splice(at, 1);
    familiar.push(key);
    if (familiar.length > this.config.maxFamiliarIpsPerUser) familiar.shift();
  }
}
