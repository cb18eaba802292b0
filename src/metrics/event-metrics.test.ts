import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.js';
import type { SecurityEvent } from '../core/event.js';
import { silentLogger } from '../core/logger.js';
import { loginFeatures } from '../detect/anomaly/features.js';
import { IsolationForest } from '../detect/anomaly/isolation-forest.js';
import { VigilService } from '../service.js';
import { ipv4Slash24 } from './event-metrics.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
let dirs: string[] = [];
let services: VigilService[] = [];

afterEach(async () => {
  for (const s of services) await s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  services = [];
  dirs = [];
});

/** A service without HTTP server or store: events go straight into its pipeline. */
function service(overrides: Record<string, unknown> = {}): VigilService {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-metrics-'));
  dirs.push(dataDir);
  const { config } = loadConfig({
    env: {},
    cwd: dataDir,
    overrides: { dataDir, 'server.enabled': false, 'store.enabled': false, 'pipeline.maxLatenessSeconds': 1e9, ...overrides },
  });
  const s = new VigilService({ config, logger: silentLogger });
  services.push(s);
  return s;
}

let seq = 0;
function event(kind: string, ip: string, at: number, extra: Partial<SecurityEvent> = {}): SecurityEvent {
  return { id: `e${seq++}`, timestamp: T0 + at, kind, sourceIp: ip, labels: { source: 'test' }, ...extra };
}

async function feed(s: VigilService, events: SecurityEvent[]): Promise<void> {
  expect(s.pipeline.offer(events)).toBe(true);
  await s.pipeline.idle();
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

async function samples(s: VigilService, name: string): Promise<Sample[]> {
  const all = await s.metrics.registry.getMetricsAsJSON();
  const metric = all.find((m) => m.name === name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  return metric.values as Sample[];
}

async function value(s: VigilService, name: string, labels: Record<string, string> = {}): Promise<number> {
  const list = await samples(s, name);
  return list
    .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
    .reduce((sum, v) => sum + v.value, 0);
}

describe('event metrics through the service pipeline', () => {
  it('counts logins by result and reason, security events by type, level and masked network', async () => {
    const s = service({ 'geoip.enabled': false });
    const attacker = '203.0.113.50';
    // Four failures: no detection yet, so the source has no incident (NONE).
    await feed(s, [1, 2, 3, 4].map((i) => event('login.failure', attacker, i * 1000, { username: `u${i}`, reason: 'INVALID_PASSWORD' })));
    // Two more: brute force (≥ 5 failures) opens an incident; these count under its level.
    await feed(s, [5, 6].map((i) => event('login.failure', attacker, i * 1000, { username: `u${i}`, reason: 'INVALID_PASSWORD' })));
    await feed(s, [
      event('login.success', '198.51.100.7', 7000, { username: 'alice', durationMs: 120 }),
      event('login.success', '198.51.100.8', 7100, { username: 'bob', durationMs: 3000 }),
      event('login.failure', '198.51.100.9', 7200, { username: 'carol', reason: 'ACCOUNT_LOCKED' }),
      event('login.failure', '198.51.100.9', 7300, { username: 'carol' }),
      event('login.failure', '198.51.100.9', 7400, { username: 'carol', reason: 'weird reason with spaces' }),
      // A secondary line of one attempt (sshd) is an event, not another attempt.
      event('login.failure', '198.51.100.9', 7500, { username: 'carol', reason: 'INVALID_USER', labels: { source: 'test', companion: 'true' } }),
    ]);

    expect(await value(s, 'login_attempts_total', { result: 'failure' })).toBe(9);
    expect(await value(s, 'login_attempts_total', { result: 'success' })).toBe(2);
    expect(await value(s, 'login_failures_total', { reason: 'INVALID_PASSWORD' })).toBe(6);
    expect(await value(s, 'login_failures_total', { reason: 'ACCOUNT_LOCKED' })).toBe(1);
    expect(await value(s, 'login_failures_total', { reason: 'UNKNOWN' })).toBe(1);
    expect(await value(s, 'login_failures_total', { reason: 'INVALID' })).toBe(1);

    const level = s.response.engine.incidents.openFor('ip', attacker)?.level;
    expect(level).toBeDefined();
    const net = { client_ip_masked: '203.0.113.0/24', event_type: 'LOGIN_FAILURE', component: 'authentication' };
    expect(await value(s, 'security_events_total', { ...net, threat_level: 'NONE' })).toBe(4);
    expect(await value(s, 'security_events_total', { ...net, threat_level: level as string })).toBe(2);
    expect(await value(s, 'security_events_total', { client_ip_masked: '198.51.100.0/24', event_type: 'LOGIN_SUCCESS', threat_level: 'NONE' })).toBe(2);
    // The companion line is a security event (10 failure events, 9 attempts).
    expect(await value(s, 'security_events_total', { event_type: 'LOGIN_FAILURE' })).toBe(10);
    expect(await value(s, 'vigil_pipeline_source_events_total', { source: 'test' })).toBe(12);

    const durations = await samples(s, 'login_duration_seconds');
    expect(durations.find((v) => v.metricName === 'login_duration_seconds_count')?.value).toBe(2);
    expect(durations.find((v) => v.metricName === 'login_duration_seconds_sum')?.value).toBeCloseTo(3.12, 6);
    expect(durations.find((v) => v.metricName === 'login_duration_seconds_bucket' && v.labels.le === 0.25)?.value).toBe(1);
    const processing = await samples(s, 'security_events_processing_time');
    expect(processing.find((v) => v.metricName === 'security_events_processing_time_count')?.value).toBe(12);
    expect(processing.find((v) => v.metricName === 'security_events_processing_time_sum')?.value).toBeGreaterThan(0);

    // Masked networks only: no full address and no user name anywhere in the exposition.
    const text = await s.metrics.registry.metrics();
    for (const secret of [attacker, '198.51.100.7', '198.51.100.9', 'alice', 'carol', 'u1']) expect(text).not.toContain(`"${secret}"`);
    expect(text).not.toMatch(/client_ip_masked="\d+\.\d+\.\d+\.(?!0\/24")/);
  });

  it('caps the masked networks and the reasons, counting the overflow as "other"', async () => {
    const s = service({ 'geoip.enabled': false, 'metrics.maxNetworkLabels': 2, 'metrics.maxReasonLabels': 1 });
    await feed(s, [
      event('login.success', '192.0.2.1', 1000),
      event('login.success', '192.0.2.2', 1001),
      event('login.success', '198.51.100.1', 1002),
      event('login.success', '203.0.113.1', 1003),
      event('login.success', '2001:db8:5::1', 1004),
      event('login.failure', '192.0.2.1', 1005, { reason: 'CUSTOM_1' }),
      event('login.failure', '192.0.2.1', 1006, { reason: 'CUSTOM_2' }),
      event('login.failure', '192.0.2.1', 1007, { reason: 'INVALID_PASSWORD' }),
    ]);
    const list = await samples(s, 'security_events_total');
    expect([...new Set(list.map((v) => v.labels.client_ip_masked))].sort()).toEqual(['192.0.2.0/24', '198.51.100.0/24', 'other']);
    expect(await value(s, 'security_events_total', { client_ip_masked: 'other' })).toBe(2);
    expect(await value(s, 'login_failures_total', { reason: 'CUSTOM_1' })).toBe(1);
    expect(await value(s, 'login_failures_total', { reason: 'other' })).toBe(1);
    expect(await value(s, 'login_failures_total', { reason: 'INVALID_PASSWORD' })).toBe(1);
    expect(await value(s, 'vigil_metric_label_overflow_total', { label: 'client_ip_masked' })).toBe(2);
    expect(await value(s, 'vigil_metric_label_overflow_total', { label: 'reason' })).toBe(1);
  });

  it('counts reported violations and web-attack findings in the violation counters', async () => {
    const s = service({ 'geoip.enabled': false });
    const violation = (type: string, ip: string, at: number) => event('waf.violation', ip, at, { violationType: type, eventData: 'x' });
    await feed(s, [
      violation('XSS_ATTACK', '192.0.2.10', 1000),
      violation('XSS_ATTACK', '192.0.2.10', 1001),
      violation('CSRF_VIOLATION', '192.0.2.11', 1002),
      violation('SQL_INJECTION', '192.0.2.12', 1003),
      violation('CORS_VIOLATION', '192.0.2.13', 1004),
      violation('RATE_LIMIT_VIOLATION', '192.0.2.14', 1005),
      violation('rate_limit_violation', '192.0.2.14', 1006),
      violation('SOMETHING_ELSE', '192.0.2.15', 1007),
      event('http.request', '192.0.2.16', 1008, { http: { method: 'GET', path: '/search', query: 'q=<script>alert(document.cookie)</script>' } }),
      event('http.request', '192.0.2.17', 1009, { http: { method: 'GET', path: '/item', query: "id=1' UNION SELECT username, password FROM users--" } }),
      event('http.request', '192.0.2.18', 1010, { http: { method: 'GET', path: '/index.html' } }),
    ]);
    expect(await value(s, 'security_xss_attacks_total')).toBe(3);
    expect(await value(s, 'security_sqlinjection_attempts_total')).toBe(2);
    expect(await value(s, 'security_csrf_violations_total')).toBe(1);
    expect(await value(s, 'security_cors_violations_total')).toBe(1);
    expect(await value(s, 'security_ratelimit_violations_total')).toBe(2);
    expect(await value(s, 'security_events_total', { event_type: 'OTHER_VIOLATION', component: 'application' })).toBe(1);
    expect(await value(s, 'security_events_total', { event_type: 'HTTP_REQUEST', component: 'web' })).toBe(3);
  });

  it('counts login and violation events by country from the GeoIP database', async () => {
    const s = service();
    await feed(s, [
      event('login.failure', '8.8.8.8', 1000, { reason: 'INVALID_PASSWORD' }),
      event('login.success', '8.8.4.4', 1001),
      event('waf.violation', '8.8.8.8', 1002, { violationType: 'XSS_ATTACK' }),
      event('login.failure', '10.0.0.1', 1003),
      event('login.failure', '192.0.2.1', 1004, { geo: { country: 'FR', latitude: 48.9, longitude: 2.35 } }),
      event('http.request', '8.8.8.8', 1005, { http: { path: '/' } }),
    ]);
    expect(await value(s, 'security_events_by_country_total', { country: 'US' })).toBe(3);
    expect(await value(s, 'security_events_by_country_total', { country: 'FR' })).toBe(1);
    expect(await value(s, 'security_events_by_country_total', { country: 'unknown' })).toBe(1);
    expect(await value(s, 'security_events_by_country_total')).toBe(5);
  });

  it('reports the anomaly score of the last scored login when a model is loaded, and nothing without one', async () => {
    const none = service({ 'geoip.enabled': false });
    expect((await none.metrics.registry.getMetricsAsJSON()).some((m) => m.name === 'security_anomaly_confidence_score')).toBe(false);

    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-model-'));
    dirs.push(dataDir);
    const training: number[][] = [];
    for (let i = 0; i < 500; i++) {
      const ordinary = event('login.success', `198.51.100.${i % 200}`, (i % 8) * 3_600_000, { username: `user${i % 50}`, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' });
      training.push(loginFeatures(ordinary));
    }
    const model = IsolationForest.train(training, { seed: 1, nTrees: 50 });
    model.save(join(dataDir, 'model.json'));
    const s = service({ 'geoip.enabled': false, 'detectors.anomalousLogin.enabled': true, 'detectors.anomalousLogin.modelPath': join(dataDir, 'model.json') });
    const usual = event('login.success', '198.51.100.20', 4 * 3_600_000, { username: 'user20', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' });
    await feed(s, [usual]);
    const ordinary = await value(s, 'security_anomaly_confidence_score');
    expect(ordinary).toBeCloseTo(model.score(loginFeatures(usual)), 9);
    const unusual = event('login.success', '45.155.205.233', 17 * 3_600_000, { username: 'svc_backup$', userAgent: 'python-requests/2.31 bot' });
    await feed(s, [unusual]);
    const odd = await value(s, 'security_anomaly_confidence_score');
    expect(odd).toBeCloseTo(model.score(loginFeatures(unusual)), 9);
    expect(odd).toBeGreaterThan(ordinary);
    expect(odd).toBeLessThanOrEqual(1);
  });
});

describe('ipv4Slash24', () => {
  it('packs the first three octets, and refuses what is not dotted IPv4', () => {
    expect(ipv4Slash24('203.0.113.77')).toBe(203 * 65536 + 113);
    expect(ipv4Slash24('203.0.113.1')).toBe(ipv4Slash24('203.0.113.254'));
    expect(ipv4Slash24('203.0.114.1')).not.toBe(ipv4Slash24('203.0.113.1'));
    for (const bad of ['2001:db8::1', '1.2', '256.1.1.1', 'a.b.c.d', '1..2.3', '1234.1.1.1', '']) expect(ipv4Slash24(bad), bad).toBe(-1);
  });
});
