import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { Value } from '@sinclair/typebox/value';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeKubeApi } from '../../test/helpers/servers/fake-kube-api.js';
import { storeConfigSchema } from '../store/config.js';
import { openStore, type Store } from '../store/store.js';
import { emptySignals } from './conditions.js';
import { HealExecutor } from './executor.js';
import { RemediationHistory } from './history.js';
import { HealMetrics } from './metrics.js';
import { planActions, type HealAction } from './planner.js';
import { ActionRecorder } from './recorder.js';
import { NOW, cluster, fixture, healConfig, node, pod } from './test-fixtures.js';

const logger = pino({ level: 'silent' });

describe('executor against the fake API server', () => {
  let api: FakeKubeApi;
  let metrics: HealMetrics;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  const executor = (dryRun = false) => new HealExecutor({ core, apps, metrics, logger, dryRun, now: () => NOW });

  beforeEach(async () => {
    api = await new FakeKubeApi().start();
    const kc = api.kubeConfig();
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    metrics = new HealMetrics();
    for (const name of ['deployment-web']) api.put('deployments', fixture(name));
    api.put('statefulsets', fixture('statefulset-db'));
    api.put('replicasets', fixture('replicaset-web-rev1'));
    api.put('replicasets', fixture('replicaset-web-rev2'));
    api.put('nodes', node('ready'));
    const b = node('ready');
    b.metadata!.name = 'node-b';
    api.put('nodes', b);
  });
  afterEach(async () => {
    await api.stop();
  });

  const planFor = (state: ReturnType<typeof cluster>, config = healConfig()): HealAction[] =>
    planActions({ state, signals: emptySignals(), history: new RemediationHistory(3_600_000), config, now: NOW }).actions;

  it('restart deletes the pod with a uid precondition', async () => {
    const crashing = api.put('pods', pod('crashloop'));
    const [action] = planFor(cluster([crashing as never]));
    const outcome = await executor().execute(action!);
    expect(outcome).toMatchObject({ result: 'success', steps: ['delete pod shop/web-7d9f8b6c5d-k8s2m'] });
    expect(api.get('pods', 'web-7d9f8b6c5d-k8s2m', 'shop')).toBeUndefined();
    const [del] = api.requestsTo('DELETE', '/api/v1/namespaces/shop/pods/');
    expect(del?.body).toMatchObject({ preconditions: { uid: 'uid-web-7d9f8b6c5d-k8s2m' } });
  });

  it('a pod recreated under the same name is not deleted (uid precondition → failed)', async () => {
    const crashing = api.put('pods', pod('crashloop'));
    const [action] = planFor(cluster([crashing as never]));
    api.remove('pods', 'web-7d9f8b6c5d-k8s2m', 'shop');
    api.put('pods', { ...pod('crashloop'), metadata: { ...pod('crashloop').metadata, uid: 'uid-new' } } as never);
    const outcome = await executor().execute(action!);
    expect(outcome.result).toBe('failed');
    expect(outcome.message).toContain('HTTP 409');
    expect(api.get('pods', 'web-7d9f8b6c5d-k8s2m', 'shop')).toBeDefined();
  });

  it('reschedule cordons the node (annotated as ours), then deletes the pod', async () => {
    const p = api.put('pods', pod('restarts'));
    const [action] = planFor(cluster([p as never]));
    expect(action?.type).toBe('reschedule');
    const outcome = await executor().execute(action!);
    expect(outcome.steps).toEqual(['cordon node node-a', 'delete pod shop/web-7d9f8b6c5d-r4nd0']);
    const nodeA = api.get('nodes', 'node-a') as { spec: { unschedulable?: boolean }; metadata: { annotations: Record<string, string> } };
    expect(nodeA.spec.unschedulable).toBe(true);
    expect(nodeA.metadata.annotations['healing.io/cordoned-by']).toBe('self-healing-operator');
    expect(nodeA.metadata.annotations['healing.io/cordoned-at']).toBe(new Date(NOW).toISOString());
    expect(api.requestsTo('PATCH', '/api/v1/nodes/node-a')[0]?.contentType).toBe('application/merge-patch+json');
  });

  it('scale patches replicas of the Deployment and of the StatefulSet', async () => {
    const signals = emptySignals();
    signals.pods.set('shop/web-7d9f8b6c5d-x2x9q', { cpu: 0.99 });
    const [action] = planActions({ state: cluster([pod('healthy')]), signals, history: new RemediationHistory(1), config: healConfig(), now: NOW }).actions;
    expect(await executor().execute(action!)).toMatchObject({ result: 'success' });
    expect((api.get('deployments', 'web', 'shop') as { spec: { replicas: number } }).spec.replicas).toBe(4);
    const [db] = planFor(cluster([pod('statefulset')]));
    expect(await executor().execute(db!)).toMatchObject({ result: 'success' });
    expect((api.get('statefulsets', 'db', 'shop') as { spec: { replicas: number } }).spec.replicas).toBe(3);
  });

  it('rollback puts the previous ReplicaSet template on the Deployment (JSON patch)', async () => {
    const state = cluster([pod('crashloop')]);
    state.deployments[0]!.metadata!.annotations!['healing.io/strategy'] = 'rollback';
    const [action] = planFor(state);
    expect(await executor().execute(action!)).toMatchObject({ result: 'success' });
    const web = api.get('deployments', 'web', 'shop') as { spec: { template: { spec: { containers: { image: string }[] }; metadata: { labels: Record<string, string> } } } };
    expect(web.spec.template.spec.containers[0]?.image).toBe('registry.example.com/shop/web:1.4.1');
    expect(web.spec.template.metadata.labels).toEqual({ app: 'web' });
    expect(api.requestsTo('PATCH', '/apis/apps/v1/namespaces/shop/deployments/web')[0]?.contentType).toBe('application/json-patch+json');
  });

  it('drain: cordon, evict through the Eviction API, skip DaemonSet and mirror pods, respect the PDB (429)', async () => {
    const onB = (p: ReturnType<typeof pod>, name?: string) => {
      p.spec!.nodeName = 'node-b';
      if (name !== undefined) p.metadata!.name = name;
      return api.put('pods', p);
    };
    onB(pod('healthy'), 'web-on-b');
    onB(pod('daemonset'));
    onB(pod('mirror'));
    const db = pod('statefulset');
    db.status!.conditions!.find((c) => c.type === 'Ready')!.status = 'True';
    onB(db);
    api.put('poddisruptionbudgets', { metadata: { name: 'db', namespace: 'shop' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } } });
    const bad = node('not-ready');
    api.put('nodes', bad);
    const state = cluster([]);
    state.nodes = [node('ready'), bad];
    const [action] = planFor(state);
    expect(action).toMatchObject({ type: 'drain', node: 'node-b' });
    const outcome = await executor().execute(action!);
    expect(outcome.result).toBe('partial');
    expect(outcome.message).toContain('1 eviction(s) blocked by PodDisruptionBudgets (shop/db-0)');
    expect(outcome.steps[0]).toBe('cordon node node-b');
    expect(outcome.steps.slice(1).sort()).toEqual([
      'evict shop/db-0: blocked by a PodDisruptionBudget',
      'evict shop/web-on-b',
      'skip daemonset pod monitoring/node-exporter-7xk2p',
      'skip mirror pod kube-system/kube-apiserver-node-b',
    ]);
    expect(api.get('pods', 'web-on-b', 'shop')).toBeUndefined();
    expect(api.get('pods', 'db-0', 'shop')).toBeDefined();
    expect(api.get('pods', 'node-exporter-7xk2p', 'monitoring')).toBeDefined();
    expect(api.requestsTo('POST', '/api/v1/namespaces/shop/pods/web-on-b/eviction')[0]?.body).toMatchObject({ apiVersion: 'policy/v1', kind: 'Eviction' });
    expect(api.requestsTo('GET', '/api/v1/pods')[0]?.query.fieldSelector).toBe('spec.nodeName=node-b');
    const evictions = await metrics.registry.getSingleMetricAsString('vigil_heal_evictions_total');
    expect(evictions).toContain('vigil_heal_evictions_total{result="evicted"} 1');
    expect(evictions).toContain('vigil_heal_evictions_total{result="blocked"} 1');
  });

  it('uncordon removes unschedulable and the controller annotations', async () => {
    api.put('nodes', node('cordoned-by-controller'));
    const state = cluster([]);
    state.nodes = [node('ready'), node('cordoned-by-controller')];
    const [action] = planFor(state);
    expect(action?.type).toBe('uncordon');
    expect(await executor().execute(action!)).toMatchObject({ result: 'success' });
    const g = api.get('nodes', 'node-g') as { spec: Record<string, unknown>; metadata: { annotations: Record<string, string> } };
    expect(g.spec.unschedulable).toBeUndefined();
    expect(g.metadata.annotations['healing.io/cordoned-by']).toBeUndefined();
  });

  it('dry-run changes nothing', async () => {
    const p = api.put('pods', pod('restarts'));
    const [action] = planFor(cluster([p as never]));
    const outcome = await executor(true).execute(action!);
    expect(outcome).toMatchObject({ result: 'dry-run' });
    expect(outcome.message).toMatch(/^dry run: would reschedule pod shop\/web-7d9f8b6c5d-r4nd0 \(cordon node-a\)/);
    expect(api.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('a failed API call is a failed outcome with the status, not a throw', async () => {
    const [action] = planFor(cluster([pod('statefulset')]));
    api.failNext.set('PATCH /apis/apps/v1/namespaces/shop/statefulsets/db', 500);
    const outcome = await executor().execute(action!);
    expect(outcome.result).toBe('failed');
    expect(outcome.message).toContain('HTTP 500');
  });

  describe('recorder', () => {
    let dir: string;
    let store: Store;
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'vigil-heal-'));
      store = await openStore(Value.Default(storeConfigSchema, { url: 'sqlite::memory:' }) as never, dir);
    });
    afterEach(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('records a Kubernetes Event, a hash-chained audit entry and the action metric', async () => {
      const p = api.put('pods', pod('crashloop'));
      const [action] = planFor(cluster([p as never]));
      const outcome = await executor().execute(action!);
      const recorder = new ActionRecorder({ core, audit: store, metrics, logger, identity: 'vigil-heal-0', now: () => NOW });
      await recorder.record(outcome);

      const [event] = api.list('events') as { metadata: { namespace: string }; involvedObject: Record<string, string>; reason: string; type: string; source: { component: string }; reportingComponent: string; message: string; firstTimestamp: string }[];
      expect(event).toMatchObject({
        metadata: { namespace: 'shop' },
        involvedObject: { kind: 'Pod', name: 'web-7d9f8b6c5d-k8s2m', namespace: 'shop' },
        reason: 'HealRestart',
        type: 'Normal',
        source: { component: 'self-healing-operator' },
        reportingComponent: 'self-healing-operator',
        firstTimestamp: new Date(NOW).toISOString(),
      });
      expect(event?.message).toContain('restart pod shop/web-7d9f8b6c5d-k8s2m');

      const rows = await store.db.selectFrom('audit_logs').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor: 'self-healing-operator', action: 'heal.restart', target: 'deployment/shop/web' });
      expect(JSON.parse(rows[0]!.details)).toMatchObject({ result: 'success', condition: 'crashLoop' });
      expect((await store.verifyAuditChain()).ok).toBe(true);
      expect(await metrics.registry.getSingleMetricAsString('vigil_heal_actions_total')).toContain('vigil_heal_actions_total{strategy="restart",result="success"} 1');
    });

    it('an Event that cannot be written is counted; the audit entry is still written', async () => {
      const outcome = { action: { type: 'uncordon', target: 'node/node-g', node: 'node-g', condition: 'recovered', reason: 'node healthy again' } as HealAction, result: 'success' as const, message: 'uncordon node node-g', steps: [] };
      api.failNext.set('POST /api/v1/namespaces/default/events', 403);
      await new ActionRecorder({ core, audit: store, metrics, logger, identity: 'x', now: () => NOW }).record(outcome);
      expect(await metrics.registry.getSingleMetricAsString('vigil_heal_record_failures_total')).toContain('{sink="event"} 1');
      expect(await store.db.selectFrom('audit_logs').selectAll().execute()).toHaveLength(1);
    });
  });
});
