import type { Detection } from '../core/detection.js';

let counter = 0;

/** A detection for tests: one IP, sensible defaults, overridable. */
export function makeDetection(
  overrides: Omit<Partial<Detection>, 'evidence'> & { evidence?: Partial<Detection['evidence']> } = {},
): Detection {
  const { evidence, ...rest } = overrides;
  return {
    id: `d${++counter}`,
    detector: 'waf_violation',
    type: 'xss_attack',
    sourceIp: '203.0.113.5',
    confidence: 0.5,
    severity: 'MEDIUM',
    eventIds: [],
    status: 'open',
    detectedAt: 0,
    ...rest,
    evidence: { eventCount: 1, firstSeen: 0, lastSeen: 0, ...evidence },
  };
}
