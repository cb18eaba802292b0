import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { IdGenerator } from '../core/ids.js';
import { applyFeedback, FeedbackError } from './feedback.js';
import { responseConfigSchema, type ResponseConfig } from './responder.js';
import { ResponseStage } from './response-stage.js';
import { makeDetection } from './test-helpers.js';

const AT = Date.parse('2024-01-15T12:00:00Z');

function stageWithBlock(ip = '203.0.113.5') {
  const config = Value.Default(responseConfigSchema, {}) as ResponseConfig;
  const stage = new ResponseStage({ config, ids: new IdGenerator('inc', 'x') });
  stage.detection(makeDetection({ detector: 'brute_force', type: 'brute_force', severity: 'HIGH', sourceIp: ip, evidence: { lastSeen: AT } }));
  const incident = stage.incidents()[0];
  if (incident === undefined) throw new Error('no incident');
  return { stage, engine: stage.engine, incident };
}

describe('analyst feedback', () => {
  it('a false positive lifts the block, allowlists the IP and suppresses the detector for it', () => {
    const { stage, engine, incident } = stageWithBlock();
    expect(engine.decisions.lookup('203.0.113.5', AT + 1)).toBeDefined();
    const outcome = applyFeedback(engine, incident, { verdict: 'false_positive', unblock: true, allowlist: true, suppress: true, note: 'our scanner' }, AT + 1, 'ops');
    expect(outcome.unblocked.map((d) => d.value)).toEqual(['203.0.113.5']);
    expect(engine.decisions.lookup('203.0.113.5', AT + 2)).toBeUndefined();
    expect(engine.allowlist.match('203.0.113.5', AT + 2)?.source).toBe('feedback');
    expect(outcome.suppressions.map((s) => [s.detector, s.value])).toEqual([['brute_force', '203.0.113.5']]);
    expect(stage.incident(incident.id)?.feedback).toMatchObject({ verdict: 'false_positive', by: 'ops', note: 'our scanner', allowlisted: '203.0.113.5' });

    // The suppressed detector raises nothing more for that IP; another IP still gets an incident.
    stage.detection(makeDetection({ detector: 'brute_force', type: 'brute_force', severity: 'CRITICAL', sourceIp: '203.0.113.5', evidence: { lastSeen: AT + 5 } }));
    expect(stage.stats.suppressed).toBe(1);
    expect(stage.incidents()).toHaveLength(1);
    stage.detection(makeDetection({ detector: 'brute_force', type: 'brute_force', severity: 'HIGH', sourceIp: '203.0.113.6', evidence: { lastSeen: AT + 5 } }));
    expect(stage.incidents()).toHaveLength(2);
  });

  it('a true positive is only recorded; side effects with it are refused before anything changes', () => {
    const { engine, incident } = stageWithBlock();
    expect(() => applyFeedback(engine, incident, { verdict: 'true_positive', unblock: true }, AT + 1, 'ops')).toThrow(FeedbackError);
    expect(engine.decisions.lookup('203.0.113.5', AT + 1)).toBeDefined();
    expect(incident.feedback).toBeUndefined();
    const outcome = applyFeedback(engine, incident, { verdict: 'true_positive' }, AT + 1, 'ops');
    expect(outcome.feedback).toMatchObject({ verdict: 'true_positive', unblocked: [], suppressions: [] });
    expect(engine.decisions.lookup('203.0.113.5', AT + 1)).toBeDefined();
  });

  it('refuses a detector the incident does not hold and an out-of-range suppression, changing nothing', () => {
    const { engine, incident } = stageWithBlock();
    expect(() => applyFeedback(engine, incident, { verdict: 'false_positive', unblock: true, suppress: true, detector: 'nope' }, AT + 1, 'ops')).toThrow(/nope/);
    expect(() => applyFeedback(engine, incident, { verdict: 'false_positive', unblock: true, suppress: true, suppressSeconds: 1e12 }, AT + 1, 'ops')).toThrow(/at most/);
    expect(engine.decisions.lookup('203.0.113.5', AT + 1)).toBeDefined();
    expect(engine.suppressions.size).toBe(0);
  });
});
