import { Type, type Static } from '@sinclair/typebox';
import { isCompanion, type SecurityEvent } from '../../core/event.js';
import type { IdGenerator } from '../../core/ids.js';
import type { ThreatLevel } from '../../core/threat-level.js';
import { threatLevelSchema } from '../../core/threat-level-schema.js';
import type { DetectionListener } from '../detector.js';
import { TrackingDetector } from '../tracking-detector.js';
import { KeyedState } from '../windows/keyed-state.js';
import { FailureIndex } from './failure-index.js';
import { TimeWindow } from '../windows/time-window.js';
import { findDenseSpan, noteName, tooFewNames, type DenseSpan } from './dense-span.js';
import { DetectionTracker, risingConfidence } from '../detection-tracker.js';
import { existing, usernameOf, type FailureRef } from './failure-ref.js';

export const credentialStuffingConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the credential-stuffing detector.' }),
    minFailures: Type.Integer({ minimum: 2, default: 10, description: 'Failures from one IP within the window.' }),
    minDistinctUsernames: Type.Integer({
      minimum: 2,
      default: 5,
      description: 'Distinct usernames among those failures.',
    }),
    windowSeconds: Type.Number({ exclusiveMinimum: 0, default: 600, description: 'Window of event time, in seconds.' }),
    severity: threatLevelSchema('CRITICAL'),
    maxTrackedIps: Type.Integer({
      minimum: 1,
      default: 1_000_000,
      description: 'Memory bound: IPs tracked at once; the least recently seen is evicted beyond it (counted).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type CredentialStuffingConfig = Static<typeof credentialStuffingConfigSchema>;

/** Per IP with at least two failures (a single one is in the shared FailureIndex). */
interface IpState {
  lastSeen: number;
  failures: TimeWindow<FailureRef>;
  /** Distinct usernames the window has held (noteName): a single-account IP never needs the interval search. */
  names: string[];
}

/**
 * ≥ minFailures LOGIN_FAILURE events with ≥ minDistinctUsernames distinct
 * usernames from one IP within the window → one CRITICAL detection per IP,
 * extended while the IP keeps failing, closed after a quiet window.
 *
 * Overlaps (see PasswordSprayingDetector for the full rule): with the default thresholds every
 * stuffing IP also satisfies brute force (10 failures in 600 s put ≥ 5 in one
 * half of it); stuffing is the more specific reading of the same IP. Password
 * spraying defers to this detector whenever its burst condition holds.
 */
export class CredentialStuffingDetector extends TrackingDetector<IpState> {
  readonly name = 'credential_stuffing';
  private readonly windowMs: number;
  private readonly ips: KeyedState<IpState>;
  protected readonly tracker: DetectionTracker;
  private readonly scratch = new Map<string, number>();
  private readonly span: DenseSpan = { from: 0, to: 0, count: 0, distinct: 0 };
  private readonly accept: (count: number, distinct: number) => boolean;

  constructor(
    private readonly config: CredentialStuffingConfig,
    listener: DetectionListener,
    ids: IdGenerator,
    /** Shared with the other IP-keyed login detectors; a private one when used alone. */
    private readonly index = new FailureIndex({ maxTrackedIps: config.maxTrackedIps, horizonMs: 2 * config.windowSeconds * 1000 }),
  ) {
    super();
    this.windowMs = config.windowSeconds * 1000;
    this.tracker = new DetectionTracker(this.name, 'credential_stuffing', config.severity as ThreatLevel, this.windowMs, listener, ids);
    this.ips = new KeyedState<IpState>({
      maxKeys: config.maxTrackedIps,
      // A failure can still matter to an out-of-order arrival up to one window later.
      ttlMs: 2 * this.windowMs,
    });
    const { minFailures, minDistinctUsernames } = config;
    this.accept = (count, distinct) => count >= minFailures && distinct >= minDistinctUsernames;
  }

  onEvent(event: SecurityEvent): void {
    if (event.kind !== 'login.failure' || isCompanion(event)) return;
    const ip = event.sourceIp;
    const t = event.timestamp;
    const index = this.index;
    const seen = index.observe(event);
    const open = this.tracker.get(ip);
    if (open !== undefined) {
      this.tracker.note(open, t, event.id, event.username, undefined);
      open.detection.confidence = this.confidence(open.usernames.size);
      return;
    }
    let state = this.ips.get(ip);
    if (state === undefined) {
      // An IP's first failure lives only in the shared index; its window starts at the second.
      if (!seen) return;
      const failures = new TimeWindow<FailureRef>(2 * this.windowMs, Math.max(64, 4 * this.config.minFailures));
      failures.add(index.previousTime, { eventId: index.previousEventId, username: index.previousUsername, ip });
      const names: string[] = [];
      noteName(names, index.previousUsername, this.config.minDistinctUsernames);
      state = this.ips.touch(ip, () => ({ lastSeen: Math.max(t, index.previousTime), failures, names }));
    } else {
      this.ips.touch(ip, existing);
    }
    if (t > state.lastSeen) state.lastSeen = t;
    const failures = state.failures;
    failures.add(t, { eventId: event.id, username: event.username, ip });
    noteName(state.names, event.username, this.config.minDistinctUsernames);
    if (failures.length < this.config.minFailures) return;
    if (tooFewNames(state.names, this.config.minDistinctUsernames, this.config.minDistinctUsernames)) return;
    if (!findDenseSpan(failures.times, failures.items, usernameOf, t, this.windowMs, this.accept, this.scratch, this.span)) return;
    this.raise(ip, failures, t);
    this.ips.delete(ip);
  }

  protected override get keyed(): KeyedState<IpState> {
    return this.ips;
  }

  private raise(ip: string, failures: TimeWindow<FailureRef>, t: number): void {
    const { from, to } = this.span;
    const tracked = this.tracker.raise(ip, {
      sourceIp: ip,
      confidence: 0,
      detectedAt: t,
      extra: {
        windowSeconds: this.config.windowSeconds,
        minFailures: this.config.minFailures,
        minDistinctUsernames: this.config.minDistinctUsernames,
      },
    });
    for (let i = from; i < to; i++) {
      const ref = failures.items[i] as FailureRef;
      this.tracker.note(tracked, failures.times[i] as number, ref.eventId, ref.username, undefined);
    }
    tracked.detection.confidence = this.confidence(tracked.usernames.size);
    this.tracker.announce(tracked);
  }

  /** 0.85 at the username threshold, rising with every further distinct username. */
  private confidence(distinctUsernames: number): number {
    return risingConfidence(0.85, 0.01, distinctUsernames, this.config.minDistinctUsernames);
  }
}
