import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertFeedItem } from '../../src/alert/feed.js';
import { startRecordingServer } from '../helpers/servers/recording-http.js';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('alerting in the running service', () => {
  it('with store.enabled false the outbox is its own SQLite file; the feed and subscribers see the alert; the webhook gets it', async () => {
    const hook = await startRecordingServer();
    cleanup.push(() => hook.close());
    const running: RunningService = await startService({
      'store.enabled': false,
      'pipeline.maxLatenessSeconds': 1e9,
      'alerts.channels': [{ name: 'hook', type: 'webhook', url: hook.url }],
      'alerts.routes': [{ levels: ['HIGH', 'CRITICAL'], channels: ['hook'] }],
      'alerts.outbox.pollIntervalMs': 50,
    });
    cleanup.push(() => running.stop());
    const seen: AlertFeedItem[] = [];
    const unsubscribe = running.service.alerts.on('alert', (item) => seen.push(item));
    const now = Date.now();
    const events = Array.from({ length: 6 }, (_, i) => loginFailure('203.0.113.44', `user${i}`, now - 10_000 + i * 1000));
    expect((await postJson(`${running.url}/api/v1/events`, events)).status).toBe(202);
    await running.service.pipeline.idle();
    const [request] = await hook.waitFor(1);
    expect(JSON.parse(request!.body)).toMatchObject({ alert: { level: 'HIGH', type: 'brute_force', subject: { scope: 'ip', value: '203.0.113.44' } } });
    expect(existsSync(join(running.dataDir, 'alert-outbox.db'))).toBe(true);
    expect(existsSync(join(running.dataDir, 'vigil.db'))).toBe(false);
    expect(seen.map((i) => [i.action, i.alert.level, i.channels])).toEqual([['new', 'HIGH', ['hook']]]);
    expect(running.service.alerts.recent(5).map((i) => i.alert.id)).toEqual([seen[0]!.alert.id]);
    unsubscribe();
    const page = (await (await fetch(`${running.url}/api/v1/alerts?type=brute_force`)).json()) as { items: { id: string }[] };
    expect(page.items.map((d) => d.id)).toEqual([`${seen[0]!.alert.id}.1.hook`]);
  });

  it('without channels and without the store, nothing is written and the API says why', async () => {
    const running = await startService({ 'store.enabled': false });
    cleanup.push(() => running.stop());
    expect(existsSync(join(running.dataDir, 'alert-outbox.db'))).toBe(false);
    const response = await fetch(`${running.url}/api/v1/alerts`);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('VIGIL_E_ALERTS_UNAVAILABLE');
  });
});
