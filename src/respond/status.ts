import type { Incident } from '../core/detection.js';
import { THREAT_LEVELS, type ThreatLevel } from '../core/threat-level.js';
import type { DecisionStore } from './decisions.js';
import type { ProtectionMode, ProtectionState } from './protection-mode.js';

export type Health = 'HEALTHY' | 'WARNING' | 'CRITICAL';

/** High + critical incidents in the window above which health is WARNING / CRITICAL (from the spec). */
export const HEALTH_WARNING_ABOVE = 20;
export const HEALTH_CRITICAL_ABOVE = 50;
const DAY_MS = 86_400_000;

export interface SecurityStatus {
  /** Incidents per level (latest level of each) opened or updated within the window. */
  incidents: Record<ThreatLevel, number>;
  /** Distinct IPs with an enforceable block decision. */
  blockedIps: number;
  /** Ranges with an enforceable block decision. */
  blockedRanges: number;
  /** Simulated decisions active (recorded, not enforced). */
  simulatedDecisions: number;
  protectionMode: ProtectionState;
  health: Health;
  windowSeconds: number;
  at: number;
}

export function healthFor(highAndCritical: number): Health {
  if (highAndCritical > HEALTH_CRITICAL_ABOVE) return 'CRITICAL';
  if (highAndCritical > HEALTH_WARNING_ABOVE) return 'WARNING';
  return 'HEALTHY';
}

interface LoggedIncident {
  level: ThreatLevel;
  at: number;
}

/**
 * The latest level and update time of recent incidents, for the status
 * summary: bounded (oldest forgotten first) and pruned to the window.
 */
export class IncidentLevelLog {
  private readonly incidents = new Map<string, LoggedIncident>();

  constructor(
    private readonly windowMs = DAY_MS,
    private readonly maxIncidents = 100_000,
  ) {}

  record(incident: Incident, at: number = incident.updatedAt): void {
    this.incidents.delete(incident.id);
    if (this.incidents.size >= this.maxIncidents) {
      const oldest = this.incidents.keys().next();
      if (!oldest.done) this.incidents.delete(oldest.value);
    }
    this.incidents.set(incident.id, { level: incident.level, at });
  }

  /** Incidents per level updated within the window before `now` (at > now - window). */
  counts(now: number): Record<ThreatLevel, number> {
    const from = now - this.windowMs;
    const counts = { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 } as Record<ThreatLevel, number>;
    for (const [id, logged] of this.incidents) {
      if (logged.at <= from) {
        // Updated-in-place entries are re-inserted, so this is mostly the oldest end.
        this.incidents.delete(id);
        continue;
      }
      if (logged.at <= now) counts[logged.level]++;
    }
    return counts;
  }

  get windowSeconds(): number {
    return this.windowMs / 1000;
  }
}

/** The security status summary (24 h by default) shown by the API and dashboard. */
export function securityStatus(input: {
  incidents: IncidentLevelLog;
  decisions: DecisionStore;
  protection: ProtectionMode;
  now: number;
}): SecurityStatus {
  const { now } = input;
  const incidents = input.incidents.counts(now);
  const ips = new Set<string>();
  let ranges = 0;
  let simulated = 0;
  for (const decision of input.decisions.list(now)) {
    if (decision.simulated === true) {
      simulated++;
      continue;
    }
    if (decision.action !== 'block') continue;
    if (decision.scope === 'ip') ips.add(decision.value);
    else if (decision.scope === 'range') ranges++;
  }
  let highAndCritical = 0;
  for (const level of THREAT_LEVELS) if (level === 'HIGH' || level === 'CRITICAL') highAndCritical += incidents[level];
  return {
    incidents,
    blockedIps: ips.size,
    blockedRanges: ranges,
    simulatedDecisions: simulated,
    protectionMode: input.protection.state(now),
    health: healthFor(highAndCritical),
    windowSeconds: input.incidents.windowSeconds,
    at: now,
  };
}
