import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateStandard } from './evaluator.js';
import { collectFacts } from './facts.js';
import { soc2 } from './soc2.js';
import { config, control, NOW, populatedStore, testStore, type TestStore } from './test-support.js';

let populated: TestStore;
beforeAll(async () => {
  populated = await populatedStore();
});
afterAll(async () => {
  await populated.close();
});

const report = async (overrides: Record<string, unknown> = {}, t: TestStore = populated) => evaluateStandard(soc2, await collectFacts(config(overrides), t.store, NOW));

describe('SOC 2', () => {
  it('passes every control on a well-run installation: 100 %, COMPLIANT', async () => {
    const r = await report();
    expect(r.controls.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.evidence.join('; ')}`)).toEqual([]);
    expect(r).toMatchObject({ score: 100, status: 'COMPLIANT', summary: { pass: 13, fail: 0 } });
    expect(control(r, 'CC7.2-log-integrity').evidence[0]).toContain('3 entries');
  });

  it('CC6.1: admin without a token on loopback fails; no tokens on a public address fails; on loopback only partial', async () => {
    expect(control(await report({ 'auth.loopbackWithoutToken': ['read', 'admin'] }), 'CC6.1-auth')).toMatchObject({ status: 'fail', remediation: expect.stringContaining('loopbackWithoutToken') });
    expect(control(await report({ 'auth.tokens': [], 'server.host': '0.0.0.0' }), 'CC6.1-auth').status).toBe('fail');
    expect(control(await report({ 'auth.tokens': [] }), 'CC6.1-auth').status).toBe('partial');
    expect(control(await report({ 'server.enabled': false }), 'CC6.1-auth').status).toBe('not_applicable');
  });

  it('CC6.7: plain HTTP on a public address fails, loopback behind a proxy is partial, server.tls passes', async () => {
    expect(control(await report({ 'server.tls': undefined, 'server.host': '0.0.0.0' }), 'CC6.7-transmission').status).toBe('fail');
    expect(control(await report({ 'server.tls': undefined }), 'CC6.7-transmission').status).toBe('partial');
    expect(control(await report({ 'server.tls': { enabled: false, certFile: '/x.crt' }, 'server.host': '0.0.0.0' }), 'CC6.7-transmission').status).toBe('fail');
    expect(control(await report({ 'server.tls': { cert: '/etc/x.pem' }, 'server.host': '0.0.0.0' }), 'CC6.7-transmission').status).toBe('pass');
  });

  it('CC7.3: without alert channels or SIEM it fails; a SIEM destination alone passes', async () => {
    const none = await report({ alerts: undefined });
    expect(control(none, 'CC7.3-alerting')).toMatchObject({ status: 'fail', evidence: expect.arrayContaining([expect.stringContaining('no alert channel')]) });
    expect(control(await report({ alerts: { enabled: false, channels: [{ name: 'x' }] } }), 'CC7.3-alerting').status).toBe('fail');
    expect(control(await report({ alerts: { channels: { mail: { to: 'a@b' } } } }), 'CC7.3-alerting').status).toBe('pass');
    const siem = await report({ alerts: undefined, 'siem.destinations': [{ name: 'splunk', type: 'splunk-hec', url: 'https://splunk.example:8088', token: 'secret-token-0123456789' }] });
    expect(control(siem, 'CC7.3-alerting')).toMatchObject({ status: 'pass', evidence: expect.arrayContaining(['SIEM forwarding to: splunk']) });
  });

  it('an empty store: no monitoring evidence, no review, no backup — and the score drops below 80', async () => {
    const empty = await testStore();
    try {
      const r = await report({}, empty);
      expect(control(r, 'CC7.2-monitoring').status).toBe('partial');
      expect(control(r, 'CC6.2-access-review')).toMatchObject({ status: 'fail', remediation: expect.stringContaining('vigil audit record --action access.review') });
      expect(control(r, 'A1.2-backup').status).toBe('fail');
      expect(control(r, 'CC8.1-changes').status).toBe('partial');
      expect(r.score).toBeLessThan(80);
      expect(r.status).toBe('NON_COMPLIANT');
    } finally {
      await empty.close();
    }
  });

  it('without a store, the logging controls fail and say why', async () => {
    const r = evaluateStandard(soc2, await collectFacts(config({ 'store.enabled': false }), undefined, NOW));
    expect(control(r, 'CC7.2-audit-logging')).toMatchObject({ status: 'fail', evidence: ['no audit store: store.enabled is false'] });
    expect(control(r, 'CC7.2-log-integrity').status).toBe('fail');
  });
});

describe('SOC 2 transmission with a SIEM', () => {
  it('CC6.7: a SIEM destination over plain TCP syslog makes it partial', async () => {
    const r = await report({ 'siem.destinations': [{ name: 'qradar', type: 'leef-syslog', host: 'siem.example', port: 514, transport: 'tcp' }] });
    expect(control(r, 'CC6.7-transmission')).toMatchObject({ status: 'partial', evidence: expect.arrayContaining(['SIEM destinations without TLS: qradar']) });
  });
});
