import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { IdGenerator } from '../core/ids.js';
import { ResponseEngine } from './engine.js';
import { responseConfigSchema, type ResponseConfig } from './responder.js';
import { makeDetection } from './test-helpers.js';

describe('ResponseEngine', () => {
  it('detection → history → score → incident → block, then expiry by event time', () => {
    const config = Value.Default(responseConfigSchema, {}) as ResponseConfig;
    const engine = new ResponseEngine({ config, ids: new IdGenerator('inc', 'x') });
    const at = Date.parse('2024-01-15T12:00:00Z'); // Monday noon UTC
    const outcome = engine.onDetection(makeDetection({ severity: 'HIGH', type: 'xss_attack', evidence: { lastSeen: at } }), at);
    expect(outcome.score.level).toBe('HIGH');
    expect(outcome.incident?.created).toBe(true);
    expect(outcome.response.decisions).toHaveLength(1);
    expect(engine.decisions.lookup('203.0.113.5', at + 1)).toBeDefined();
    expect(engine.status(at).incidents.HIGH).toBe(1);
    const later = engine.advance(at + 1_800_000);
    expect(later.expiredDecisions.map((d) => d.value)).toEqual(['203.0.113.5']);
    expect(engine.decisions.lookup('203.0.113.5', at + 1_800_000)).toBeUndefined();
  });
});
