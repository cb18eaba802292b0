import { Type, type Static } from '@sinclair/typebox';
import type { SecurityEvent } from '../../core/event.js';
import type { IdGenerator } from '../../core/ids.js';
import type { ThreatLevel } from '../../core/threat-level.js';
import { threatLevelSchema } from '../../core/threat-level-schema.js';
import { UserAgentClassifier } from '../../enrich/user-agent.js';
import type { DetectionListener } from '../detector.js';
import { TrackingDetector } from '../tracking-detector.js';
import { DetectionTracker } from '../detection-tracker.js';

export const suspiciousUserAgentConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the suspicious user-agent detector.' }),
    windowSeconds: Type.Number({
      exclusiveMinimum: 0,
      default: 600,
      description: 'One detection per IP until it has sent no suspicious agent for this long.',
    }),
    severity: threatLevelSchema('MEDIUM'),
    confidence: Type.Number({ minimum: 0, maximum: 1, default: 0.7, description: 'Confidence of every detection.' }),
    minLength: Type.Integer({ minimum: 0, default: 10, description: 'Agents shorter than this are suspicious.' }),
    maxLength: Type.Integer({ minimum: 1, default: 500, description: 'Agents longer than this are suspicious.' }),
    cacheSize: Type.Integer({ minimum: 0, default: 10_000, description: 'Classified agents cached (LRU).' }),
    maxOpenDetections: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'Memory bound: IPs with an open detection; the oldest is closed early beyond it (counted).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type SuspiciousUserAgentConfig = Static<typeof suspiciousUserAgentConfigSchema>;

const KINDS = new Set(['login.success', 'login.failure', 'http.request']);
const MAX_EVIDENCE_AGENTS = 5;
const MAX_AGENT_CHARS = 200;

/**
 * Scanners and scripted clients: a login or http.request event whose
 * userAgent is empty, shorter than minLength or longer than maxLength, names
 * a tool (curl, sqlmap, python, …, bot), has no version number, or claims to
 * be a browser that does not parse as one → one MEDIUM detection per IP,
 * extended by further such events until the IP is quiet for a window.
 * Events without a userAgent property (sshd logs) are never judged; only an
 * explicitly empty string counts as empty.
 */
export class SuspiciousUserAgentDetector extends TrackingDetector {
  readonly name = 'suspicious_user_agent';
  protected readonly tracker: DetectionTracker;
  private readonly classifier: UserAgentClassifier;

  constructor(
    private readonly config: SuspiciousUserAgentConfig,
    listener: DetectionListener,
    ids: IdGenerator,
  ) {
    super();
    this.tracker = new DetectionTracker(
      this.name,
      'suspicious_user_agent',
      config.severity as ThreatLevel,
      config.windowSeconds * 1000,
      listener,
      ids,
      config.maxOpenDetections,
    );
    this.classifier = new UserAgentClassifier({
      minLength: config.minLength,
      maxLength: config.maxLength,
      cacheSize: config.cacheSize,
    });
  }

  onEvent(event: SecurityEvent): void {
    const userAgent = event.userAgent;
    if (userAgent === undefined || !KINDS.has(event.kind)) return;
    const verdict = this.classifier.classify(userAgent);
    if (!verdict.suspicious) return;
    const ip = event.sourceIp;
    let tracked = this.tracker.get(ip);
    const fresh = tracked === undefined;
    if (tracked === undefined) {
      tracked = this.tracker.raise(ip, {
        sourceIp: ip,
        confidence: this.config.confidence,
        detectedAt: event.timestamp,
        extra: { reasons: [], userAgents: [] },
      });
    }
    this.tracker.note(tracked, event.timestamp, event.id, event.username, undefined);
    const evidence = tracked.detection.evidence;
    const reasons = evidence.reasons as string[];
    const reason = verdict.tool !== undefined ? `tool:${verdict.tool}` : (verdict.reason as string);
    if (!reasons.includes(reason)) reasons.push(reason);
    const agents = evidence.userAgents as string[];
    const shown = userAgent.length > MAX_AGENT_CHARS ? userAgent.slice(0, MAX_AGENT_CHARS) + '…' : userAgent;
    if (agents.length < MAX_EVIDENCE_AGENTS && !agents.includes(shown)) agents.push(shown);
    if (fresh) this.tracker.announce(tracked);
  }
}
