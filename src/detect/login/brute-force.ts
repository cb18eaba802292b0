import { Type, type Static } from '@sinclair/typebox';
import type { Detection } from '../../core/detection.js';
import { isCompanion, type SecurityEvent } from '../../core/event.js';
import type { IdGenerator } from '../../core/ids.js';
import { type ThreatLevel } from '../../core/threat-level.js';
import { threatLevelSchema } from '../../core/threat-level-schema.js';
import type { DetectionListener, Detector, DetectorStats } from '../detector.js';
import { KeyedState } from '../windows/keyed-state.js';
import { TimeWindow } from '../windows/time-window.js';
import { existing } from './failure-ref.js';
import { FailureIndex } from './failure-index.js';

export const bruteForceConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the brute-force detector.' }),
    threshold: Type.Integer({ minimum: 2, default: 5, description: 'Failures from one IP that make an attack.' }),
    windowSeconds: Type.Number({
      exclusiveMinimum: 0,
      default: 300,
      description: 'The failures must fall within this many seconds of event time.',
    }),
    severity: threatLevelSchema('HIGH'),
    maxTrackedIps: Type.Integer({
      minimum: 1,
      default: 1_000_000,
      description: 'Memory bound: IPs tracked at once; the least recently seen is evicted beyond it (counted).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type BruteForceConfig = Static<typeof bruteForceConfigSchema>;

/** Usernames and event ids kept as evidence per detection. */
const MAX_EVIDENCE_USERNAMES = 20;
const MAX_EVIDENCE_EVENT_IDS = 50;
/** Distinct usernames are counted up to this many per detection. */
const MAX_COUNTED_USERNAMES = 1000;

interface IpState {
  lastSeen: number;
  failures: TimeWindow<FailureRef>;
  open: OpenDetection | undefined;
}

interface FailureRef {
  eventId: string;
  username: string | undefined;
}

interface OpenDetection {
  detection: Detection;
  usernames: Set<string>;
  ip: string;
}

/**
 * ≥ threshold LOGIN_FAILURE events from one IP within the window → one HIGH
 * detection for that IP. Later failures update the same detection (count,
 * usernames, last seen) until the IP has been quiet for a whole window; then
 * it is closed and a new attack opens a new one.
 */
export class BruteForceDetector implements Detector {
  readonly name = 'brute_force';
  private readonly windowMs: number;
  private readonly ips: KeyedState<IpState>;
  private readonly open = new Map<string, OpenDetection>();

  constructor(
    private readonly config: BruteForceConfig,
    private readonly listener: DetectionListener,
    private readonly ids: IdGenerator,
    /** Shared with the other IP-keyed login detectors; a private one when used alone. */
    private readonly index = new FailureIndex({ maxTrackedIps: config.maxTrackedIps, horizonMs: 2 * config.windowSeconds * 1000 }),
  ) {
    this.windowMs = config.windowSeconds * 1000;
    this.ips = new KeyedState<IpState>({
      maxKeys: config.maxTrackedIps,
      // A failure can still matter to an out-of-order arrival up to one window later.
      ttlMs: 2 * this.windowMs,
      onRemove: (_ip, state) => {
        if (state.open !== undefined) this.close(state.open);
      },
    });
  }

  onEvent(event: SecurityEvent): void {
    if (event.kind !== 'login.failure' || isCompanion(event)) return;
    const t = event.timestamp;
    const windowMs = this.windowMs;
    const ips = this.ips;
    const index = this.index;
    const seen = index.observe(event);
    let state = ips.get(event.sourceIp);
    if (state === undefined) {
      // Most IPs fail once: their state is only the shared index's entry. At the
      // second failure the window starts with the one before (threshold ≥ 2).
      if (!seen) return;
      const failures = new TimeWindow<FailureRef>(2 * windowMs, this.config.threshold * 4);
      failures.add(index.previousTime, { eventId: index.previousEventId, username: index.previousUsername });
      state = ips.touch(event.sourceIp, () => ({ lastSeen: Math.max(t, index.previousTime), failures, open: undefined }));
    } else {
      ips.touch(event.sourceIp, existing);
    }
    if (t > state.lastSeen) state.lastSeen = t;

    const open = state.open;
    if (open !== undefined) {
      this.extend(open, event);
      return;
    }
    const failures = state.failures;
    failures.add(t, { eventId: event.id, username: event.username });
    if (failures.maxInSpan(t, windowMs) >= this.config.threshold) {
      state.open = this.raise(event.sourceIp, failures);
      failures.clear();
    }
  }

  advance(watermark: number): void {
    const quietBefore = watermark - this.windowMs;
    for (const open of this.open.values()) {
      if (open.detection.evidence.lastSeen < quietBefore) this.close(open);
    }
    this.ips.sweep(watermark);
  }

  flush(): void {
    for (const open of this.open.values()) this.close(open);
    this.ips.clear();
  }

  stats(): DetectorStats {
    return { trackedKeys: this.ips.size, evictedKeys: this.ips.evicted };
  }

  private raise(ip: string, failures: TimeWindow<FailureRef>): OpenDetection {
    const from = failures.spanFrom;
    const to = failures.spanTo;
    const usernames = new Set<string>();
    const eventIds: string[] = [];
    for (let i = from; i < to; i++) {
      const ref = failures.items[i] as FailureRef;
      if (ref.username !== undefined) usernames.add(ref.username);
      if (eventIds.length < MAX_EVIDENCE_EVENT_IDS) eventIds.push(ref.eventId);
    }
    const count = to - from;
    const firstSeen = failures.times[from] as number;
    const lastSeen = failures.times[to - 1] as number;
    const detection: Detection = {
      id: this.ids.next(),
      detector: this.name,
      type: 'brute_force',
      sourceIp: ip,
      confidence: confidenceFor(count, this.config.threshold),
      severity: this.config.severity as ThreatLevel,
      evidence: {
        eventCount: count,
        firstSeen,
        lastSeen,
        usernames: [...usernames].slice(0, MAX_EVIDENCE_USERNAMES),
        distinctUsernames: usernames.size,
        windowSeconds: this.config.windowSeconds,
        threshold: this.config.threshold,
      },
      eventIds,
      status: 'open',
      detectedAt: lastSeen,
    };
    const open: OpenDetection = { detection, usernames, ip };
    this.open.set(detection.id, open);
    this.listener.opened(detection);
    return open;
  }

  private extend(open: OpenDetection, event: SecurityEvent): void {
    const detection = open.detection;
    const evidence = detection.evidence;
    evidence.eventCount++;
    if (event.timestamp > evidence.lastSeen) evidence.lastSeen = event.timestamp;
    if (event.timestamp < evidence.firstSeen) evidence.firstSeen = event.timestamp;
    const username = event.username;
    if (username !== undefined && !open.usernames.has(username) && open.usernames.size < MAX_COUNTED_USERNAMES) {
      open.usernames.add(username);
      evidence.distinctUsernames = open.usernames.size;
      const listed = evidence.usernames as string[];
      if (listed.length < MAX_EVIDENCE_USERNAMES) listed.push(username);
    }
    if (detection.eventIds.length < MAX_EVIDENCE_EVENT_IDS) detection.eventIds.push(event.id);
    detection.confidence = confidenceFor(evidence.eventCount, this.config.threshold);
  }

  private close(open: OpenDetection): void {
    if (!this.open.delete(open.detection.id)) return;
    open.detection.status = 'closed';
    const state = this.ips.get(open.ip);
    if (state !== undefined && state.open === open) state.open = undefined;
    this.listener.closed(open.detection);
  }
}

/** 0.8 at the threshold, rising with every further failure towards 0.99. */
function confidenceFor(count: number, threshold: number): number {
  return Math.min(0.99, Math.round((0.8 + 0.02 * (count - threshold)) * 100) / 100);
}
