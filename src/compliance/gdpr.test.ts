import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateStandard } from './evaluator.js';
import { collectFacts } from './facts.js';
import { gdpr } from './gdpr.js';
import { config, control, NOW, populatedStore, type TestStore } from './test-support.js';

let populated: TestStore;
beforeAll(async () => {
  populated = await populatedStore();
});
afterAll(async () => {
  await populated.close();
});

const report = async (overrides: Record<string, unknown> = {}) => evaluateStandard(gdpr, await collectFacts(config(overrides), populated.store, NOW));

describe('GDPR', () => {
  it('passes every article on a well-run installation', async () => {
    const r = await report();
    expect(r.controls.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual([]);
    expect(r.status).toBe('COMPLIANT');
  });

  it('Art. 5(1)(e): events kept forever or longer than the limit fail, naming the options', async () => {
    const forever = control(await report({ 'store.retentionDays': { loginAttempts: 0, securityEvents: 90, detections: 90, auditLogs: 0 } }), 'Art.5(1)(e)');
    expect(forever).toMatchObject({ status: 'fail', remediation: expect.stringContaining('store.retentionDays.loginAttempts') });
    expect(forever.evidence).toContain('login attempts: forever');
    const long = control(await report({ 'compliance.personalDataMaxRetentionDays': 180 }), 'Art.5(1)(e)');
    expect(long.status).toBe('fail');
    expect(control(await report({ 'store.retentionDays': { loginAttempts: 30, securityEvents: 30, detections: 30, auditLogs: 0 } }), 'Art.5(1)(e)').status).toBe('pass');
  });

  it('Art. 25: forwarding raw events to a SIEM is partial', async () => {
    const r = await report({ 'siem.destinations': [{ name: 'siem1', type: 'http', url: 'https://siem.example/in', filter: { kinds: ['detection', 'event'] } }] });
    expect(control(r, 'Art.25')).toMatchObject({ status: 'partial', evidence: expect.arrayContaining([expect.stringContaining('siem1')]) });
  });

  it('Art. 32(1)(a): no attestation of encryption at rest fails', async () => {
    const r = await report({ 'compliance.encryptionAtRest': { attested: false } });
    expect(control(r, 'Art.32(1)(a)-rest')).toMatchObject({ status: 'fail', remediation: expect.stringContaining('LUKS') });
  });

  it('Art. 33: no contact and no alerting is partial, with what is missing', async () => {
    const r = await report({ 'compliance.incidentContact': '', alerts: undefined });
    const c = control(r, 'Art.33');
    expect(c.status).toBe('partial');
    expect(c.remediation).toContain('compliance.incidentContact');
    expect(c.remediation).toContain('alert channel');
  });

  it('Art. 5(1)(f): a modified audit row fails the integrity control, naming the row', async () => {
    const original = await populated.store.db.selectFrom('audit_logs').select('actor').where('id', '=', 2).executeTakeFirstOrThrow();
    await sql`UPDATE audit_logs SET actor = 'mallory' WHERE id = 2`.execute(populated.store.db);
    try {
      const c = control(await report(), 'Art.5(1)(f)');
      expect(c).toMatchObject({ status: 'fail', evidence: ['audit chain broken at row 2 (modified) after 1 good rows'] });
    } finally {
      await sql`UPDATE audit_logs SET actor = ${original.actor} WHERE id = 2`.execute(populated.store.db);
    }
    expect(control(await report(), 'Art.5(1)(f)').status).toBe('pass');
  });
});
