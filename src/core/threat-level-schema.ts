import { Type } from '@sinclair/typebox';
import { THREAT_LEVELS, type ThreatLevel } from './threat-level.js';

/** Config schema for a threat level option. */
export function threatLevelSchema(defaultLevel: ThreatLevel) {
  return Type.Union(
    THREAT_LEVELS.map((level) => Type.Literal(level)),
    { default: defaultLevel, description: 'Threat level: LOW, MEDIUM, HIGH or CRITICAL.' },
  );
}
