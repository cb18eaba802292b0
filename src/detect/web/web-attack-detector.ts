import { Type, type Static } from '@sinclair/typebox';
import type { SecurityEvent } from '../../core/event.js';
import type { IdGenerator } from '../../core/ids.js';
import type { ThreatLevel } from '../../core/threat-level.js';
import type { DetectionListener, Detector, DetectorStats } from '../detector.js';
import { DetectionTracker, type TrackedDetection } from '../detection-tracker.js';
import { classifyHttp, classifyValue } from './classify.js';
import { classifyCommand, COMMAND_SEVERITY } from './command.js';
import { loadCustomRules, type CustomRule } from './custom-rules.js';
import { DEFAULT_MAX_VALUE_LENGTH } from './normalize.js';
import { WEB_ATTACK_CLASSES, WEB_ATTACK_SEVERITY, type WebAttackClass } from './types.js';

export const webAttackConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Classify http.request and process events.' }),
    windowSeconds: Type.Number({
      exclusiveMinimum: 0,
      default: 300,
      description: 'Findings of one class from one IP within this quiet gap extend one detection.',
    }),
    minConfidence: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.6,
      description: 'Verdicts below this confidence are ignored (e.g. a lone quote, 0.5).',
    }),
    maxValueLength: Type.Integer({
      minimum: 256,
      default: DEFAULT_MAX_VALUE_LENGTH,
      description: 'Each parameter value is cut to this many characters before matching.',
    }),
    customRulesFile: Type.Optional(Type.String({ description: 'JSON or YAML file of custom rules merged with the built-ins.' })),
    maxOpenDetections: Type.Integer({ minimum: 1, default: 100_000, description: 'Memory bound on open detections per class.' }),
  },
  { additionalProperties: false, default: {} },
);
export type WebAttackConfig = Static<typeof webAttackConfigSchema>;

const MAX_SAMPLES = 5;
const COMMAND_TYPES = ['process_indicator', 'persistence', 'cmdi'] as const;

/**
 * Web attacks in `http.request` events (path, query, form/JSON body) and in
 * the payloads of reported violations (`waf.violation` eventData), and host
 * indicators in `process` events (command lines). One detection per
 * (class, source IP), extended while findings continue; evidence keeps the
 * rules, the decoded fragments (up to five) and the request paths.
 */
export class WebAttackDetector implements Detector {
  readonly name = 'web_attack';
  private readonly trackers = new Map<string, DetectionTracker>();
  private readonly customRules: CustomRule[];
  private readonly options: { maxValueLength: number; customRules: CustomRule[] };
  /** Findings in http.request events by class (security_xss_attacks_total, security_sqlinjection_attempts_total). */
  readonly httpFindings: Record<WebAttackClass, number> = { sqli: 0, xss: 0, traversal: 0, cmdi: 0 };

  constructor(
    private readonly config: WebAttackConfig,
    listener: DetectionListener,
    ids: IdGenerator,
  ) {
    this.customRules = config.customRulesFile === undefined ? [] : loadCustomRules(config.customRulesFile);
    this.options = { maxValueLength: config.maxValueLength, customRules: this.customRules };
    const quietMs = config.windowSeconds * 1000;
    for (const type of WEB_ATTACK_CLASSES) {
      this.trackers.set(type, new DetectionTracker(this.name, type, WEB_ATTACK_SEVERITY[type].severity, quietMs, listener, ids, config.maxOpenDetections));
    }
    for (const type of COMMAND_TYPES) {
      if (this.trackers.has(type)) continue;
      const severity: ThreatLevel = type === 'cmdi' ? WEB_ATTACK_SEVERITY.cmdi.severity : COMMAND_SEVERITY[type].severity;
      this.trackers.set(type, new DetectionTracker(this.name, type, severity, quietMs, listener, ids, config.maxOpenDetections));
    }
  }

  onEvent(event: SecurityEvent): void {
    if (event.kind === 'http.request' && event.http !== undefined) {
      const verdict = classifyHttp(event.http, this.options);
      if (verdict.attack !== null && verdict.confidence >= this.config.minConfidence) {
        this.httpFindings[verdict.attack]++;
        this.record(verdict.attack, event, verdict.confidence, verdict.rule, verdict.evidence);
      }
    } else if (event.kind === 'waf.violation' && event.eventData !== undefined) {
      // What the application reported is classified too: the payload's class, rule and decoded fragment.
      const verdict = classifyValue(event.eventData, this.options);
      if (verdict.attack !== null && verdict.confidence >= this.config.minConfidence) {
        this.record(verdict.attack, event, verdict.confidence, verdict.rule, verdict.evidence);
      }
    } else if (event.kind === 'process' && event.command !== undefined) {
      const verdict = classifyCommand(event.command, this.customRules);
      if (verdict.type !== null && verdict.confidence >= this.config.minConfidence) {
        this.record(verdict.type, event, verdict.confidence, verdict.rule, verdict.evidence);
      }
    }
  }

  advance(watermark: number): void {
    for (const tracker of this.trackers.values()) tracker.advance(watermark);
  }

  flush(): void {
    for (const tracker of this.trackers.values()) tracker.flush();
  }

  stats(): DetectorStats {
    let open = 0;
    let evicted = 0;
    for (const tracker of this.trackers.values()) {
      open += tracker.size;
      evicted += tracker.evicted;
    }
    return { trackedKeys: open, evictedKeys: evicted };
  }

  private record(type: string, event: SecurityEvent, confidence: number, rule: string, fragment: string): void {
    const tracker = this.trackers.get(type) as DetectionTracker;
    let tracked = tracker.get(event.sourceIp);
    const fresh = tracked === undefined;
    if (tracked === undefined) {
      tracked = tracker.raise(event.sourceIp, {
        sourceIp: event.sourceIp,
        confidence,
        detectedAt: event.timestamp,
        extra: { rules: [], samples: [], paths: [] },
      });
    }
    tracker.note(tracked, event.timestamp, event.id, event.username, undefined);
    addSample(tracked, rule, fragment, event.http?.path);
    if (confidence > tracked.detection.confidence) tracked.detection.confidence = confidence;
    if (fresh) tracker.announce(tracked);
  }
}

function addSample(tracked: TrackedDetection, rule: string, fragment: string, path: string | undefined): void {
  const evidence = tracked.detection.evidence;
  pushDistinct(evidence.rules as string[], rule);
  pushDistinct(evidence.samples as string[], fragment);
  if (path !== undefined) pushDistinct(evidence.paths as string[], path);
}

function pushDistinct(list: string[], value: string): void {
  if (list.length < MAX_SAMPLES && !list.includes(value)) list.push(value);
}
