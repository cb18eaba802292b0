import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, node, pod } from '../../src/k8s/test-fixtures.js';
import { freePort } from '../helpers/servers/common.js';
import { FakeKubeApi } from '../helpers/servers/fake-kube-api.js';
import { startService, type RunningService } from '../helpers/service.js';

/** `vigil run` with heal.enabled, end to end against the in-process fake API server (no real cluster runs here). */
describe('vigil run with heal.enabled', () => {
  let api: FakeKubeApi | undefined;
  let running: RunningService | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await running?.stop();
    await api?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('watches, restarts a crash-looping pod on its own timer, records an Event and an audit entry, serves its metrics', async () => {
    api = await new FakeKubeApi().start();
    api.put('deployments', fixture('deployment-web'));
    api.put('replicasets', fixture('replicaset-web-rev2'));
    api.put('nodes', node('ready'));
    api.put('pods', pod('crashloop'));
    dir = mkdtempSync(join(tmpdir(), 'vigil-heal-svc-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'fake', cluster: { server: api.url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'fake', user: {} }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
        'current-context': 'fake',
      }),
    );
    const metricsPort = await freePort();
    running = await startService({
      'heal.enabled': true,
      'heal.kubeconfig': kubeconfig,
      'heal.intervalMs': 1000,
      'heal.metrics.host': '127.0.0.1',
      'heal.metrics.port': metricsPort,
      'heal.leaderElection.identity': 'vigil-run-test',
    });
    const deadline = Date.now() + 15_000;
    while (api.get('pods', 'web-7d9f8b6c5d-k8s2m', 'shop') !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(api.get('pods', 'web-7d9f8b6c5d-k8s2m', 'shop')).toBeUndefined();
    expect((api.get('leases', 'vigil-heal', 'vigil') as { spec: { holderIdentity: string } }).spec.holderIdentity).toBe('vigil-run-test');

    // The recorder writes after the action: give it a moment.
    let audit: { action: string; target: string | null }[] = [];
    while (audit.length === 0 && Date.now() < deadline) {
      audit = await running.service.store!.db.selectFrom('audit_logs').select(['action', 'target']).execute();
      if (audit.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(audit).toEqual([{ action: 'heal.restart', target: 'deployment/shop/web' }]);
    expect(api.list('events')).toHaveLength(1);

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain('vigil_heal_actions_total{strategy="restart",result="success"} 1');
    expect(metrics).toContain('vigil_heal_leader 1');
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).json()).toEqual({ status: 'ok', leader: true });

    await running.stop();
    running = undefined;
    // Stopping releases the Lease for the next replica.
    expect((api.get('leases', 'vigil-heal', 'vigil') as { spec: { holderIdentity: string } }).spec.holderIdentity).toBe('');
  });
});
