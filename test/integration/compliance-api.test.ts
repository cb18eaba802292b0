import { afterEach, describe, expect, it } from 'vitest';
import type { ComplianceReport } from '../../src/compliance/index.js';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

let running: RunningService | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const ADMIN = { authorization: 'Bearer admin-token-0123456789' };
const READ = { authorization: 'Bearer read-token-0123456789' };

describe('GET /api/v1/compliance/{standard}', () => {
  it('evaluates the running configuration and store: JSON, Markdown and HTML, admin only', async () => {
    running = await startService({
      'auth.tokens': [
        { name: 'ops', token: 'admin-token-0123456789', scopes: ['admin'] },
        { name: 'grafana', token: 'read-token-0123456789', scopes: ['read'] },
      ],
      'auth.loopbackWithoutToken': [],
    });
    const { url, service } = running;
    expect((await postJson(`${url}/api/v1/events`, [loginFailure('192.0.2.1', 'bob', Date.now())])).status).toBe(401);
    expect((await postJson(`${url}/api/v1/events`, [loginFailure('192.0.2.1', 'bob', Date.now())], ADMIN)).status).toBe(202);
    await service.pipeline.idle();
    await service.writer?.flush();
    await postJson(`${url}/api/v1/decisions`, { value: '198.51.100.9', reason: 'abuse' }, ADMIN);
    await new Promise((r) => setTimeout(r, 100));

    expect((await fetch(`${url}/api/v1/compliance/soc2`)).status).toBe(401);
    expect((await fetch(`${url}/api/v1/compliance/soc2`, { headers: READ })).status).toBe(403);
    const bad = await fetch(`${url}/api/v1/compliance/iso27001`, { headers: ADMIN });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VIGIL_E_BAD_REQUEST');

    const res = await fetch(`${url}/api/v1/compliance/pci-dss`, { headers: ADMIN });
    expect(res.status).toBe(200);
    const report = (await res.json()) as ComplianceReport;
    expect(report).toMatchObject({ standard: 'pci-dss', threshold: 80 });
    const byId = new Map(report.controls.map((c) => [c.id, c]));
    expect(byId.get('10.2.1')?.status).toBe('pass');
    expect(byId.get('10.2.1.2')).toMatchObject({ status: 'pass', evidence: [expect.stringMatching(/^1 audit entries in the last 90 days/)] });
    expect(byId.get('10.3.4')).toMatchObject({ status: 'pass', evidence: [expect.stringContaining('1 entries')] });
    expect(byId.get('8.3.1')?.status).toBe('pass');
    // Defaults: 90 days of events is short of PCI's 12 months; no access review recorded yet.
    expect(byId.get('10.5.1-retention')?.status).toBe('fail');
    expect(byId.get('7.2.4')?.status).toBe('fail');
    expect(report.status).toBe(report.score >= 80 ? 'COMPLIANT' : 'NON_COMPLIANT');

    const md = await fetch(`${url}/api/v1/compliance/gdpr?format=md`, { headers: ADMIN });
    expect(md.headers.get('content-type')).toContain('text/markdown');
    expect(await md.text()).toContain('| Art. 5(1)(e) | Storage limitation |');
    const html = await fetch(`${url}/api/v1/compliance/hipaa?format=html`, { headers: ADMIN });
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('<h1>HIPAA Security Rule compliance report</h1>');
  });
});
