import type { ThreatLevel } from '../core/threat-level.js';

/** CEF and LEEF severity (0–10 scale): LOW 3, MEDIUM 6, HIGH 8, CRITICAL 10. */
export const CEF_SEVERITY: Readonly<Record<ThreatLevel, number>> = { LOW: 3, MEDIUM: 6, HIGH: 8, CRITICAL: 10 };

/**
 * ECS `event.severity` and `event.risk_score`: the numbers Elastic Security
 * uses for rule severities (low 21, medium 47, high 73, critical 99), so
 * Vigil alerts sort among Elastic's own.
 */
export const ECS_SEVERITY: Readonly<Record<ThreatLevel, number>> = { LOW: 21, MEDIUM: 47, HIGH: 73, CRITICAL: 99 };

/** Syslog severity (RFC 5424 table 2): LOW notice(5), MEDIUM warning(4), HIGH error(3), CRITICAL critical(2). */
export const SYSLOG_SEVERITY: Readonly<Record<ThreatLevel, number>> = { LOW: 5, MEDIUM: 4, HIGH: 3, CRITICAL: 2 };

/** Splunk / Sentinel friendly lowercase names. */
export const SEVERITY_NAME: Readonly<Record<ThreatLevel, string>> = { LOW: 'low', MEDIUM: 'medium', HIGH: 'high', CRITICAL: 'critical' };
