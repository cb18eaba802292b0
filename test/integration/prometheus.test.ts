import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEvent } from '../../src/core/event.js';
import { loginFeatures } from '../../src/detect/anomaly/features.js';
import { IsolationForest } from '../../src/detect/anomaly/isolation-forest.js';
import { findBinary, missingServerPolicy } from '../helpers/servers/common.js';
import { prometheusMissing, startPrometheus, type PrometheusServer, type PromSample } from '../helpers/servers/prometheus.js';
import { postJson, startService, type RunningService } from '../helpers/service.js';

const root = new URL('../../', import.meta.url).pathname;
const dashboardPath = join(root, 'deploy/grafana/vigil-dashboard.json');
const rulesPath = join(root, 'deploy/prometheus/vigil-rules.yml');
const rulesTestPath = join(root, 'deploy/prometheus/vigil-rules.test.yml');

interface Target {
  expr: string;
  refId: string;
  datasource: { type: string; uid: string };
  range?: boolean;
  instant?: boolean;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
interface Dashboard {
  __inputs: { name: string; type: string; pluginId: string }[];
  schemaVersion: number;
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown }[] };
}

const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');

/** Grafana's variables, replaced the way Grafana would for a 5-minute view scraped every second. */
function concrete(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '5m')
    .replaceAll('$job', '.+');
}

describe('Grafana dashboard file', () => {
  it('is an importable Grafana 10 dashboard with the DS_PROMETHEUS input and the panels the spec lists', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(38);
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    expect(dashboard.templating.list.find((v) => v.name === 'DS_PROMETHEUS')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of queryPanels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource.uid, panel.title).toBe('${DS_PROMETHEUS}');
    }
    const byTitle = new Map(queryPanels.map((p) => [p.title, p.type]));
    expect(Object.fromEntries(byTitle)).toMatchObject({
      'Login attempts overview': 'timeseries',
      'Real-time alerts': 'table',
      'Failure rate per minute': 'timeseries',
      'Top source IPs': 'table',
      'Anomaly confidence': 'gauge',
      'Events by country': 'geomap',
      'Blocked IPs': 'stat',
      'Protection mode': 'stat',
      'Threats by level': 'bargauge',
    });
  });
});

const missing = prometheusMissing();
const policy = missingServerPolicy(missing);

if (policy === 'fail') {
  describe('metrics scraped by Prometheus', () => {
    it('needs the Prometheus binaries', () => {
      throw new Error(`${missing} (CI=true: the integration tests must run)`);
    });
  });
} else if (policy === 'skip') {
  describe.skip(`metrics scraped by Prometheus — skipped: ${missing}`, () => {
    it('needs Prometheus', () => undefined);
  });
} else {
  describe('metrics scraped by Prometheus', () => {
    let vigil: RunningService | undefined;
    let prometheus: PrometheusServer | undefined;
    let modelDir = '';
    const ATTACKER = '8.8.8.8';
    /** Failures of the first wave (the attacker's series appear), then of the second (the series grow). */
    const FIRST_WAVE = 30;
    const SECOND_WAVE = 10;
    const FAILURES = FIRST_WAVE + SECOND_WAVE;
    const SUCCESSES = 10;

    beforeAll(async () => {
      // A small anomaly model so security_anomaly_confidence_score has a value.
      modelDir = mkdtempSync(join(tmpdir(), 'vigil-prom-model-'));
      const training: number[][] = [];
      for (let i = 0; i < 400; i++) {
        const login: SecurityEvent = {
          id: `t${i}`,
          kind: 'login.success',
          timestamp: Date.UTC(2026, 0, 5 + (i % 5), 9 + (i % 8)),
          sourceIp: `198.51.100.${i % 200}`,
          username: `user${i % 40}`,
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
          labels: {},
        };
        training.push(loginFeatures(login));
      }
      IsolationForest.train(training, { seed: 3, nTrees: 50 }).save(join(modelDir, 'model.json'));
      vigil = await startService({
        'pipeline.queueCapacity': 100,
        'store.enabled': false,
        'detectors.anomalousLogin.enabled': true,
        'detectors.anomalousLogin.modelPath': join(modelDir, 'model.json'),
      });
      const address = vigil.service.address;
      if (address === undefined) throw new Error('Vigil did not listen');
      prometheus = await startPrometheus([{ job: 'vigil', address: `127.0.0.1:${address.port}` }], {
        rules: { 'vigil-rules.yml': readFileSync(rulesPath, 'utf8') },
      });
      // First scrape (all-zero counters) before any traffic, so increase() and the drop alert see the change.
      await prometheus.waitFor('login_attempts_total{job="vigil",result="failure"}');

      const now = Date.now();
      const events: Record<string, unknown>[] = [];
      for (let i = 0; i < FIRST_WAVE; i++) {
        events.push({ eventType: 'LOGIN_FAILURE', sourceIp: ATTACKER, username: `victim${i}`, reason: i % 3 === 0 ? 'ACCOUNT_LOCKED' : 'INVALID_PASSWORD', timestamp: now - 20_000 + i * 100 });
      }
      for (let i = 0; i < SUCCESSES; i++) {
        events.push({ eventType: 'LOGIN_SUCCESS', sourceIp: `81.2.69.${140 + i}`, username: `user${i}`, durationMs: 100 + i * 50, userAgent: 'Mozilla/5.0', timestamp: now - 10_000 + i * 100 });
      }
      for (const [type, ip] of [['XSS_ATTACK', '192.0.2.10'], ['SQL_INJECTION', '192.0.2.11'], ['CSRF_VIOLATION', '192.0.2.12'], ['CORS_VIOLATION', '192.0.2.13'], ['RATE_LIMIT_VIOLATION', '192.0.2.14']]) {
        events.push({ eventType: type, clientIp: ip, eventData: 'x', timestamp: now - 5_000 });
      }
      const posted = await postJson(`${vigil.url}/api/v1/events`, events.slice(0, 40));
      expect(posted.status).toBe(202);
      await vigil.service.pipeline.idle();
      expect((await postJson(`${vigil.url}/api/v1/events`, events.slice(40))).status).toBe(202);
      await vigil.service.pipeline.idle();
      // The attack goes on after Prometheus has seen its series: increase() over them is then non-zero
      // (a series' first sample carries no increase), as in a real, continuing attack.
      await prometheus.waitFor('security_events_total{client_ip_masked="8.8.8.0/24"}');
      const secondWave = Array.from({ length: SECOND_WAVE }, (_, i) => ({
        eventType: 'LOGIN_FAILURE',
        sourceIp: ATTACKER,
        username: `victim${FIRST_WAVE + i}`,
        reason: 'INVALID_PASSWORD',
        timestamp: Date.now() - 1_000 + i * 10,
      }));
      expect((await postJson(`${vigil.url}/api/v1/events`, secondWave)).status).toBe(202);
      await vigil.service.pipeline.idle();
      // More than the queue holds: refused as a whole (503), counted as dropped.
      const tooMany = Array.from({ length: 150 }, () => ({ eventType: 'LOGIN_SUCCESS', sourceIp: '192.0.2.99', timestamp: now }));
      expect((await postJson(`${vigil.url}/api/v1/events`, tooMany)).status).toBe(503);
    }, 90_000);

    afterAll(async () => {
      await prometheus?.destroy();
      await vigil?.stop();
      if (modelDir !== '') rmSync(modelDir, { recursive: true, force: true });
    });

    const server = (): PrometheusServer => {
      if (prometheus === undefined) throw new Error('Prometheus did not start');
      return prometheus;
    };
    const single = (samples: PromSample[]): number => {
      expect(samples).toHaveLength(1);
      return Number(samples[0]?.value[1]);
    };
    const equals = (want: number) => (samples: PromSample[]) => samples.length === 1 && Number(samples[0]?.value[1]) === want;

    it('PromQL over the scraped metrics returns the counts of the events posted', async () => {
      const p = server();
      expect(single(await p.waitFor('sum(login_attempts_total{job="vigil",result="failure"})', equals(FAILURES)))).toBe(FAILURES);
      expect(single(await p.waitFor('sum(login_attempts_total{job="vigil",result="success"})', equals(SUCCESSES)))).toBe(SUCCESSES);
      expect(single(await p.query('sum(login_failures_total{reason="ACCOUNT_LOCKED"})'))).toBe(10);
      expect(single(await p.query('sum(login_failures_total{reason="INVALID_PASSWORD"})'))).toBe(FAILURES - 10);
      expect(single(await p.query('sum(security_events_total{client_ip_masked="8.8.8.0/24",event_type="LOGIN_FAILURE",component="authentication"})'))).toBe(FAILURES);
      expect(single(await p.query('sum(security_events_total{client_ip_masked="81.2.69.0/24",event_type="LOGIN_SUCCESS"})'))).toBe(SUCCESSES);
      expect(single(await p.query('sum(security_events_by_country_total{country="GB"})'))).toBe(SUCCESSES);
      // The attack raised an incident: its events are counted under its level, not NONE.
      expect(await p.query('security_events_total{client_ip_masked="8.8.8.0/24",threat_level="NONE"}')).toEqual([]);
      // Masked networks only: no label value ends in a host part.
      expect(await p.query('security_events_total{client_ip_masked!~".*/(24|48)"}')).toEqual([]);
      for (const name of ['xss_attacks', 'sqlinjection_attempts', 'csrf_violations', 'cors_violations', 'ratelimit_violations']) {
        expect(single(await p.query(`sum(security_${name}_total)`)), name).toBe(1);
      }
      expect(single(await p.query('sum(security_events_by_country_total{country="US"})'))).toBe(FAILURES);
      expect(single(await p.query('login_duration_seconds_count'))).toBe(SUCCESSES);
      expect(single(await p.query('login_duration_seconds_sum'))).toBeCloseTo((SUCCESSES * 100 + 50 * ((SUCCESSES - 1) * SUCCESSES) / 2) / 1000, 6);
      expect(single(await p.query('security_events_processing_time_count'))).toBe(FAILURES + SUCCESSES + 5);
      expect(single(await p.waitFor('vigil_pipeline_events_rejected_total', equals(150)))).toBe(150);
      expect(single(await p.query('sum(security_blocked_ips_current)'))).toBeGreaterThanOrEqual(1);
      expect(single(await p.query('sum(security_penalties_total{penalty_type="ip_block"})'))).toBeGreaterThanOrEqual(1);
      const score = single(await p.query('security_anomaly_confidence_score'));
      expect(score).toBeGreaterThan(0);
      expect(score).toBeLessThanOrEqual(1);
      // The drop fires the (for-less) pipeline alert of vigil-rules.yml.
      const alerts = await p.waitFor('ALERTS{alertname="VigilPipelineDroppingEvents",alertstate="firing"}');
      expect(alerts[0]?.metric).toMatchObject({ job: 'vigil', severity: 'critical' });
    }, 60_000);

    it('every dashboard query parses and returns a result', async () => {
      const p = server();
      for (const panel of queryPanels) {
        for (const target of panel.targets ?? []) {
          const expr = concrete(target.expr);
          const label = `${panel.title} ${target.refId}: ${expr}`;
          const instant = await p.waitFor(expr, (s) => s.length > 0, 20_000).catch((err: unknown) => {
            throw new Error(`${label}: ${(err as Error).message}`);
          });
          expect(instant.length, label).toBeGreaterThan(0);
          if (target.range === true) {
            // Also as Grafana asks for a time series: a range query over the last minute, polled while the series are young.
            const deadline = Date.now() + 20_000;
            let series = 0;
            while (series === 0 && Date.now() < deadline) {
              const now = Date.now() / 1000;
              const response = await fetch(`${p.url}/api/v1/query_range`, {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: new URLSearchParams({ query: expr, start: String(now - 60), end: String(now), step: '1' }),
              });
              const body = (await response.json()) as { status: string; error?: string; data: { result: unknown[] } };
              expect(body.status, `${label}: ${body.error ?? ''}`).toBe('success');
              series = body.data.result.length;
              if (series === 0) await new Promise((r) => setTimeout(r, 250));
            }
            expect(series, `range ${label}`).toBeGreaterThan(0);
          }
        }
      }
    }, 120_000);

    it('the rules pass promtool check rules and their unit tests pass promtool test rules', () => {
      const promtool = findBinary('promtool') as string;
      const check = spawnSync(promtool, ['check', 'rules', rulesPath], { encoding: 'utf8' });
      expect(check.status, check.stderr + check.stdout).toBe(0);
      expect(check.stdout).toContain('SUCCESS: 9 rules found');
      const test = spawnSync(promtool, ['test', 'rules', rulesTestPath], { encoding: 'utf8' });
      expect(test.status, test.stderr + test.stdout).toBe(0);
      expect(test.stdout).toContain('SUCCESS');
    });
  });
}
