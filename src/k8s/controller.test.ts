import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKubeApi } from '../../test/helpers/servers/fake-kube-api.js';
import { HealController } from './controller.js';
import { NOW, fixture, healConfig, node, pod } from './test-fixtures.js';
import type { HealConfig } from './config.js';

const logger = pino({ level: 'silent' });

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function config(identity: string, overrides: Partial<HealConfig> = {}): HealConfig {
  const base = healConfig({ intervalMs: 3_600_000, ...overrides });
  base.leaderElection = { ...base.leaderElection, identity, renewIntervalMs: 3_600_000 };
  return base;
}

describe('controller: informers, rounds and leadership against the fake API server', () => {
  let api: FakeKubeApi;
  const controllers: HealController[] = [];
  const controller = (identity: string, overrides: Partial<HealConfig> = {}) => {
    const c = new HealController({ config: config(identity, overrides), kubeConfig: api.kubeConfig(), logger, now: () => NOW });
    controllers.push(c);
    return c;
  };

  beforeEach(async () => {
    api = await new FakeKubeApi().start();
    api.put('deployments', fixture('deployment-web'));
    api.put('replicasets', fixture('replicaset-web-rev1'));
    api.put('replicasets', fixture('replicaset-web-rev2'));
    api.put('statefulsets', fixture('statefulset-db'));
    api.put('nodes', node('ready'));
    const b = node('ready');
    b.metadata!.name = 'node-b';
    api.put('nodes', b);
    api.put('pods', pod('healthy'));
  });
  afterEach(async () => {
    await Promise.all(controllers.splice(0).map((c) => c.stop()));
    await api.stop();
  });

  it('lists, then watches from the list resourceVersion; sees changes and acts on them', async () => {
    const c = controller('vigil-heal-a');
    await c.start();
    const listRv = api.list('pods').map((p) => Number(p.metadata?.resourceVersion));
    const watches = api.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch === 'true');
    expect(watches).toHaveLength(1);
    expect(Number(watches[0]!.query.resourceVersion)).toBeGreaterThanOrEqual(Math.max(...listRv));
    expect(c.state().pods.map((p) => p.metadata?.name)).toEqual(['web-7d9f8b6c5d-x2x9q']);

    // A pod starts crash-looping: the watch delivers it, the next round restarts it.
    api.put('pods', pod('crashloop'));
    await until(() => c.state().pods.length === 2, 'the ADDED event');
    const round = await c.round();
    expect(round.acted).toBe(true);
    expect(round.outcomes.map((o) => [o.action.type, o.result])).toEqual([['restart', 'success']]);
    await until(() => c.state().pods.length === 1, 'the DELETED event');
    const [event] = api.list('events') as { source: { component: string }; reason: string }[];
    expect(event).toMatchObject({ source: { component: 'self-healing-operator' }, reason: 'HealRestart' });

    // Cooldown: the same Deployment crash-looping again is left alone this round.
    api.put('pods', pod('crashloop'));
    await until(() => c.state().pods.length === 2, 'the second ADDED event');
    const again = await c.round();
    expect(again.outcomes).toEqual([]);
    expect(again.plan.skipped[0]).toMatchObject({ reason: 'cooldown', target: 'deployment/shop/web' });
    expect(await c.metrics.registry.getSingleMetricAsString('vigil_heal_targets_in_cooldown')).toContain('vigil_heal_targets_in_cooldown 1');
  });

  it('resumes a closed watch from its resourceVersion, and relists after 410 Gone', async () => {
    const c = controller('vigil-heal-a');
    await c.start();
    const listsBefore = api.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch === undefined).length;
    api.closeWatches();
    api.put('pods', pod('failed'));
    await until(() => c.state().pods.length === 2, 'the pod added while the watch was down');
    expect(api.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch === undefined)).toHaveLength(listsBefore);

    // History compacted while disconnected: the watch answers 410 and the informer relists.
    api.closeWatches();
    api.remove('pods', 'web-7d9f8b6c5d-f41ld', 'shop');
    api.compact();
    await until(() => c.state().pods.length === 1, 'the relist after 410');
    expect(api.requests.filter((r) => r.path === '/api/v1/pods' && r.query.watch === undefined).length).toBeGreaterThan(listsBefore);
  });

  it('only the Lease holder acts; the follower takes over when the leader releases', async () => {
    api.put('pods', pod('crashloop'));
    const a = controller('vigil-heal-a');
    const b = controller('vigil-heal-b');
    await a.start();
    await b.start();
    expect(a.isLeader).toBe(true);
    expect(b.isLeader).toBe(false);
    expect(await b.metrics.registry.getSingleMetricAsString('vigil_heal_leader')).toContain('vigil_heal_leader 0');
    const follower = await b.round();
    expect(follower.acted).toBe(false);
    expect(api.requestsTo('DELETE', '/api/v1/namespaces/')).toHaveLength(0);

    await a.stop();
    controllers.splice(controllers.indexOf(a), 1);
    await (b as unknown as { electOnce(): Promise<void> }).electOnce();
    expect(b.isLeader).toBe(true);
    const leader = await b.round();
    expect(leader.outcomes.map((o) => o.action.type)).toEqual(['restart']);
  });

  it('dry-run records the action (Event, metric) and changes nothing', async () => {
    api.put('pods', pod('crashloop'));
    const c = controller('vigil-heal-a', { dryRun: true });
    await c.start();
    const round = await c.round();
    expect(round.outcomes.map((o) => o.result)).toEqual(['dry-run']);
    expect(api.get('pods', 'web-7d9f8b6c5d-k8s2m', 'shop')).toBeDefined();
    const writes = api.requests.filter((r) => r.method !== 'GET' && !r.path.includes('/leases') && !r.path.endsWith('/events'));
    expect(writes).toEqual([]);
    expect(await c.metrics.registry.getSingleMetricAsString('vigil_heal_actions_total')).toContain('{strategy="restart",result="dry-run"} 1');
  });

  it('once() lists and plans without watching or acting', async () => {
    api.put('pods', pod('crashloop'));
    const plan = await controller('vigil-heal-a').once();
    expect(plan.actions.map((a) => [a.type, a.target])).toEqual([['restart', 'deployment/shop/web']]);
    expect(api.requests.every((r) => r.method === 'GET' && r.query.watch === undefined)).toBe(true);
  });
});
