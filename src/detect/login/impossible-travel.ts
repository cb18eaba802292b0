import { Type, type Static } from '@sinclair/typebox';
import type { SecurityEvent } from '../../core/event.js';
import type { GeoLocation } from '../../core/geo.js';
import type { IdGenerator } from '../../core/ids.js';
import type { ThreatLevel } from '../../core/threat-level.js';
import { threatLevelSchema } from '../../core/threat-level-schema.js';
import { distanceKm, type GeoLocator } from '../../enrich/geoip.js';
import type { DetectionListener } from '../detector.js';
import { TrackingDetector } from '../tracking-detector.js';
import type { KeySpace } from '../windows/key-space.js';
import { growArray, SlotKeyedState } from '../windows/slot-keyed-state.js';
import { EventIdColumn } from './event-id-column.js';
import { IpColumn } from './ip-column.js';
import { DetectionTracker, risingConfidence } from '../detection-tracker.js';
import { ipKey, ipOfKey } from './ip-key.js';

export const impossibleTravelConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the impossible-travel detector (needs GeoIP).' }),
    minDistanceKm: Type.Number({ minimum: 0, default: 1000, description: 'Consecutive successful logins further apart than this…' }),
    maxSpeedKmh: Type.Number({ exclusiveMinimum: 0, default: 1000, description: '…at a speed above this are impossible travel.' }),
    windowSeconds: Type.Number({
      exclusiveMinimum: 0,
      default: 3600,
      description: 'A user\'s detection stays open (and absorbs further impossible hops) until this long without one.',
    }),
    severity: threatLevelSchema('MEDIUM'),
    maxTrackedUsers: Type.Integer({
      minimum: 1,
      default: 1_000_000,
      description: 'Memory bound: users whose last location is kept; the least recently seen is evicted beyond it (counted).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type ImpossibleTravelConfig = Static<typeof impossibleTravelConfigSchema>;

/** Half the Earth's circumference: no two places are further apart. */
const MAX_SURFACE_DISTANCE_KM = 20_016;

/** The latest success of a user, as compare() reads it. */
interface LastLogin {
  lastSeen: number;
  ip: string;
  eventId: string;
}

/**
 * Consecutive successful logins of one user from places more than
 * minDistanceKm apart at more than maxSpeedKmh → one MEDIUM detection per
 * user. Locations come from `event.geo` (set by the GeoIP enricher) or the
 * locator; logins that cannot be located (private addresses, unknown ranges)
 * are ignored, never compared.
 *
 * Only the last located login per user is kept, and only for as long as a
 * jump from it could still be impossible (20 016 km at maxSpeedKmh). A login
 * stamped before the stored one (out of order) is compared with it by the
 * absolute time difference but does not replace it.
 */
export class ImpossibleTravelDetector extends TrackingDetector {
  readonly name = 'impossible_travel';
  /**
   * Per user (a slot; lastSeen is the event time of the latest success): its
   * address (ip-key.ts key), event id and location.
   */
  private readonly users: SlotKeyedState;
  private readonly ips = new IpColumn();
  private readonly eventIds = new EventIdColumn();
  /**
   * Where the address is: looked up only when the user next logs in from
   * another address (most logins repeat the last address and need no
   * lookup); null when the address has no location.
   */
  private geos: (GeoLocation | null | undefined)[] = [];
  protected readonly tracker: DetectionTracker;

  constructor(
    private readonly config: ImpossibleTravelConfig,
    listener: DetectionListener,
    ids: IdGenerator,
    private readonly geo: GeoLocator | undefined,
    /** Usernames, shared with the other per-user login detectors; a private space when absent. */
    userKeys?: KeySpace,
  ) {
    super();
    const windowMs = config.windowSeconds * 1000;
    this.tracker = new DetectionTracker(this.name, 'impossible_travel', config.severity as ThreatLevel, windowMs, listener, ids);
    this.users = new SlotKeyedState({
      maxKeys: config.maxTrackedUsers,
      ttlMs: Math.ceil((MAX_SURFACE_DISTANCE_KM / config.maxSpeedKmh) * 3_600_000),
      keys: userKeys,
      onFree: (slot) => {
        this.ips.clear(slot);
        this.eventIds.clear(slot);
        this.geos[slot] = undefined;
      },
      onGrow: (capacity) => {
        this.ips.grow(capacity);
        this.eventIds.grow(capacity);
        this.geos = growArray(this.geos, capacity, undefined);
      },
    });
  }

  onEvent(event: SecurityEvent): void {
    if (event.kind !== 'login.success') return;
    const username = event.username;
    if (username === undefined) return;
    const t = event.timestamp;
    const users = this.users;
    const key = ipKey(event.sourceIp);
    const slot = users.get(username);
    if (slot === -1) {
      const fresh = users.insert(username, t);
      this.ips.set(fresh, key);
      this.eventIds.set(fresh, event.id);
      this.geos[fresh] = event.geo;
      return;
    }
    users.touch(slot);
    const lastSeen = users.lastSeen[slot] as number;
    if (this.ips.get(slot) === key) {
      if (t >= lastSeen) {
        users.lastSeen[slot] = t;
        this.eventIds.set(slot, event.id);
      }
      return;
    }
    const where = event.geo ?? this.locate(event.sourceIp);
    if (where !== null) {
      const lastIp = ipOfKey(this.ips.get(slot));
      let from = this.geos[slot];
      if (from === undefined) from = this.geos[slot] = this.locate(lastIp);
      if (from !== null) this.compare(username, { lastSeen, ip: lastIp, eventId: this.eventIds.get(slot) }, from, where, event);
    }
    if (t >= lastSeen) {
      users.lastSeen[slot] = t;
      this.ips.set(slot, key);
      this.eventIds.set(slot, event.id);
      this.geos[slot] = where;
    }
  }

  private locate(ip: string): GeoLocation | null {
    return this.geo?.lookup(ip) ?? null;
  }

  protected override get keyed(): SlotKeyedState {
    return this.users;
  }

  private compare(username: string, last: LastLogin, from: GeoLocation, where: GeoLocation, event: SecurityEvent): void {
    const km = distanceKm(from, where);
    if (km <= this.config.minDistanceKm) return;
    const hours = Math.abs(event.timestamp - last.lastSeen) / 3_600_000;
    const speed = hours === 0 ? Number.POSITIVE_INFINITY : km / hours;
    if (speed <= this.config.maxSpeedKmh) return;
    const open = this.tracker.get(username);
    const hop = {
      from: { ip: last.ip, country: from.country, city: from.city, at: last.lastSeen },
      to: { ip: event.sourceIp, country: where.country, city: where.city, at: event.timestamp },
      distanceKm: Math.round(km),
      speedKmh: Number.isFinite(speed) ? Math.round(speed) : null,
    };
    if (open !== undefined) {
      this.tracker.note(open, event.timestamp, event.id, username, event.sourceIp);
      const evidence = open.detection.evidence;
      evidence.hops = (evidence.hops as number) + 1;
      evidence.lastHop = hop;
      return;
    }
    const tracked = this.tracker.raise(username, {
      username,
      sourceIp: event.sourceIp,
      confidence: risingConfidence(0.7, 0.05, Math.min(km, 10_000) / 1000, this.config.minDistanceKm / 1000),
      detectedAt: event.timestamp,
      extra: {
        hops: 1,
        firstHop: hop,
        lastHop: hop,
        minDistanceKm: this.config.minDistanceKm,
        maxSpeedKmh: this.config.maxSpeedKmh,
      },
    });
    this.tracker.note(tracked, last.lastSeen, last.eventId, username, last.ip);
    this.tracker.note(tracked, event.timestamp, event.id, username, event.sourceIp);
    this.tracker.announce(tracked);
  }
}
