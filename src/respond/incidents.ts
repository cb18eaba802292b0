import { Type, type Static } from '@sinclair/typebox';
import type { Detection, Incident } from '../core/detection.js';
import type { IdGenerator } from '../core/ids.js';
import { maxLevel, rank } from '../core/threat-level.js';
import type { ScoreResult } from './scorer.js';

export const incidentConfigSchema = Type.Object(
  {
    gapSeconds: Type.Number({
      exclusiveMinimum: 0,
      default: 3600,
      description: 'An incident stays open while detections for its subject keep coming within this many seconds of event time; then it is resolved.',
    }),
    maxOpenIncidents: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'Memory bound: open incidents; the least recently updated is resolved early beyond it (counted).',
    }),
    maxDetectionsPerIncident: Type.Integer({
      minimum: 1,
      default: 100,
      description: 'Detections listed per incident; later ones still raise its level and confidence.',
    }),
    maxReasonsPerIncident: Type.Integer({
      minimum: 1,
      default: 50,
      description: 'Scoring reasons kept per incident (distinct; the earliest are kept).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type IncidentConfig = Static<typeof incidentConfigSchema>;

export interface IncidentUpdate {
  incident: Incident;
  /** True when this detection opened the incident. */
  created: boolean;
  /** True when the incident's level rose (or it was created). */
  escalated: boolean;
  /** Scoring reasons of the incident's detections so far (capped). */
  reasons: string[];
}

interface OpenIncident {
  incident: Incident;
  reasons: string[];
  subjectKey: string;
}

/** `{scope, value}` of a detection: its IP, or its user when there is no IP; undefined when neither. */
export function subjectOf(detection: Detection): Incident['subject'] | undefined {
  if (detection.sourceIp !== undefined && detection.sourceIp !== '') return { scope: 'ip', value: detection.sourceIp };
  if (detection.username !== undefined && detection.username !== '') return { scope: 'user', value: detection.username };
  return undefined;
}

/**
 * Groups scored detections into incidents by subject (IP, else user) and
 * event time: a detection joins the subject's open incident when it comes
 * within `gapSeconds` of the incident's last update, else it opens a new one.
 * Level and confidence are the maximum over the incident's detections. A
 * detection seen again (it grew and was re-scored) replaces its earlier copy.
 */
export class IncidentTracker {
  private readonly gapMs: number;
  /** By subject key, least recently updated first. */
  private readonly open = new Map<string, OpenIncident>();
  /** Incidents resolved early because maxOpenIncidents was reached. */
  evicted = 0;

  constructor(
    private readonly config: IncidentConfig,
    private readonly ids: IdGenerator,
  ) {
    this.gapMs = config.gapSeconds * 1000;
  }

  get size(): number {
    return this.open.size;
  }

  /**
   * Add a scored detection at event time `at`. Returns undefined when the
   * detection has neither an IP nor a user. An incident whose gap has passed
   * is resolved (and listed in `resolved`) before a new one opens.
   */
  add(detection: Detection, score: ScoreResult, at: number, resolved: Incident[] = []): IncidentUpdate | undefined {
    const subject = subjectOf(detection);
    if (subject === undefined) return undefined;
    const key = `${subject.scope}|${subject.value}`;
    let entry = this.open.get(key);
    if (entry !== undefined && at - entry.incident.updatedAt > this.gapMs) {
      resolved.push(this.resolveEntry(entry));
      entry = undefined;
    }
    if (entry === undefined) {
      if (this.open.size >= this.config.maxOpenIncidents) {
        const oldest = this.open.values().next();
        if (!oldest.done) {
          resolved.push(this.resolveEntry(oldest.value));
          this.evicted++;
        }
      }
      const incident: Incident = {
        id: this.ids.next(),
        subject,
        level: score.level,
        confidence: score.confidence,
        detections: [detection],
        openedAt: at,
        updatedAt: at,
        status: 'open',
      };
      entry = { incident, reasons: this.capReasons([], score.reasons), subjectKey: key };
      this.open.set(key, entry);
      return { incident, created: true, escalated: true, reasons: entry.reasons };
    }
    const incident = entry.incident;
    const before = incident.level;
    const index = incident.detections.findIndex((d) => d.id === detection.id);
    if (index !== -1) incident.detections[index] = detection;
    else if (incident.detections.length < this.config.maxDetectionsPerIncident) incident.detections.push(detection);
    incident.level = maxLevel(incident.level, score.level);
    incident.confidence = Math.max(incident.confidence, score.confidence);
    if (at > incident.updatedAt) incident.updatedAt = at;
    if (at < incident.openedAt) incident.openedAt = at;
    this.capReasons(entry.reasons, score.reasons);
    // Most recently updated last, so eviction and resolution walk oldest first.
    this.open.delete(key);
    this.open.set(key, entry);
    return { incident, created: false, escalated: rank(incident.level) > rank(before), reasons: entry.reasons };
  }

  /** Resolve every incident quiet for more than the gap before `now`; returns them. */
  resolveQuiet(now: number): Incident[] {
    const resolved: Incident[] = [];
    for (const entry of this.open.values()) {
      if (now - entry.incident.updatedAt > this.gapMs) resolved.push(this.resolveEntry(entry));
    }
    return resolved;
  }

  /** Resolve one incident now (operator action). */
  resolve(incidentId: string): Incident | undefined {
    for (const entry of this.open.values()) {
      if (entry.incident.id === incidentId) return this.resolveEntry(entry);
    }
    return undefined;
  }

  /** The open incident of a subject. */
  openFor(scope: 'ip' | 'user', value: string): Incident | undefined {
    return this.open.get(`${scope}|${value}`)?.incident;
  }

  reasonsFor(incidentId: string): string[] | undefined {
    for (const entry of this.open.values()) if (entry.incident.id === incidentId) return entry.reasons;
    return undefined;
  }

  /** Open incidents, least recently updated first. */
  list(): Incident[] {
    return [...this.open.values()].map((entry) => entry.incident);
  }

  /** Resolve everything (end of stream). */
  flush(): Incident[] {
    return [...this.open.values()].map((entry) => this.resolveEntry(entry));
  }

  private resolveEntry(entry: OpenIncident): Incident {
    this.open.delete(entry.subjectKey);
    entry.incident.status = 'resolved';
    return entry.incident;
  }

  private capReasons(into: string[], more: readonly string[]): string[] {
    for (const reason of more) {
      if (into.length >= this.config.maxReasonsPerIncident) break;
      if (!into.includes(reason)) into.push(reason);
    }
    return into;
  }
}
