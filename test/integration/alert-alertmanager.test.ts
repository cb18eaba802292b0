import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Alerting } from '../../src/alert/alerting.js';
import { createChannels } from '../../src/alert/channels/index.js';
import { alertConfigSchema, type AlertConfig } from '../../src/alert/config.js';
import { AlertOutbox } from '../../src/alert/outbox.js';
import type { Incident } from '../../src/core/detection.js';
import { silentLogger } from '../../src/core/logger.js';
import { makeDetection } from '../../src/respond/test-helpers.js';
import { storeConfig } from '../../src/store/store.contract.js';
import { openStore } from '../../src/store/store.js';
import { missingServerPolicy } from '../helpers/servers/common.js';
import { alertmanagerMissing, startAlertmanager, type AlertmanagerServer, type GettableAlert } from '../helpers/servers/alertmanager.js';

const missing = alertmanagerMissing();
const policy = missingServerPolicy(missing);

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last !== undefined) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

if (policy === 'fail') {
  describe('alerts to Prometheus Alertmanager', () => {
    it('needs prometheus-alertmanager', () => {
      throw new Error(`${missing} (CI=true: the integration tests must run)`);
    });
  });
} else if (policy === 'skip') {
  describe.skip(`alerts to Prometheus Alertmanager — skipped: ${missing}`, () => {
    it('needs prometheus-alertmanager', () => undefined);
  });
} else {
  let am: AlertmanagerServer | undefined;
  beforeAll(async () => {
    am = await startAlertmanager();
  });
  afterAll(async () => {
    await am?.destroy();
  });
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  describe('alerts to Prometheus Alertmanager (real server, v2 API)', () => {
    it('posts a firing alert with the agreed labels and annotations, re-posts it while active, and resolves it when the incident ends', async () => {
      const server = am!;
      const config = Value.Default(alertConfigSchema, {
        channels: [{ name: 'am', type: 'alertmanager', url: server.url, repostIntervalSeconds: 30 }],
        outbox: { pollIntervalMs: 50 },
        dashboardUrl: 'http://vigil.test',
      }) as AlertConfig;
      const alerting = new Alerting({ config, channels: createChannels(config.channels, config.templates), logger: silentLogger });
      const dataDir = mkdtempSync(join(tmpdir(), 'vigil-am-'));
      const store = await openStore(storeConfig('sqlite::memory:'), dataDir);
      alerting.attach(new AlertOutbox(store.db, store.kind));
      cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
      cleanup.push(() => store.close());
      cleanup.push(() => alerting.stop());

      const openedAt = Date.now() - 60_000;
      const incident: Incident = {
        id: 'inc-am-1',
        subject: { scope: 'ip', value: '203.0.113.77' },
        level: 'CRITICAL',
        confidence: 0.91,
        detections: [makeDetection({ type: 'sqli', detector: 'web-attack', sourceIp: '203.0.113.77', confidence: 0.91, username: 'mallory', evidence: { eventCount: 17 } })],
        openedAt,
        updatedAt: openedAt,
        status: 'open',
      };
      alerting.onIncident(incident, true, ['UNION SELECT in query']);

      const fired = await until('the alert in Alertmanager', async () => {
        const alerts = await server.alerts(['alertname="SecurityAnomaly"', 'source_ip="203.0.113.77"']);
        return alerts.length === 1 ? (alerts[0] as GettableAlert) : undefined;
      });
      expect(fired.labels).toEqual({
        alertname: 'SecurityAnomaly',
        severity: 'critical',
        alert_type: 'sqli',
        source_ip: '203.0.113.77',
        username: 'mallory',
        vigil_alert_id: expect.stringMatching(/^alert-/) as string,
      });
      expect(fired.annotations).toEqual({
        summary: 'CRITICAL sqli from 203.0.113.77',
        description: expect.stringContaining('17 events') as string,
        confidence: '0.91',
        event_count: '17',
      });
      expect(fired.status.state).toBe('active');
      expect(Date.parse(fired.startsAt)).toBe(openedAt);
      // endsAt four re-post intervals ahead.
      const endsIn = Date.parse(fired.endsAt) - Date.now();
      expect(endsIn).toBeGreaterThan(60_000);
      expect(endsIn).toBeLessThanOrEqual(120_000);
      expect(fired.generatorURL).toBe('http://vigil.test/api/v1/incidents/inc-am-1');

      // Re-posting while active moves updatedAt / endsAt on.
      await new Promise((r) => setTimeout(r, 1100));
      await alerting.repostNow();
      const refreshed = (await server.alerts(['source_ip="203.0.113.77"']))[0]!;
      expect(Date.parse(refreshed.endsAt)).toBeGreaterThan(Date.parse(fired.endsAt));
      expect(refreshed.fingerprint).toBe(fired.fingerprint);
      expect(alerting.stats.channels.get('am')?.deliveries).toBe(2);

      // The incident ends: the alert is posted with its endsAt and leaves the active list.
      alerting.onResolved({ ...incident, status: 'resolved' });
      await until('resolution', async () => ((await server.alerts(['source_ip="203.0.113.77"'])).length === 0 ? true : undefined));
      const all = await fetch(`${server.url}/api/v2/alerts?active=false&silenced=false&inhibited=false&unprocessed=false&filter=${encodeURIComponent('source_ip="203.0.113.77"')}`);
      expect(await all.json()).toEqual([]);
      expect(alerting.recent(1)[0]).toMatchObject({ action: 'resolved', channels: ['am'], alert: { status: 'resolved', revision: 2 } });
      expect(alerting.stats.channels.get('am')?.deliveries).toBe(3);
    });
  });
}
