import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateStandard } from './evaluator.js';
import { collectFacts } from './facts.js';
import { hipaa } from './hipaa.js';
import { config, control, NOW, populatedStore, type TestStore } from './test-support.js';

let populated: TestStore;
beforeAll(async () => {
  populated = await populatedStore();
});
afterAll(async () => {
  await populated.close();
});

const report = async (overrides: Record<string, unknown> = {}) => evaluateStandard(hipaa, await collectFacts(config(overrides), populated.store, NOW));

describe('HIPAA Security Rule', () => {
  it('passes every safeguard on a well-run installation', async () => {
    const r = await report();
    expect(r.controls.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual([]);
  });

  it('§164.316(b)(2)(i): an audit log pruned after a year fails the 6-year retention', async () => {
    const r = await report({ 'store.retentionDays': { loginAttempts: 365, securityEvents: 365, detections: 365, auditLogs: 365 } });
    expect(control(r, '164.316(b)(2)(i)')).toMatchObject({ status: 'fail', remediation: expect.stringContaining('store.retentionDays.auditLogs: 2190') });
  });

  it('§164.312(a)(2)(iv) and (e)(1): no encryption at rest and plain HTTP fail, and the report drops below 80 %', async () => {
    const r = await report({ 'compliance.encryptionAtRest': { attested: false }, 'server.tls': undefined, 'server.host': '0.0.0.0', alerts: undefined });
    expect(control(r, '164.312(a)(2)(iv)').status).toBe('fail');
    expect(control(r, '164.312(e)(1)').status).toBe('fail');
    expect(control(r, '164.308(a)(6)(ii)').status).toBe('fail');
    expect(r.score).toBe(72.7);
    expect(r.status).toBe('NON_COMPLIANT');
  });

  it('§164.312(c)(1): a deleted audit row fails integrity, naming the missing id', async () => {
    const row = await populated.store.db.selectFrom('audit_logs').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
    await sql`DELETE FROM audit_logs WHERE id = 1`.execute(populated.store.db);
    try {
      expect(control(await report(), '164.312(c)(1)').evidence[0]).toBe('audit chain broken at row 1 (missing) after 0 good rows');
    } finally {
      await populated.store.db.insertInto('audit_logs').values(row).execute();
    }
    expect(control(await report(), '164.312(c)(1)').status).toBe('pass');
  });
});
