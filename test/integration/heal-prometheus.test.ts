import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemediationHistory } from '../../src/k8s/history.js';
import { planActions } from '../../src/k8s/planner.js';
import { PrometheusClient, collectSignals } from '../../src/k8s/prometheus.js';
import { cluster, healConfig, node, pod } from '../../src/k8s/test-fixtures.js';
import { freePort, missingServerPolicy } from '../helpers/servers/common.js';
import { prometheusMissing, startPrometheus, type PrometheusServer } from '../helpers/servers/prometheus.js';

/**
 * The heal controller's Prometheus conditions against a real Prometheus
 * scraping a small exporter that serves cAdvisor-, kube-state-metrics- and
 * node-exporter-shaped series. The default PromQL of heal.prometheus.queries
 * runs with two changes: the rate windows are 5 s instead of minutes (this
 * Prometheus has seconds of history, and rate() divides by the whole
 * window), and `down` attaches with label_replace the `namespace`/`pod`
 * labels that Kubernetes service discovery would add to a static target.
 */

const missing = prometheusMissing();
const policy = missingServerPolicy(missing);

const MI = 1024 * 1024;

function testConfig(url: string) {
  const config = healConfig();
  const q = config.prometheus.queries;
  const short = (promql: string) => promql.replace(/\[\d+m\]/g, '[5s]');
  config.prometheus = {
    ...config.prometheus,
    url,
    queries: {
      ...q,
      cpu: short(q.cpu),
      latency: short(q.latency),
      nodeCpu: short(q.nodeCpu),
      down: 'label_replace(label_replace(up{job="web-dead"} == 0, "namespace", "shop", "", ""), "pod", "web-dead", "", "")',
    },
  };
  return config;
}

function exposition(elapsedSeconds: number): string {
  const t = elapsedSeconds;
  const requests = Math.floor(t * 10);
  const lines = [
    '# TYPE container_cpu_usage_seconds_total counter',
    `container_cpu_usage_seconds_total{namespace="shop",pod="web-hot",container="web"} ${(t * 0.48).toFixed(3)}`,
    `container_cpu_usage_seconds_total{namespace="shop",pod="web-cool",container="web"} ${(t * 0.1).toFixed(3)}`,
    `container_cpu_usage_seconds_total{namespace="shop",pod="web-hot",container=""} ${(t * 0.48).toFixed(3)}`,
    '# TYPE kube_pod_container_resource_limits gauge',
    'kube_pod_container_resource_limits{namespace="shop",pod="web-hot",container="web",resource="cpu",unit="core"} 0.5',
    'kube_pod_container_resource_limits{namespace="shop",pod="web-cool",container="web",resource="cpu",unit="core"} 0.5',
    `kube_pod_container_resource_limits{namespace="shop",pod="web-mem",container="web",resource="memory",unit="byte"} ${256 * MI}`,
    `kube_pod_container_resource_limits{namespace="shop",pod="web-cool",container="web",resource="memory",unit="byte"} ${256 * MI}`,
    '# TYPE container_memory_working_set_bytes gauge',
    `container_memory_working_set_bytes{namespace="shop",pod="web-mem",container="web"} ${250 * MI}`,
    `container_memory_working_set_bytes{namespace="shop",pod="web-cool",container="web"} ${100 * MI}`,
    '# TYPE http_request_duration_seconds histogram',
    ...['1', '30', '60', '+Inf'].map((le) => `http_request_duration_seconds_bucket{namespace="shop",pod="web-slow",le="${le}"} ${le === '1' || le === '30' ? 0 : requests}`),
    ...['1', '30', '60', '+Inf'].map((le) => `http_request_duration_seconds_bucket{namespace="shop",pod="web-cool",le="${le}"} ${requests}`),
    '# TYPE node_cpu_seconds_total counter',
    `node_cpu_seconds_total{node="node-a",cpu="0",mode="idle"} ${(1000 + t * 0.03).toFixed(3)}`,
    `node_cpu_seconds_total{node="node-b",cpu="0",mode="idle"} ${(1000 + t * 0.7).toFixed(3)}`,
    '# TYPE node_memory_MemAvailable_bytes gauge',
    `node_memory_MemAvailable_bytes{node="node-a"} ${1024 * MI}`,
    `node_memory_MemAvailable_bytes{node="node-b"} ${8192 * MI}`,
    '# TYPE node_memory_MemTotal_bytes gauge',
    `node_memory_MemTotal_bytes{node="node-a"} ${16384 * MI}`,
    `node_memory_MemTotal_bytes{node="node-b"} ${16384 * MI}`,
  ];
  return lines.join('\n') + '\n';
}

if (policy === 'fail') {
  describe('heal: Prometheus conditions', () => {
    it('needs Prometheus', () => {
      throw new Error(`${missing} (CI=true: the integration tests must run)`);
    });
  });
} else if (policy === 'skip') {
  describe.skip(`heal: Prometheus conditions — skipped: ${missing}`, () => {
    it('needs Prometheus', () => undefined);
  });
} else {
  describe('heal: Prometheus conditions against a real Prometheus', () => {
    let prometheus: PrometheusServer;
    let exporter: Server;
    const started = Date.now();

    beforeAll(async () => {
      exporter = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(exposition((Date.now() - started) / 1000));
      });
      await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
      const deadPort = await freePort(); // nothing listens there: up == 0
      prometheus = await startPrometheus([
        { job: 'cluster', address: `127.0.0.1:${(exporter.address() as AddressInfo).port}` },
        { job: 'web-dead', address: `127.0.0.1:${deadPort}` },
      ]);
    }, 60_000);
    afterAll(async () => {
      await prometheus?.destroy();
      await new Promise<void>((resolve) => (exporter ? exporter.close(() => resolve()) : resolve()));
    });

    it('CPU, memory, up == 0 and latency fire for the right pods; node CPU and memory for the right node', async () => {
      const config = testConfig(prometheus.url);
      expect(config.prometheus.queries.cpu).toContain('rate(container_cpu_usage_seconds_total{container!=""}[5s])');
      const q = config.prometheus.queries;
      // rate() over [5s] is only meaningful once the window is full of scrapes (1 s interval).
      await prometheus.waitFor('count_over_time(container_cpu_usage_seconds_total{pod="web-hot",container="web"}[6s]) >= 6', undefined, 30_000);
      await prometheus.waitFor(q.cpu, (s) => s.length === 2, 30_000);
      await prometheus.waitFor(q.latency, (s) => s.length === 2 && s.every((x) => x.value[1] !== 'NaN'), 30_000);
      await prometheus.waitFor(q.nodeCpu, (s) => s.length === 2, 30_000);
      await prometheus.waitFor(q.down, (s) => s.length === 1, 30_000);

      const { signals, errors } = await collectSignals(new PrometheusClient(config.prometheus.url, 5000), config.prometheus);
      expect(errors).toEqual([]);
      expect(signals.pods.get('shop/web-hot')?.cpu).toBeGreaterThan(0.9);
      expect(signals.pods.get('shop/web-cool')?.cpu).toBeLessThan(0.5);
      expect(signals.pods.get('shop/web-mem')?.memory).toBeCloseTo(250 / 256, 3);
      expect(signals.pods.get('shop/web-slow')?.latency).toBeGreaterThan(30);
      expect(signals.pods.get('shop/web-cool')?.latency).toBeLessThanOrEqual(1);
      expect(signals.pods.get('shop/web-dead')).toEqual({ down: 0 });
      expect(signals.nodes.get('node-a')?.cpu).toBeGreaterThan(0.9);
      expect(signals.nodes.get('node-a')?.memory).toBeCloseTo(1 - 1024 / 16384, 3);
      expect(signals.nodes.get('node-b')?.cpu).toBeLessThan(0.5);

      const pods = ['web-hot', 'web-cool', 'web-mem', 'web-slow', 'web-dead'].map((name) => {
        const p = pod('healthy');
        p.metadata!.name = name;
        p.metadata!.ownerReferences = [];
        p.spec!.nodeName = 'node-b';
        return p;
      });
      const nodeA = node('ready');
      const nodeB = node('ready');
      nodeB.metadata!.name = 'node-b';
      const plan = planActions({ state: cluster(pods, { nodes: [nodeA, nodeB] }), signals, history: new RemediationHistory(1), config, now: Date.now() });
      const conditions = Object.fromEntries(plan.findings.map((f) => [f.subject, f.conditions.map((c) => c.condition)]));
      expect(conditions).toEqual({
        'node-a': ['cpu', 'memory'],
        'shop/web-dead': ['down'],
        'shop/web-hot': ['cpu'],
        'shop/web-mem': ['memory'],
        'shop/web-slow': ['latency'],
      });
      expect(plan.actions.map((a) => [a.type, a.target])).toEqual([['drain', 'node/node-a']]);
    }, 90_000);

    it('a query that does not parse is reported; the others still apply', async () => {
      const config = testConfig(prometheus.url);
      config.prometheus.queries.latency = 'histogram_quantile(';
      const { signals, errors } = await collectSignals(new PrometheusClient(prometheus.url, 5000), config.prometheus);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^latency: PromQL histogram_quantile\(: .*parse error/);
      expect(signals.pods.get('shop/web-hot')?.cpu).toBeGreaterThan(0.9);
    });

    it('an unreachable Prometheus is a clear error', async () => {
      const port = await freePort();
      await expect(new PrometheusClient(`http://127.0.0.1:${port}`, 2000).query('up')).rejects.toThrow(/unreachable/);
    });
  });
}
