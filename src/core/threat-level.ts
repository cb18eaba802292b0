/**
 * Threat levels, ordered LOW < MEDIUM < HIGH < CRITICAL.
 * Stored as their names everywhere (API, files, metrics); compared by rank.
 */
export const THREAT_LEVELS = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
export type ThreatLevel = (typeof THREAT_LEVELS)[number];

const RANK: Record<ThreatLevel, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };

export function isThreatLevel(value: unknown): value is ThreatLevel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(RANK, value);
}

export function rank(level: ThreatLevel): number {
  return RANK[level];
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareLevels(a: ThreatLevel, b: ThreatLevel): number {
  return RANK[a] - RANK[b];
}

/** One level up (or `steps` levels), saturating at CRITICAL. */
export function upgrade(level: ThreatLevel, steps = 1): ThreatLevel {
  const next = Math.min(THREAT_LEVELS.length - 1, Math.max(0, RANK[level] + steps));
  return THREAT_LEVELS[next] as ThreatLevel;
}

export function maxLevel(a: ThreatLevel, b: ThreatLevel): ThreatLevel {
  return RANK[a] >= RANK[b] ? a : b;
}
