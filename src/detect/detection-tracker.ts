import type { Detection } from '../core/detection.js';
import type { IdGenerator } from '../core/ids.js';
import type { ThreatLevel } from '../core/threat-level.js';
import type { DetectionListener } from './detector.js';

/** Usernames, IPs and event ids listed as evidence per detection. */
export const MAX_EVIDENCE_USERNAMES = 20;
export const MAX_EVIDENCE_IPS = 20;
export const MAX_EVIDENCE_EVENT_IDS = 50;
/** Distinct usernames / IPs are counted up to this many per detection (memory bound). */
export const MAX_COUNTED_DISTINCT = 1000;

export interface TrackedDetection {
  readonly subject: string;
  readonly detection: Detection;
  /** Distinct values counted so far (capped at MAX_COUNTED_DISTINCT). */
  readonly usernames: Set<string>;
  readonly ips: Set<string>;
}

export interface RaiseInput {
  sourceIp?: string;
  username?: string;
  confidence: number;
  detectedAt: number;
  /** Detector-specific evidence fields (thresholds, window, …). */
  extra?: Record<string, unknown>;
}

/**
 * The open detections of one detector, one per subject (an IP, a range or a
 * username): raised once when a threshold is crossed, extended as evidence
 * grows, closed when the subject has been quiet for `quietMs` of event time —
 * the lifecycle of `BruteForceDetector`, shared by the login detectors.
 */
export class DetectionTracker {
  private readonly open = new Map<string, TrackedDetection>();
  /** Detections closed early because more than maxOpen were open (memory bound, counted). */
  evicted = 0;

  constructor(
    private readonly detector: string,
    private readonly type: string,
    private readonly severity: ThreatLevel,
    private readonly quietMs: number,
    private readonly listener: DetectionListener,
    private readonly ids: IdGenerator,
    private readonly maxOpen = 100_000,
  ) {}

  get size(): number {
    return this.open.size;
  }

  get(subject: string): TrackedDetection | undefined {
    return this.open.size === 0 ? undefined : this.open.get(subject);
  }

  /** Open a detection for `subject` with no events yet; add them with `note`. */
  raise(subject: string, input: RaiseInput): TrackedDetection {
    const detection: Detection = {
      id: this.ids.next(),
      detector: this.detector,
      type: this.type,
      confidence: input.confidence,
      severity: this.severity,
      evidence: {
        eventCount: 0,
        firstSeen: Number.POSITIVE_INFINITY,
        lastSeen: Number.NEGATIVE_INFINITY,
        usernames: [],
        ips: [],
        distinctUsernames: 0,
        distinctIps: 0,
        ...input.extra,
      },
      eventIds: [],
      status: 'open',
      detectedAt: input.detectedAt,
    };
    if (input.sourceIp !== undefined) detection.sourceIp = input.sourceIp;
    if (input.username !== undefined) detection.username = input.username;
    const tracked: TrackedDetection = { subject, detection, usernames: new Set(), ips: new Set() };
    if (this.open.size >= this.maxOpen) {
      // Oldest raised first: it has had the longest to be acted on.
      const oldest = this.open.keys().next();
      if (!oldest.done) {
        this.close(oldest.value);
        this.evicted++;
      }
    }
    this.open.set(subject, tracked);
    return tracked;
  }

  /** Tell the listener about a detection raised (after its initial evidence was noted). */
  announce(tracked: TrackedDetection): void {
    this.listener.opened(tracked.detection);
  }

  /** Add one event to a detection's evidence. */
  note(tracked: TrackedDetection, t: number, eventId: string, username: string | undefined, ip: string | undefined): void {
    const detection = tracked.detection;
    const evidence = detection.evidence;
    evidence.eventCount++;
    if (t > evidence.lastSeen) evidence.lastSeen = t;
    if (t < evidence.firstSeen) evidence.firstSeen = t;
    if (username !== undefined && tracked.usernames.size < MAX_COUNTED_DISTINCT && !tracked.usernames.has(username)) {
      tracked.usernames.add(username);
      evidence.distinctUsernames = tracked.usernames.size;
      const listed = evidence.usernames as string[];
      if (listed.length < MAX_EVIDENCE_USERNAMES) listed.push(username);
    }
    if (ip !== undefined && tracked.ips.size < MAX_COUNTED_DISTINCT && !tracked.ips.has(ip)) {
      tracked.ips.add(ip);
      evidence.distinctIps = tracked.ips.size;
      const listed = evidence.ips as string[];
      if (listed.length < MAX_EVIDENCE_IPS) listed.push(ip);
    }
    if (detection.eventIds.length < MAX_EVIDENCE_EVENT_IDS) detection.eventIds.push(eventId);
  }

  /** Close every detection whose subject has been quiet for a whole window before `watermark`. */
  advance(watermark: number): void {
    if (this.open.size === 0) return;
    const quietBefore = watermark - this.quietMs;
    for (const tracked of this.open.values()) {
      if (tracked.detection.evidence.lastSeen < quietBefore) this.close(tracked.subject);
    }
  }

  close(subject: string): void {
    const tracked = this.open.get(subject);
    if (tracked === undefined) return;
    this.open.delete(subject);
    tracked.detection.status = 'closed';
    this.listener.closed(tracked.detection);
  }

  flush(): void {
    for (const subject of [...this.open.keys()]) this.close(subject);
  }
}

/** A confidence that starts at `base` when the threshold is met and rises by `step` per unit beyond it, up to 0.99. */
export function risingConfidence(base: number, step: number, value: number, threshold: number): number {
  return Math.min(0.99, Math.round((base + step * Math.max(0, value - threshold)) * 100) / 100);
}
