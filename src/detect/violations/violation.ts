import { Type, type Static } from '@sinclair/typebox';
import type { Detection } from '../../core/detection.js';
import type { SecurityEvent } from '../../core/event.js';
import type { IdGenerator } from '../../core/ids.js';
import type { ThreatLevel } from '../../core/threat-level.js';
import type { DetectionListener, Detector, DetectorStats } from '../detector.js';
import { KeyedState } from '../windows/keyed-state.js';

export const violationConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Turn waf.violation events into detections.' }),
    windowSeconds: Type.Number({
      exclusiveMinimum: 0,
      default: 300,
      description: 'One detection per (IP, violation type) until that pair has been quiet for this many seconds of event time.',
    }),
    confidence: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.8,
      description: 'Confidence of every violation detection (the application itself reported the violation).',
    }),
    maxOpenDetections: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'Memory bound: (IP, type) pairs tracked at once; the least recently seen is closed early beyond it (counted).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type ViolationConfig = Static<typeof violationConfigSchema>;

/** Base threat level per native violation type; anything not listed is LOW. */
export const VIOLATION_BASE_LEVELS: Readonly<Record<string, ThreatLevel>> = Object.freeze({
  XSS_ATTACK: 'HIGH',
  CSRF_VIOLATION: 'HIGH',
  SQL_INJECTION: 'CRITICAL',
  CORS_VIOLATION: 'MEDIUM',
  RATE_LIMIT_VIOLATION: 'LOW',
});
export const DEFAULT_VIOLATION_LEVEL: ThreatLevel = 'LOW';

/** Excerpts of eventData kept per detection, and their length. */
export const MAX_EVIDENCE_EXCERPTS = 5;
export const MAX_EXCERPT_CHARS = 200;
const MAX_EVIDENCE_EVENT_IDS = 50;
const MAX_USER_AGENT_CHARS = 500;
/** Type used when an event carries no violationType. */
const UNKNOWN_TYPE = 'UNKNOWN_VIOLATION';

export function baseLevelForViolation(nativeType: string): ThreatLevel {
  return Object.prototype.hasOwnProperty.call(VIOLATION_BASE_LEVELS, nativeType)
    ? (VIOLATION_BASE_LEVELS[nativeType] as ThreatLevel)
    : DEFAULT_VIOLATION_LEVEL;
}

/** `XSS_ATTACK` → `xss_attack`; anything outside [a-z0-9_] becomes `_` (types end up in metric labels). */
export function detectionTypeFor(nativeType: string): string {
  return nativeType.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

const SCRIPT = /script/i;
const EVAL = /eval/i;

/** The scorer's "complex pattern" signal: the payload mentions both `script` and `eval`. */
export function hasScriptAndEval(eventData: string): boolean {
  return SCRIPT.test(eventData) && EVAL.test(eventData);
}

/** Evidence of a violation detection, beyond the common Evidence fields. */
export interface ViolationEvidence {
  violationType: string;
  excerpts: string[];
  maxEventDataLength: number;
  scriptAndEval: boolean;
  userAgent?: string;
  windowSeconds: number;
}

interface PairState {
  lastSeen: number;
  detection: Detection;
}

/**
 * Violations reported by the protected application itself (`waf.violation`:
 * XSS_ATTACK, SQL_INJECTION, CSRF_VIOLATION, …) → one detection per
 * (source IP, violation type), raised on the first event at the type's base
 * level and extended by later ones (count, last seen, excerpts, the longest
 * payload, script+eval) until the pair has been quiet for a whole window.
 */
export class ViolationDetector implements Detector {
  readonly name = 'waf_violation';
  private readonly windowMs: number;
  private readonly pairs: KeyedState<PairState>;

  constructor(
    private readonly config: ViolationConfig,
    private readonly listener: DetectionListener,
    private readonly ids: IdGenerator,
  ) {
    this.windowMs = config.windowSeconds * 1000;
    this.pairs = new KeyedState<PairState>({
      maxKeys: config.maxOpenDetections,
      // sweep drops pairs whose lastSeen < watermark - window: exactly "quiet for a window".
      ttlMs: this.windowMs,
      onRemove: (_key, state) => this.close(state.detection),
    });
  }

  onEvent(event: SecurityEvent): void {
    if (event.kind !== 'waf.violation' || !this.config.enabled) return;
    const nativeType = event.violationType !== undefined && event.violationType !== '' ? event.violationType.toUpperCase() : UNKNOWN_TYPE;
    const type = detectionTypeFor(nativeType);
    const t = event.timestamp;
    let created = false;
    const state = this.pairs.touch(`${event.sourceIp}|${type}`, () => {
      created = true;
      return { lastSeen: t, detection: this.newDetection(event, nativeType, type) };
    });
    if (t > state.lastSeen) state.lastSeen = t;
    this.note(state.detection, event);
    if (created) this.listener.opened(state.detection);
  }

  advance(watermark: number): void {
    this.pairs.sweep(watermark);
  }

  flush(): void {
    this.pairs.clear();
  }

  stats(): DetectorStats {
    return { trackedKeys: this.pairs.size, evictedKeys: this.pairs.evicted };
  }

  private newDetection(event: SecurityEvent, nativeType: string, type: string): Detection {
    const extra: ViolationEvidence = {
      violationType: nativeType,
      excerpts: [],
      maxEventDataLength: 0,
      scriptAndEval: false,
      windowSeconds: this.config.windowSeconds,
    };
    return {
      id: this.ids.next(),
      detector: this.name,
      type,
      sourceIp: event.sourceIp,
      confidence: this.config.confidence,
      severity: baseLevelForViolation(nativeType),
      evidence: {
        eventCount: 0,
        firstSeen: event.timestamp,
        lastSeen: event.timestamp,
        ips: [event.sourceIp],
        ...extra,
      },
      eventIds: [],
      status: 'open',
      detectedAt: event.timestamp,
    };
  }

  private note(detection: Detection, event: SecurityEvent): void {
    const evidence = detection.evidence;
    evidence.eventCount++;
    const t = event.timestamp;
    if (t > evidence.lastSeen) evidence.lastSeen = t;
    if (t < evidence.firstSeen) evidence.firstSeen = t;
    if (detection.username === undefined && event.username !== undefined) detection.username = event.username;
    const data = event.eventData;
    if (data !== undefined && data !== '') {
      if (data.length > (evidence.maxEventDataLength as number)) evidence.maxEventDataLength = data.length;
      if (evidence.scriptAndEval !== true && hasScriptAndEval(data)) evidence.scriptAndEval = true;
      const excerpts = evidence.excerpts as string[];
      if (excerpts.length < MAX_EVIDENCE_EXCERPTS) excerpts.push(data.slice(0, MAX_EXCERPT_CHARS));
    }
    if (event.userAgent !== undefined && event.userAgent !== '') {
      evidence.userAgent = event.userAgent.slice(0, MAX_USER_AGENT_CHARS);
    }
    if (detection.eventIds.length < MAX_EVIDENCE_EVENT_IDS) detection.eventIds.push(event.id);
  }

  private close(detection: Detection): void {
    if (detection.status === 'closed') return;
    detection.status = 'closed';
    this.listener.closed(detection);
  }
}
