import type { Decision, Incident, IncidentFeedback } from '../../core/detection.js';
import type { ResponseStage } from '../../respond/response-stage.js';
import type { SecurityStatus } from '../../respond/status.js';
import type { Suppression } from '../../respond/suppressions.js';
import type { LiveStats, SecondPoint, TopLists } from './live-stats.js';
import type { AlertRecord, RecentAlerts } from './recent-alerts.js';
import type { SseHub } from './sse-hub.js';

/** An incident as the dashboard lists it (the evidence is fetched on click). */
export interface IncidentSummary {
  id: string;
  subject: Incident['subject'];
  level: Incident['level'];
  confidence: number;
  status: Incident['status'];
  openedAt: number;
  updatedAt: number;
  detections: number;
  detectors: string[];
  types: string[];
  feedback?: IncidentFeedback;
}

export function summarizeIncident(incident: Incident): IncidentSummary {
  const summary: IncidentSummary = {
    id: incident.id,
    subject: incident.subject,
    level: incident.level,
    confidence: incident.confidence,
    status: incident.status,
    openedAt: incident.openedAt,
    updatedAt: incident.updatedAt,
    detections: incident.detections.length,
    detectors: [...new Set(incident.detections.map((d) => d.detector))],
    types: [...new Set(incident.detections.map((d) => d.type))],
  };
  if (incident.feedback !== undefined) summary.feedback = incident.feedback;
  return summary;
}

export interface DashboardSnapshot {
  /** Decision time (event time or wall clock, the later). */
  now: number;
  series: SecondPoint[];
  top: TopLists;
  alerts: AlertRecord[];
  status: SecurityStatus;
  incidents: IncidentSummary[];
  /** Active decisions, the newest `maxSnapshotDecisions` of them. */
  decisions: Decision[];
  /** Active decisions in all. */
  decisionsTotal: number;
  suppressions: Suppression[];
  stream: StreamStats;
}

export interface StreamStats {
  clients: number;
  dropped: number;
}

export interface LiveFeedOptions {
  stage: ResponseStage;
  stats: LiveStats;
  alerts: RecentAlerts;
  hub: SseHub;
  /** Decision time: the later of the wall clock and the event-time watermark. */
  now(): number;
  /** Wall clock (the per-second counters). */
  wallNow(): number;
  /** Incidents sent one by one per flush; more and clients are told to reload. */
  maxIncidentsPerFlush?: number;
  /** Decision changes sent one by one per flush; more and clients are told to reload. */
  maxDecisionChangesPerFlush?: number;
  /** Decisions listed in a snapshot (the newest). */
  maxSnapshotDecisions?: number;
}

/**
 * Turns what the service does into the dashboard's event stream: once a
 * second a `tick` (events and login failures of the last second, status,
 * top lists), and — coalesced, at most a few times a second — `incident`,
 * `decision`, `protection` and `alert` events. Nothing is built or kept
 * while no client listens. Bursts larger than the per-flush caps become one
 * `resync` event (reload the snapshot) instead of an unbounded backlog.
 */
export class LiveFeed {
  private readonly dirty = new Map<string, Incident>();
  private incidentsOverflow = false;
  private lastSeq: number;
  private lastProtection: boolean | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly maxIncidents: number;
  private readonly maxDecisionChanges: number;
  private readonly unsubscribeAlerts: () => void;

  constructor(private readonly options: LiveFeedOptions) {
    this.lastSeq = options.stage.engine.decisions.lastSeq;
    this.maxIncidents = options.maxIncidentsPerFlush ?? 200;
    this.maxDecisionChanges = options.maxDecisionChangesPerFlush ?? 500;
    this.unsubscribeAlerts = options.alerts.subscribe((alert) => options.hub.broadcast('alert', alert));
  }

  start(): void {
    if (this.ticker !== undefined) return;
    this.ticker = setInterval(() => this.tick(), 1000);
    this.ticker.unref();
  }

  stop(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.ticker = undefined;
    this.flushTimer = undefined;
    this.unsubscribeAlerts();
  }

  /** An incident was created, grew, resolved or got feedback. */
  incidentChanged(incident: Incident): void {
    if (this.options.hub.size === 0) return;
    if (!this.dirty.has(incident.id) && this.dirty.size >= this.maxIncidents) this.incidentsOverflow = true;
    else this.dirty.set(incident.id, incident);
    this.poke();
  }

  /** Something changed (decisions, incidents): flush soon, coalescing bursts. */
  poke(): void {
    if (this.flushTimer !== undefined || this.options.hub.size === 0) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, 100);
    this.flushTimer.unref();
  }

  /** Close the last second and send a tick (the 1 Hz timer calls this). */
  tick(): void {
    const { hub, stats } = this.options;
    const point = stats.closeSecond(Math.floor(this.options.wallNow() / 1000) * 1000 - 1000);
    if (hub.size === 0) {
      // Nobody listens: forget pending changes; a new client starts from a snapshot.
      this.lastSeq = this.options.stage.engine.decisions.lastSeq;
      this.dirty.clear();
      this.incidentsOverflow = false;
      this.lastProtection = undefined;
      return;
    }
    this.flush();
    hub.broadcast('tick', { point, status: this.status(), top: stats.top(10), stream: this.streamStats() });
  }

  /** Send pending incident, decision and protection changes. */
  flush(): void {
    const { hub, stage } = this.options;
    if (this.incidentsOverflow) {
      hub.broadcast('resync', { reason: 'incidents' });
    } else {
      for (const incident of this.dirty.values()) hub.broadcast('incident', summarizeIncident(incident));
    }
    this.dirty.clear();
    this.incidentsOverflow = false;

    const delta = stage.engine.decisions.changesSince(this.lastSeq);
    if (delta.resync || delta.changes.length > this.maxDecisionChanges) {
      hub.broadcast('resync', { reason: 'decisions' });
    } else {
      for (const change of delta.changes) hub.broadcast('decision', { type: change.type, cause: change.cause, decision: change.decision });
    }
    this.lastSeq = delta.lastSeq;

    const protection = stage.engine.protection.state(this.options.now());
    if (this.lastProtection !== undefined && protection.active !== this.lastProtection) hub.broadcast('protection', protection);
    this.lastProtection = protection.active;
  }

  /** Everything the dashboard shows, for its first paint and after a resync. */
  snapshot(): DashboardSnapshot {
    const { stage, stats, alerts } = this.options;
    const now = this.options.now();
    const decisions = stage.engine.decisions.list(now);
    const max = this.options.maxSnapshotDecisions ?? 1000;
    return {
      now,
      series: stats.series(),
      top: stats.top(10),
      alerts: alerts.list(50),
      status: this.status(),
      incidents: stage.incidents({ limit: 100 }).map(summarizeIncident),
      // list() is oldest first: keep the newest.
      decisions: decisions.length > max ? decisions.slice(-max) : decisions,
      decisionsTotal: decisions.length,
      suppressions: stage.engine.suppressions.list(now),
      stream: this.streamStats(),
    };
  }

  private status(): SecurityStatus {
    return this.options.stage.engine.status(this.options.now());
  }

  private streamStats(): StreamStats {
    return { clients: this.options.hub.size, dropped: this.options.hub.dropped };
  }
}
