import { Type, type Static } from '@sinclair/typebox';
import type { SecurityEvent } from '../../core/event.js';
import type { IdGenerator } from '../../core/ids.js';
import type { ThreatLevel } from '../../core/threat-level.js';
import { threatLevelSchema } from '../../core/threat-level-schema.js';
import { lookupIoc, type IocHit } from '../../enrich/ioc-lookup.js';
import type { IocMatcher } from '../../intel/matcher.js';
import type { DetectionListener } from '../detector.js';
import { DetectionTracker } from '../detection-tracker.js';
import { TrackingDetector } from '../tracking-detector.js';

export const knownThreatSourceConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Match every event against the IOCs (intel) and raise a detection on a hit.' }),
    severity: threatLevelSchema('CRITICAL'),
    minConfidence: Type.Integer({
      minimum: 0,
      maximum: 100,
      default: 0,
      description: 'IOCs below this confidence (0-100) are ignored by the detector (still listed by ioc check).',
    }),
    windowSeconds: Type.Number({
      exclusiveMinimum: 0,
      default: 3600,
      description: 'One detection per source IP until it has matched no IOC for this long.',
    }),
    maxOpenDetections: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'Memory bound: IPs with an open detection; the oldest is closed early beyond it (counted).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type KnownThreatSourceConfig = Static<typeof knownThreatSourceConfigSchema>;

const MAX_LISTED_MATCHES = 10;

/** The IOC metadata put in evidence (`evidence.ioc`; `hit: true` makes the scorer raise it to CRITICAL). */
export function iocEvidence(hit: IocHit): Record<string, unknown> {
  const { ioc } = hit;
  return {
    hit: true,
    value: ioc.value,
    type: ioc.type,
    threatType: ioc.threatType,
    confidence: ioc.confidence,
    source: ioc.source,
    tags: ioc.tags,
    firstSeen: ioc.firstSeen,
    lastSeen: ioc.lastSeen,
    expiresAt: ioc.expiresAt,
    matchedOn: hit.field,
    observed: hit.observed.length > 200 ? `${hit.observed.slice(0, 200)}…` : hit.observed,
  };
}

/**
 * Known threat sources: an event whose source IP, requested host or URL,
 * file hash or email matches an indicator of compromise → one detection
 * per source IP carrying the IOC's metadata (evidence.ioc), extended by
 * further hits until the IP is quiet for a window. The scorer makes it CRITICAL.
 */
export class KnownThreatSourceDetector extends TrackingDetector {
  readonly name = 'known_threat_source';
  protected readonly tracker: DetectionTracker;

  constructor(
    private readonly config: KnownThreatSourceConfig,
    listener: DetectionListener,
    ids: IdGenerator,
    private readonly matcher: IocMatcher,
  ) {
    super();
    this.tracker = new DetectionTracker(
      this.name,
      'known_threat_source',
      config.severity as ThreatLevel,
      config.windowSeconds * 1000,
      listener,
      ids,
      config.maxOpenDetections,
    );
  }

  onEvent(event: SecurityEvent): void {
    const hit = lookupIoc(this.matcher, event);
    if (hit === undefined || hit.ioc.confidence < this.config.minConfidence) return;
    const ip = event.sourceIp;
    let tracked = this.tracker.get(ip);
    const fresh = tracked === undefined;
    if (tracked === undefined) {
      tracked = this.tracker.raise(ip, {
        sourceIp: ip,
        confidence: hit.ioc.confidence / 100,
        detectedAt: event.timestamp,
        extra: { ioc: iocEvidence(hit), matches: [] },
      });
    }
    this.tracker.note(tracked, event.timestamp, event.id, event.username, ip);
    const detection = tracked.detection;
    const matches = detection.evidence.matches as string[];
    const key = `${hit.ioc.type}:${hit.ioc.value}`;
    if (matches.length < MAX_LISTED_MATCHES && !matches.includes(key)) matches.push(key);
    // The most confident indicator is the one shown.
    if (!fresh && hit.ioc.confidence / 100 > detection.confidence) {
      detection.confidence = hit.ioc.confidence / 100;
      detection.evidence.ioc = iocEvidence(hit);
    }
    if (fresh) this.tracker.announce(tracked);
  }
}
