import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKubeApi } from '../../test/helpers/servers/fake-kube-api.js';
import { loadConfig } from '../core/config.js';
import { fixture, node, pod } from '../k8s/test-fixtures.js';
import { UsageError } from './input.js';
import { buildProgram } from './main.js';
import { loadKubeConfig, runHeal } from './heal.js';

describe('vigil heal', () => {
  let api: FakeKubeApi;
  let dir: string;
  let kubeconfig: string;

  beforeEach(async () => {
    api = await new FakeKubeApi().start();
    dir = mkdtempSync(join(tmpdir(), 'vigil-heal-cli-'));
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: fake, cluster: {server: "${api.url}", insecure-skip-tls-verify: true}}]`,
        'users: [{name: fake, user: {}}]',
        'contexts: [{name: fake, context: {cluster: fake, user: fake}}]',
        'current-context: fake',
      ].join('\n'),
    );
    api.put('deployments', fixture('deployment-web'));
    api.put('replicasets', fixture('replicaset-web-rev2'));
    api.put('nodes', node('ready'));
    api.put('pods', pod('crashloop'));
    api.put('pods', pod('bare'));
  });
  afterEach(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is registered with --kubeconfig, --dry-run, --once', () => {
    const heal = buildProgram().commands.find((c) => c.name() === 'heal');
    expect(heal?.options.map((o) => o.long)).toEqual(['--kubeconfig', '--dry-run', '--once', '--json']);
  });

  it('--once lists the cluster through the kubeconfig, prints the plan and changes nothing', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const { config } = loadConfig({ env: {}, cwd: dir });
    expect(config.heal.enabled).toBe(false);
    const code = await runHeal(config, { kubeconfig, once: true }, out, pino({ level: 'silent' }));
    expect(code).toBe(0);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toContain('unhealthy pod shop/web-7d9f8b6c5d-k8s2m: crashLoop (container web in CrashLoopBackOff)');
    expect(text).toContain('action    restart pod shop/web-7d9f8b6c5d-k8s2m [deployment/shop/web] — crashLoop');
    expect(text).toContain('skipped   shop/debug-shell [pod/shop/debug-shell] — no-controller');
    expect(api.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('--once --json prints the plan as JSON', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await runHeal(loadConfig({ env: {}, cwd: dir }).config, { kubeconfig, once: true, json: true }, out, pino({ level: 'silent' }));
    const plan = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { actions: { type: string }[] };
    expect(plan.actions.map((a) => a.type)).toEqual(['restart']);
  });

  it('a missing kubeconfig is a usage error naming the file', async () => {
    await expect(loadKubeConfig(join(dir, 'nope'))).rejects.toThrow(UsageError);
    await expect(loadKubeConfig(join(dir, 'nope'))).rejects.toThrow(/nope/);
  });
});
