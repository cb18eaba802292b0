import type { Decision, Detection, Incident } from '../core/detection.js';
import { IdGenerator } from '../core/ids.js';
import { Allowlist, type AllowlistEntry } from './allowlist.js';
import { DecisionStore } from './decisions.js';
import { IncidentTracker, type IncidentUpdate } from './incidents.js';
import { ProtectionMode, type ProtectionChange } from './protection-mode.js';
import { Responder, type ResponseConfig, type ResponseResult } from './responder.js';
import { ThreatScorer, type ScoreResult } from './scorer.js';
import { IncidentLevelLog, securityStatus, type SecurityStatus } from './status.js';
import { Suppressions } from './suppressions.js';
import { ViolationHistory } from './violation-history.js';

export interface DetectionOutcome {
  score: ScoreResult;
  /** Undefined when the detection has neither an IP nor a user. */
  incident: IncidentUpdate | undefined;
  /** Incidents resolved to make room or because their gap had passed. */
  resolved: Incident[];
  response: ResponseResult;
}

export interface AdvanceOutcome {
  expiredDecisions: Decision[];
  resolvedIncidents: Incident[];
  protection: ProtectionChange | undefined;
  expiredAllowlist: AllowlistEntry[];
}

export interface ResponseEngineOptions {
  config: ResponseConfig;
  ids?: IdGenerator;
  reputation?: (ip: string) => number | undefined;
  onProtectionChange?: (change: ProtectionChange) => void;
}

/**
 * The response stage wired together, synchronous and in event time:
 * detection → history → score → incident → decisions/actions. The caller
 * (pipeline) passes event time in and delivers the results to sinks.
 */
export class ResponseEngine {
  readonly history: ViolationHistory;
  readonly scorer: ThreatScorer;
  readonly incidents: IncidentTracker;
  readonly allowlist: Allowlist;
  readonly decisions: DecisionStore;
  readonly protection: ProtectionMode;
  readonly responder: Responder;
  readonly incidentLog = new IncidentLevelLog();
  /** Analyst suppressions per (detector, subject); the response stage skips what they cover. */
  readonly suppressions: Suppressions;

  constructor(options: ResponseEngineOptions) {
    const config = options.config;
    this.history = new ViolationHistory(config.history);
    const scorerDeps: ConstructorParameters<typeof ThreatScorer>[1] = { history: this.history };
    if (options.reputation !== undefined) scorerDeps.reputation = options.reputation;
    this.scorer = new ThreatScorer(config.scoring, scorerDeps);
    this.incidents = new IncidentTracker(config.incidents, options.ids ?? new IdGenerator('inc'));
    this.allowlist = new Allowlist(config.allowlist);
    this.decisions = new DecisionStore({ config: config.decisions, allowlist: this.allowlist });
    this.suppressions = new Suppressions(config.suppressions);
    this.protection = new ProtectionMode(config.protectionMode, options.onProtectionChange);
    this.responder = new Responder({
      config: config.responder,
      decisions: this.decisions,
      history: this.history,
      protection: this.protection,
    });
  }

  /**
   * A detection opened or grew at event time `now`. It is recorded in the
   * IP's history first, so the history counts include it.
   */
  onDetection(detection: Detection, now: number): DetectionOutcome {
    if (detection.sourceIp !== undefined) this.history.record(detection.sourceIp, detection, now);
    const score = this.scorer.score(detection, { at: now });
    const resolved: Incident[] = [];
    const incident = this.incidents.add(detection, score, now, resolved);
    const response: ResponseResult = incident === undefined ? { decisions: [], actions: [] } : this.responder.handle(incident.incident, now);
    if (incident !== undefined) this.incidentLog.record(incident.incident, now);
    return { score, incident, resolved, response };
  }

  /** Event time moved to `now`: expire decisions and allowlist entries, resolve quiet incidents, end protection mode. */
  advance(now: number): AdvanceOutcome {
    const outcome: AdvanceOutcome = {
      expiredDecisions: this.decisions.expire(now),
      resolvedIncidents: this.incidents.resolveQuiet(now),
      protection: this.protection.update(now),
      expiredAllowlist: this.allowlist.expire(now),
    };
    this.history.sweep(now);
    this.responder.sweep(now);
    return outcome;
  }

  status(now: number): SecurityStatus {
    return securityStatus({ incidents: this.incidentLog, decisions: this.decisions, protection: this.protection, now });
  }
}
