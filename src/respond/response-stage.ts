import type { Logger } from 'pino';
import type { Decision, Detection, Incident } from '../core/detection.js';
import { maskIp } from '../core/ip.js';
import type { ThreatLevel } from '../core/threat-level.js';
import { ResponseEngine, type ResponseEngineOptions } from './engine.js';
import type { ResponseAction } from './responder.js';

export interface ResponseStats {
  /** Incidents by the level they reached, counted once per incident and level. */
  threats: Record<ThreatLevel, number>;
  /** Block decisions made, by penalty labels (see metrics). */
  penalties: Map<string, { penaltyType: string; duration: string; violations: string; count: number }>;
  decisionsExpired: number;
  skipped: Map<string, number>;
  /** Detections ignored because an analyst suppressed their (detector, subject). */
  suppressed: number;
}

/** Listeners for what the response stage decides (alerting, SIEM, audit plug in here). */
export interface ResponseListener {
  incident?(incident: Incident, created: boolean, reasons: string[]): void;
  decision?(decision: Decision, action: 'added' | 'expired'): void;
  alert?(incident: Incident, level: ThreatLevel): void;
  /** An incident ended (quiet for its gap, or resolved early to make room). */
  resolved?(incident: Incident): void;
}

/**
 * The pipeline stage after the detectors: every detection (when raised and
 * again when closed, with its final evidence) goes through the response
 * engine — history, score, incident, decision — in event time. Keeps the
 * recent incidents for the API and counts what it did for the metrics.
 */
export class ResponseStage {
  readonly engine: ResponseEngine;
  readonly stats: ResponseStats = {
    threats: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 },
    penalties: new Map(),
    decisionsExpired: 0,
    skipped: new Map(),
    suppressed: 0,
  };
  /** Recent incidents by id (open and resolved), bounded; newest last. */
  private readonly recent = new Map<string, Incident>();
  private readonly counted = new Set<string>();

  constructor(
    options: ResponseEngineOptions,
    private readonly logger?: Logger,
    private readonly listener: ResponseListener = {},
    private readonly maxIncidentsKept = 10_000,
  ) {
    this.engine = new ResponseEngine(options);
  }

  /** A detection was raised, or closed with its final evidence. */
  detection(detection: Detection): void {
    const at = Number.isFinite(detection.evidence.lastSeen) ? detection.evidence.lastSeen : detection.detectedAt;
    // An analyst marked this detector wrong about this subject: no history, incident or decision.
    if (this.engine.suppressions.match(detection, at) !== undefined) {
      this.stats.suppressed++;
      return;
    }
    const outcome = this.engine.onDetection(detection, at);
    for (const incident of outcome.resolved) this.resolved(incident);
    const update = outcome.incident;
    if (update !== undefined) {
      this.keep(update.incident);
      this.countThreat(update.incident);
      this.listener.incident?.(update.incident, update.created, update.reasons);
    }
    for (const action of outcome.response.actions) this.act(action);
  }

  advance(watermark: number): void {
    const outcome = this.engine.advance(watermark);
    for (const incident of outcome.resolvedIncidents) this.resolved(incident);
    for (const decision of outcome.expiredDecisions) {
      this.stats.decisionsExpired++;
      this.listener.decision?.(decision, 'expired');
    }
    if (outcome.protection !== undefined) {
      this.logger?.warn({ protectionMode: outcome.protection }, 'protection mode changed');
    }
  }

  /** Incidents newest first, optionally only open ones or of a subject. */
  incidents(filter: { status?: 'open' | 'resolved'; ip?: string; minLevel?: ThreatLevel; limit?: number } = {}): Incident[] {
    const out: Incident[] = [];
    const all = [...this.recent.values()];
    const limit = filter.limit ?? 100;
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const incident = all[i] as Incident;
      if (filter.status !== undefined && incident.status !== filter.status) continue;
      if (filter.ip !== undefined && !(incident.subject.scope === 'ip' && incident.subject.value === filter.ip)) continue;
      out.push(incident);
    }
    return out;
  }

  incident(id: string): Incident | undefined {
    return this.recent.get(id);
  }

  private resolved(incident: Incident): void {
    this.keep(incident);
    this.listener.resolved?.(incident);
  }

  private keep(incident: Incident): void {
    this.recent.delete(incident.id);
    this.recent.set(incident.id, incident);
    if (this.recent.size > this.maxIncidentsKept) {
      const oldest = this.recent.keys().next();
      if (!oldest.done) {
        this.recent.delete(oldest.value);
        for (const level of ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']) this.counted.delete(`${oldest.value}:${level}`);
      }
    }
  }

  private countThreat(incident: Incident): void {
    const key = `${incident.id}:${incident.level}`;
    if (this.counted.has(key)) return;
    this.counted.add(key);
    this.stats.threats[incident.level]++;
  }

  private act(action: ResponseAction): void {
    switch (action.type) {
      case 'block': {
        const d = action.decision;
        const labels = {
          penaltyType: d.simulated ? 'simulated_block' : 'ip_block',
          duration: durationCategory(action.durationSeconds),
          violations: violationCategory(d.scope === 'user' ? action.previousBans + 1 : Math.max(1, this.engine.history.count(d.value, d.createdAt))),
        };
        const key = `${labels.penaltyType}|${labels.duration}|${labels.violations}`;
        const entry = this.stats.penalties.get(key) ?? { ...labels, count: 0 };
        entry.count++;
        this.stats.penalties.set(key, entry);
        this.logger?.warn(
          { ip: d.scope === 'user' ? undefined : maskIp(d.value), scope: d.scope, seconds: action.durationSeconds, simulated: d.simulated === true, origin: d.origin },
          'block decided',
        );
        this.listener.decision?.(d, 'added');
        break;
      }
      case 'alert': {
        const incident = this.recent.get(action.incidentId);
        if (incident !== undefined) this.listener.alert?.(incident, action.level);
        break;
      }
      case 'protection_mode':
        this.logger?.warn({ active: action.change.active, reason: action.change.reason }, 'protection mode changed');
        break;
      case 'skipped':
        this.stats.skipped.set(action.reason, (this.stats.skipped.get(action.reason) ?? 0) + 1);
        break;
      case 'digest':
        break;
    }
  }
}

/** Metric label for a block's length: short ≤ 300 s, medium ≤ 1800 s, long ≤ 3600 s, extended beyond. */
export function durationCategory(seconds: number): string {
  if (seconds <= 300) return 'short';
  if (seconds <= 1800) return 'medium';
  if (seconds <= 3600) return 'long';
  return 'extended';
}

/** Metric label for how often an IP was penalised: first (1), few (≤ 3), multiple (≤ 10), excessive (> 10). */
export function violationCategory(count: number): string {
  if (count <= 1) return 'first';
  if (count <= 3) return 'few';
  if (count <= 10) return 'multiple';
  return 'excessive';
}
