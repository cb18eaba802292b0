import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateStandard } from './evaluator.js';
import { collectFacts } from './facts.js';
import { pciDss } from './pci-dss.js';
import { config, control, NOW, populatedStore, type TestStore } from './test-support.js';

let populated: TestStore;
beforeAll(async () => {
  populated = await populatedStore();
});
afterAll(async () => {
  await populated.close();
});

const report = async (overrides: Record<string, unknown> = {}) => evaluateStandard(pciDss, await collectFacts(config(overrides), populated.store, NOW));

describe('PCI DSS', () => {
  it('passes with a year of retention, tokens, TLS and alerting', async () => {
    const r = await report();
    expect(r.controls.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual([]);
    expect(r.score).toBe(100);
  });

  it('10.5.1: the default 90 days fail the 12-month rule but satisfy the 3 months online', async () => {
    const r = await report({ 'store.retentionDays': { loginAttempts: 90, securityEvents: 90, detections: 365, auditLogs: 0 } });
    expect(control(r, '10.5.1-retention')).toMatchObject({ status: 'fail', remediation: expect.stringContaining('store.retentionDays.loginAttempts: 365') });
    expect(control(r, '10.5.1-online').status).toBe('pass');
    const short = await report({ 'store.retentionDays': { loginAttempts: 30, securityEvents: 365, detections: 365, auditLogs: 400 } });
    expect(control(short, '10.5.1-online').status).toBe('fail');
    expect(control(await report({ 'store.retentionDays': { loginAttempts: 0, securityEvents: 0, detections: 365, auditLogs: 0 } }), '10.5.1-retention').status).toBe('pass');
  });

  it('8.3.4: a threshold above 10 attempts or a short block is partial, a disabled detector fails', async () => {
    expect(control(await report({ 'detectors.bruteForce.threshold': 20 }), '8.3.4')).toMatchObject({ status: 'partial', remediation: expect.stringContaining('threshold ≤ 10') });
    expect(control(await report({ 'response.responder.highBlockSeconds': 600 }), '8.3.4').status).toBe('partial');
    expect(control(await report({ 'detectors.bruteForce.enabled': false }), '8.3.4').status).toBe('fail');
  });

  it('7.2.2: every token holding admin is partial', async () => {
    const r = await report({
      'auth.tokens': [
        { name: 'a', token: 'aaaaaaaaaaaaaaaaaaaa', scopes: ['admin'] },
        { name: 'b', token: 'bbbbbbbbbbbbbbbbbbbb', scopes: ['admin'] },
      ],
    });
    expect(control(r, '7.2.2').status).toBe('partial');
  });

  it('7.2.4: a review older than the interval fails', async () => {
    expect(control(await report({ 'compliance.accessReviewIntervalDays': 1 }), '7.2.4')).toMatchObject({ status: 'fail', evidence: [expect.stringContaining('2 days ago (limit 1)')] });
  });
});
