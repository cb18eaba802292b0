import type { V1Node } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { emptySignals, type MetricSignals } from './conditions.js';
import { RemediationHistory } from './history.js';
import { planActions, type HealAction, type PlanInput } from './planner.js';
import { NOW, cluster, healConfig, node, pod } from './test-fixtures.js';
import type { ClusterState } from './strategies.js';

function plan(state: ClusterState, options: Partial<Omit<PlanInput, 'state'>> = {}) {
  return planActions({
    state,
    signals: options.signals ?? emptySignals(),
    history: options.history ?? new RemediationHistory(3_600_000),
    config: options.config ?? healConfig(),
    now: options.now ?? NOW,
  });
}
const only = (actions: HealAction[]) => {
  expect(actions).toHaveLength(1);
  return actions[0]!;
};

describe('planner: pod strategies', () => {
  it('a healthy cluster needs nothing', () => {
    const result = plan(cluster([pod('healthy')]));
    expect(result.actions).toEqual([]);
    expect(result.findings).toEqual([]);
  });

  it('CrashLoopBackOff restarts the pod; the target is the owning Deployment', () => {
    const action = only(plan(cluster([pod('crashloop')])).actions);
    expect(action).toMatchObject({ type: 'restart', target: 'deployment/shop/web', condition: 'crashLoop', pod: { namespace: 'shop', name: 'web-7d9f8b6c5d-k8s2m', node: 'node-a' } });
  });

  it('Failed and long not-Ready pods restart', () => {
    expect(only(plan(cluster([pod('failed')])).actions)).toMatchObject({ type: 'restart', condition: 'failed' });
    expect(only(plan(cluster([pod('not-ready')])).actions)).toMatchObject({ type: 'restart', condition: 'notReady' });
  });

  it('more than 3 restarts turns a restart into a reschedule that cordons the node', () => {
    const action = only(plan(cluster([pod('restarts')])).actions);
    expect(action).toMatchObject({ type: 'reschedule', condition: 'restarts', cordon: true, pod: { node: 'node-a' } });
  });

  it('reschedule without cordon when the node limit is used up', () => {
    const state = cluster([pod('restarts')]);
    state.nodes[1] = { ...node('cordoned-by-controller'), metadata: { ...node('cordoned-by-controller').metadata, name: 'node-b' } };
    // node-b is cordoned by the controller but healthy and recently: the limit (1 of 2 nodes) is used.
    const result = plan(state, { now: Date.parse('2026-11-23T10:03:00Z') });
    expect(only(result.actions)).toMatchObject({ type: 'reschedule', cordon: false });
  });

  it('high CPU scales the Deployment by one (annotation max-replicas 5)', () => {
    const signals: MetricSignals = emptySignals();
    signals.pods.set('shop/web-7d9f8b6c5d-x2x9q', { cpu: 0.97 });
    const action = only(plan(cluster([pod('healthy')]), { signals }).actions);
    expect(action).toMatchObject({ type: 'scale', workload: { kind: 'Deployment', namespace: 'shop', name: 'web' }, from: 3, to: 4, condition: 'cpu' });
  });

  it('scale stops at healing.io/max-replicas', () => {
    const state = cluster([pod('healthy')]);
    state.deployments[0]!.spec!.replicas = 5;
    const signals = emptySignals();
    signals.pods.set('shop/web-7d9f8b6c5d-x2x9q', { latency: 45 });
    const result = plan(state, { signals });
    expect(result.actions).toEqual([]);
    expect(result.skipped[0]).toMatchObject({ reason: 'at-max-replicas', condition: 'latency' });
  });

  it('scale uses the default ceiling (10) without the annotation', () => {
    const state = cluster([pod('healthy')]);
    delete state.deployments[0]!.metadata!.annotations!['healing.io/max-replicas'];
    state.deployments[0]!.spec!.replicas = 9;
    const signals = emptySignals();
    signals.pods.set('shop/web-7d9f8b6c5d-x2x9q', { cpu: 0.99 });
    expect(only(plan(state, { signals }).actions)).toMatchObject({ type: 'scale', from: 9, to: 10 });
    state.deployments[0]!.spec!.replicas = 10;
    expect(plan(state, { signals }).skipped[0]?.reason).toBe('at-max-replicas');
  });

  it('the StatefulSet annotation healing.io/strategy: scale applies to its pods', () => {
    const action = only(plan(cluster([pod('statefulset')])).actions);
    expect(action).toMatchObject({ type: 'scale', target: 'statefulset/shop/db', workload: { kind: 'StatefulSet', name: 'db' }, from: 2, to: 3 });
  });

  it('rollback goes to the previous ReplicaSet revision, without its pod-template-hash', () => {
    const state = cluster([pod('crashloop')]);
    state.deployments[0]!.metadata!.annotations!['healing.io/strategy'] = 'rollback';
    const action = only(plan(state).actions);
    expect(action.type).toBe('rollback');
    if (action.type !== 'rollback') return;
    expect(action).toMatchObject({ deployment: { namespace: 'shop', name: 'web' }, toRevision: 1, replicaSet: 'web-5c6b7f8d9a' });
    expect(action.template.spec?.containers[0]?.image).toBe('registry.example.com/shop/web:1.4.1');
    expect(action.template.metadata?.labels).toEqual({ app: 'web' });
  });

  it('rollback without an earlier revision is skipped with the reason', () => {
    const state = cluster([pod('crashloop')], { replicaSets: [] });
    state.replicaSets = [cluster([]).replicaSets[1]!]; // only revision 2
    state.deployments[0]!.metadata!.annotations!['healing.io/strategy'] = 'rollback';
    const result = plan(state);
    expect(result.actions).toEqual([]);
    expect(result.skipped[0]).toMatchObject({ reason: 'no-previous-revision' });
  });

  it('the pod annotation overrides the workload and the default; none observes only', () => {
    const p = pod('crashloop');
    p.metadata!.annotations = { 'healing.io/strategy': 'none' };
    const result = plan(cluster([p]));
    expect(result.actions).toEqual([]);
    expect(result.skipped[0]?.reason).toBe('strategy-none');
    expect(result.findings[0]).toMatchObject({ kind: 'pod', subject: 'shop/web-7d9f8b6c5d-k8s2m' });
  });

  it('an unknown strategy annotation is reported, not guessed', () => {
    const p = pod('crashloop');
    p.metadata!.annotations = { 'healing.io/strategy': 'reboot' };
    const result = plan(cluster([p]));
    expect(result.actions).toEqual([]);
    expect(result.skipped[0]).toMatchObject({ reason: 'bad-annotation' });
    expect(result.skipped[0]?.detail).toContain('reboot');
  });

  it('healing.io/enabled: "false" on the Deployment opts its pods out', () => {
    const state = cluster([pod('crashloop')]);
    state.deployments[0]!.metadata!.annotations!['healing.io/enabled'] = 'false';
    const result = plan(state);
    expect(result.actions).toEqual([]);
    expect(result.skipped[0]?.reason).toBe('disabled');
  });

  it('a bare pod is not deleted (nothing would recreate it)', () => {
    const result = plan(cluster([pod('bare')]));
    expect(result.actions).toEqual([]);
    expect(result.skipped[0]).toMatchObject({ reason: 'no-controller', target: 'pod/shop/debug-shell' });
  });

  it('the configured default strategy per condition applies', () => {
    const config = healConfig();
    config.strategies = { ...config.strategies, crashLoop: 'scale' };
    expect(only(plan(cluster([pod('crashloop')]), { config }).actions)).toMatchObject({ type: 'scale', to: 4 });
  });

  it('only namespaces listed are considered', () => {
    const config = healConfig({ namespaces: ['other'] });
    expect(plan(cluster([pod('crashloop')]), { config }).findings).toEqual([]);
  });

  it('one action per workload per round', () => {
    const result = plan(cluster([pod('crashloop'), pod('failed'), pod('not-ready')]));
    expect(result.actions.map((a) => a.target)).toEqual(['deployment/shop/web']);
  });
});

describe('planner: safety rules', () => {
  it('cooldown: no second action on a target within 5 minutes', () => {
    const history = new RemediationHistory(3_600_000);
    history.record('deployment/shop/web', NOW - 299_000);
    const result = plan(cluster([pod('crashloop')]), { history });
    expect(result.actions).toEqual([]);
    expect(result.skipped[0]).toMatchObject({ reason: 'cooldown', target: 'deployment/shop/web' });
    expect(result.inCooldown).toBe(1);
    expect(plan(cluster([pod('crashloop')]), { history, now: NOW + 2000 }).actions).toHaveLength(1);
  });

  it('max retries: after 3 actions in the window the target is given up', () => {
    const history = new RemediationHistory(3_600_000);
    for (const minutesAgo of [40, 25, 10]) history.record('deployment/shop/web', NOW - minutesAgo * 60_000);
    const result = plan(cluster([pod('crashloop')]), { history });
    expect(result.actions).toEqual([]);
    expect(result.skipped[0]).toMatchObject({ reason: 'retries-exhausted' });
    // Out of the retry window (1 h), the oldest no longer counts.
    expect(plan(cluster([pod('crashloop')]), { history, now: NOW + 21 * 60_000 }).actions).toHaveLength(1);
  });

  it('cluster-wide pod limit: at most 10 % of pods (at least one) under remediation', () => {
    // Two failing workloads among 12 pods: limit floor(1.2) = 1.
    const web = pod('crashloop');
    const db = pod('statefulset');
    const healthy = Array.from({ length: 10 }, (_, i) => {
      const p = pod('healthy');
      p.metadata!.name = `web-healthy-${i}`;
      return p;
    });
    const result = plan(cluster([web, db, ...healthy]));
    expect(result.actions).toHaveLength(1);
    expect(result.skipped.find((s) => s.reason === 'pod-limit')).toMatchObject({ target: 'deployment/shop/web' });
    // A target remediated recently counts toward the limit.
    const history = new RemediationHistory(3_600_000);
    history.record('daemonset/monitoring/node-exporter', NOW - 60_000);
    expect(plan(cluster([web, ...healthy]), { history }).skipped[0]?.reason).toBe('pod-limit');
  });

  it('an unhealthy node is cordoned and drained; its pods are left to the drain', () => {
    const bad = node('not-ready');
    const p = pod('crashloop');
    p.spec!.nodeName = 'node-b';
    const state = cluster([p]);
    state.nodes = [node('ready'), bad];
    const result = plan(state);
    expect(only(result.actions)).toMatchObject({ type: 'drain', node: 'node-b', target: 'node/node-b', cordoned: false, condition: 'notReady' });
    expect(result.skipped[0]).toMatchObject({ reason: 'node-under-remediation', subject: 'shop/web-7d9f8b6c5d-k8s2m' });
  });

  it('cluster-wide node limit: 20 % of nodes (at least one), never the only node', () => {
    const nodes: V1Node[] = ['not-ready', 'unknown', 'memory-pressure', 'disk-pressure', 'pid-pressure'].map(node);
    const result = plan(cluster([], { nodes }));
    expect(result.actions.map((a) => a.type)).toEqual(['drain']);
    expect(result.skipped.filter((s) => s.reason === 'node-limit')).toHaveLength(4);
    const single = plan(cluster([], { nodes: [node('not-ready')] }));
    expect(single.actions).toEqual([]);
    expect(single.skipped[0]?.reason).toBe('node-limit');
  });

  it('a node cordoned by someone else is left alone', () => {
    const bad = node('not-ready');
    bad.spec!.unschedulable = true;
    const result = plan(cluster([], { nodes: [node('ready'), bad] }));
    expect(result.actions).toEqual([]);
    expect(result.skipped[0]?.reason).toBe('cordoned-by-others');
  });

  it('recovery check: a healthy node the controller cordoned is uncordoned after the cooldown', () => {
    const state = cluster([], { nodes: [node('ready'), node('cordoned-by-controller')] });
    expect(plan(state, { now: Date.parse('2026-11-23T10:04:00Z') }).actions).toEqual([]);
    expect(only(plan(state, { now: Date.parse('2026-11-23T10:05:00Z') }).actions)).toMatchObject({ type: 'uncordon', node: 'node-g', condition: 'recovered' });
  });

  it('a node still unhealthy and cordoned by the controller is drained again after its cooldown', () => {
    const bad = node('cordoned-by-controller');
    bad.status!.conditions!.find((c) => c.type === 'Ready')!.status = 'False';
    const history = new RemediationHistory(3_600_000);
    history.record('node/node-g', NOW - 60_000);
    const state = cluster([], { nodes: [node('ready'), bad] });
    expect(plan(state, { history }).skipped[0]?.reason).toBe('cooldown');
    expect(only(plan(state, { history, now: NOW + 300_000 }).actions)).toMatchObject({ type: 'drain', cordoned: true });
  });
});
