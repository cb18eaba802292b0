import { Type, type Static } from '@sinclair/typebox';
import type { SecurityEvent } from '../../core/event.js';
import type { IdGenerator } from '../../core/ids.js';
import type { ThreatLevel } from '../../core/threat-level.js';
import { threatLevelSchema } from '../../core/threat-level-schema.js';
import type { DetectionListener } from '../detector.js';
import { TrackingDetector } from '../tracking-detector.js';
import { DetectionTracker } from '../detection-tracker.js';
import { isLoginEvent, loginFeatures } from './features.js';
import type { IsolationForest } from './isolation-forest.js';

export const anomalousLoginConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'Score logins with the trained isolation-forest model.' }),
    modelPath: Type.Optional(Type.String({ description: 'Model written by `vigil model train`; without it nothing is scored.' })),
    threshold: Type.Number({
      default: -0.5,
      description:
        'Flag a login when decision_function (scikit-learn scale) is below this. The default −0.5 fires only for the most ' +
        'extreme points, since decision_function lies roughly in −0.5…0.5; 0 flags the training contamination rate.',
    }),
    windowSeconds: Type.Number({ exclusiveMinimum: 0, default: 3600, description: 'One detection per IP until quiet this long.' }),
    severity: threatLevelSchema('LOW'),
  },
  { additionalProperties: false, default: {} },
);
export type AnomalousLoginConfig = Static<typeof anomalousLoginConfigSchema>;

/**
 * Logins the isolation forest finds unusual (decision_function < threshold)
 * → one detection per source IP per window. LOW by default: an unusual login
 * is a hint for correlation, not an attack by itself (and the scorer can
 * upgrade an incident that also has rule-based detections).
 */
export class AnomalousLoginDetector extends TrackingDetector {
  readonly name = 'anomalous_login';
  protected readonly tracker: DetectionTracker;
  private readonly features: number[] = [];
  scored = 0;
  /** Anomaly score s ∈ (0, 1] of the most recently scored login (security_anomaly_confidence_score). */
  lastScore: number | undefined;

  constructor(
    private readonly config: AnomalousLoginConfig,
    listener: DetectionListener,
    ids: IdGenerator,
    private readonly model: IsolationForest | undefined,
  ) {
    super();
    this.tracker = new DetectionTracker(this.name, 'anomalous_login', config.severity as ThreatLevel, config.windowSeconds * 1000, listener, ids);
  }

  onEvent(event: SecurityEvent): void {
    const model = this.model;
    if (model === undefined || !isLoginEvent(event)) return;
    this.scored++;
    const value = model.decisionFunction(loginFeatures(event, this.features));
    // decision_function = −s − offset, so s comes for free.
    this.lastScore = -value - model.offset;
    if (!(value < this.config.threshold)) return;
    const ip = event.sourceIp;
    let tracked = this.tracker.get(ip);
    const fresh = tracked === undefined;
    tracked ??= this.tracker.raise(ip, {
      sourceIp: ip,
      username: event.username,
      confidence: Math.min(0.9, Math.round((0.5 + (this.config.threshold - value)) * 100) / 100),
      detectedAt: event.timestamp,
      extra: { threshold: this.config.threshold, lowestDecision: value },
    });
    const evidence = tracked.detection.evidence;
    if (value < (evidence.lowestDecision as number)) evidence.lowestDecision = value;
    this.tracker.note(tracked, event.timestamp, event.id, event.username, undefined);
    if (fresh) this.tracker.announce(tracked);
  }
}
