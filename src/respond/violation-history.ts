import { Type, type Static } from '@sinclair/typebox';
import type { Detection } from '../core/detection.js';
import { THREAT_LEVELS, type ThreatLevel } from '../core/threat-level.js';
import { KeyedState } from '../detect/windows/keyed-state.js';

export const violationHistoryConfigSchema = Type.Object(
  {
    retentionDays: Type.Number({
      exclusiveMinimum: 0,
      default: 30,
      description: 'Violations of an IP are remembered (and counted by the scorer and responder) for this many days of event time.',
    }),
    maxDetailsPerIp: Type.Integer({
      minimum: 1,
      default: 100,
      description: 'Most recent violations kept in detail (type, level, time) per IP; older ones are only counted per day.',
    }),
    maxIps: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'Memory bound: IPs with a history; the least recently seen is forgotten beyond it (counted).',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type ViolationHistoryConfig = Static<typeof violationHistoryConfigSchema>;

const DAY_MS = 86_400_000;

export interface ViolationDetail {
  detectionId: string;
  type: string;
  level: ThreatLevel;
  /** Event time of the latest event of the detection counted here. */
  at: number;
  /** Violation events this detail stands for (a detection aggregates several). */
  events: number;
}

interface IpHistory {
  lastSeen: number;
  /** Oldest first, at most maxDetailsPerIp. */
  details: ViolationDetail[];
  /** Events of details pushed out of `details`, by event-time day (epoch day number). */
  droppedByDay: Map<number, number>;
  /** Events per level since the IP was first tracked. */
  levels: Record<ThreatLevel, number>;
}

/**
 * Per-IP memory of violations for the scorer and responder: how many in the
 * retention period, of which types, how many in the last few minutes.
 *
 * Unit of counting is the violation *event*: a detection that aggregates 7
 * events counts 7. Recording the same detection again (it grew) adds only
 * the new events, so re-scoring an updated detection does not double count.
 * The last maxDetailsPerIp detections are kept exactly; beyond that, counts
 * fall back to per-day buckets — exact enough, since every threshold (3, 5,
 * 10) is far below what overflows the detail list.
 */
export class ViolationHistory {
  private readonly retentionMs: number;
  private readonly ips: KeyedState<IpHistory>;

  constructor(private readonly config: ViolationHistoryConfig) {
    this.retentionMs = config.retentionDays * DAY_MS;
    this.ips = new KeyedState<IpHistory>({ maxKeys: config.maxIps, ttlMs: this.retentionMs });
  }

  get size(): number {
    return this.ips.size;
  }

  /** IPs forgotten to respect maxIps (memory pressure). */
  get evicted(): number {
    return this.ips.evicted;
  }

  /** Record (or update) a detection for `ip` at event time `at`; level defaults to the detection's severity. */
  record(ip: string, detection: Detection, at: number, level: ThreatLevel = detection.severity): void {
    const history = this.ips.touch(ip, () => ({
      lastSeen: at,
      details: [],
      droppedByDay: new Map(),
      levels: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 },
    }));
    if (at > history.lastSeen) history.lastSeen = at;
    const total = violationsIn(detection);
    const details = history.details;
    let known: ViolationDetail | undefined;
    for (let i = details.length - 1; i >= 0; i--) {
      if ((details[i] as ViolationDetail).detectionId === detection.id) {
        known = details[i];
        break;
      }
    }
    if (known !== undefined) {
      const added = total - known.events;
      if (added > 0) {
        known.events = total;
        history.levels[level] += added;
      }
      if (at > known.at) known.at = at;
      known.level = level;
      return;
    }
    details.push({ detectionId: detection.id, type: detection.type, level, at, events: total });
    history.levels[level] += total;
    while (details.length > this.config.maxDetailsPerIp) {
      const dropped = details.shift() as ViolationDetail;
      const day = Math.floor(dropped.at / DAY_MS);
      history.droppedByDay.set(day, (history.droppedByDay.get(day) ?? 0) + dropped.events);
    }
    // Per-day buckets older than the retention are useless.
    const oldestDay = Math.floor((history.lastSeen - this.retentionMs) / DAY_MS);
    for (const day of history.droppedByDay.keys()) if (day < oldestDay) history.droppedByDay.delete(day);
  }

  /** Violation events of `ip` within the retention period before `now`. */
  count(ip: string, now: number): number {
    const history = this.ips.get(ip);
    if (history === undefined) return 0;
    const from = now - this.retentionMs;
    let total = 0;
    for (const detail of history.details) if (detail.at > from && detail.at <= now) total += detail.events;
    // A day bucket counts while any part of its day is within the retention period.
    for (const [day, events] of history.droppedByDay) if ((day + 1) * DAY_MS > from && day * DAY_MS <= now) total += events;
    return total;
  }

  /** Distinct attack types of `ip` within the retention period (from the detailed list). */
  types(ip: string, now: number): string[] {
    const history = this.ips.get(ip);
    if (history === undefined) return [];
    const from = now - this.retentionMs;
    const types = new Set<string>();
    for (const detail of history.details) if (detail.at > from && detail.at <= now) types.add(detail.type);
    return [...types];
  }

  /** Violation events of `ip` whose detection was last updated within `windowMs` before `now`. */
  eventsWithin(ip: string, now: number, windowMs: number): number {
    const history = this.ips.get(ip);
    if (history === undefined) return 0;
    const from = now - windowMs;
    let total = 0;
    const details = history.details;
    for (let i = details.length - 1; i >= 0; i--) {
      const detail = details[i] as ViolationDetail;
      if (detail.at > from && detail.at <= now) total += detail.events;
    }
    return total;
  }

  /** The detailed recent violations of `ip`, oldest first (copies). */
  details(ip: string): ViolationDetail[] {
    return (this.ips.get(ip)?.details ?? []).map((detail) => ({ ...detail }));
  }

  /** Events per level recorded for `ip` since it was first tracked. */
  levelCounts(ip: string): Record<ThreatLevel, number> {
    const levels = this.ips.get(ip)?.levels;
    const result = { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 } as Record<ThreatLevel, number>;
    if (levels !== undefined) for (const level of THREAT_LEVELS) result[level] = levels[level];
    return result;
  }

  /** Forget IPs with no violation within the retention period before `now`. */
  sweep(now: number): number {
    return this.ips.sweep(now);
  }
}

/**
 * How many violations a detection stands for in an IP's history: every event
 * of a violation the application itself reported (XSS_ATTACK, CSRF_VIOLATION,
 * …), but one per detection for attacks Vigil inferred from many events — a
 * brute force of 200 failures is one offence, not 200.
 */
export function violationsIn(detection: Detection): number {
  return detection.detector === 'waf_violation' ? Math.max(1, detection.evidence.eventCount) : 1;
}
