import { PassThrough } from 'node:stream';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { IdGenerator } from '../../core/ids.js';
import { responseConfigSchema, type ResponseConfig } from '../../respond/responder.js';
import { ResponseStage } from '../../respond/response-stage.js';
import { makeDetection } from '../../respond/test-helpers.js';
import { LiveFeed } from './live-feed.js';
import { LiveStats } from './live-stats.js';
import { RecentAlerts } from './recent-alerts.js';
import { SseHub } from './sse-hub.js';

const AT = Date.parse('2024-01-15T12:00:00Z');

function setup(options: { maxIncidentsPerFlush?: number } = {}) {
  const config = Value.Default(responseConfigSchema, {}) as ResponseConfig;
  const late: { feed?: LiveFeed } = {};
  const stage = new ResponseStage({ config, ids: new IdGenerator('inc', 'x') }, undefined, {
    incident: (incident) => late.feed?.incidentChanged(incident),
  });
  const stats = new LiveStats({ historySeconds: 60, topWindowSeconds: 60, maxKeys: 100 });
  const alerts = new RecentAlerts(10);
  const hub = new SseHub({ maxClients: 2, maxBufferedBytes: 1 << 20 });
  const feed = new LiveFeed({ stage, stats, alerts, hub, now: () => AT + 1000, wallNow: () => AT + 5000, ...options });
  late.feed = feed;
  return { stage, stats, alerts, hub, feed };
}

function listen(hub: SseHub): () => { event: string; data: Record<string, unknown> }[] {
  const client = new PassThrough();
  let text = '';
  client.on('data', (chunk: Buffer) => (text += chunk.toString()));
  hub.add(client);
  return () =>
    text
      .split('\n\n')
      .filter((block) => block !== '')
      .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1] ?? '', data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as Record<string, unknown> }));
}

function highDetection(ip: string) {
  return makeDetection({ detector: 'brute_force', type: 'brute_force', severity: 'HIGH', sourceIp: ip, evidence: { lastSeen: AT } });
}

describe('LiveFeed', () => {
  it('lists at most maxSnapshotDecisions decisions in a snapshot, the newest, and says how many there are', () => {
    const { stage, stats, alerts, hub } = setup();
    const feed = new LiveFeed({ stage, stats, alerts, hub, now: () => AT, wallNow: () => AT, maxSnapshotDecisions: 2 });
    for (let i = 1; i <= 3; i++) stage.engine.decisions.add({ value: `192.0.2.${i}`, durationMs: 60_000, reason: 'test', origin: 'manual' }, AT - 10 + i);
    const snapshot = feed.snapshot();
    expect(snapshot.decisions.map((d) => d.value)).toEqual(['192.0.2.2', '192.0.2.3']);
    expect(snapshot.decisionsTotal).toBe(3);
    feed.stop();
  });

  it('sends incident summaries and decision changes on flush, and a tick with the last second', () => {
    const { stage, stats, feed, hub } = setup();
    const messages = listen(hub);
    stage.detection(highDetection('203.0.113.5'));
    feed.flush();
    const incident = messages().find((m) => m.event === 'incident');
    expect(incident?.data).toMatchObject({ subject: { value: '203.0.113.5' }, level: 'HIGH', detections: 1, detectors: ['brute_force'] });
    expect(messages().find((m) => m.event === 'decision')?.data).toMatchObject({ type: 'added', decision: { value: '203.0.113.5' } });

    stats.record([{ id: 'e', timestamp: AT, kind: 'login.failure', sourceIp: '203.0.113.5', labels: {} }]);
    feed.tick();
    const tick = messages().find((m) => m.event === 'tick');
    expect(tick?.data).toMatchObject({ point: { t: AT + 4000, events: 1, failures: 1 }, status: { blockedIps: 1 }, stream: { clients: 1, dropped: 0 } });
    feed.stop();
  });

  it('asks clients to reload instead of sending an unbounded burst', () => {
    const { stage, feed, hub } = setup({ maxIncidentsPerFlush: 1 });
    const messages = listen(hub);
    stage.detection(highDetection('203.0.113.5'));
    stage.detection(highDetection('203.0.113.6'));
    feed.flush();
    expect(messages().filter((m) => m.event === 'incident')).toHaveLength(0);
    expect(messages().find((m) => m.event === 'resync')?.data).toEqual({ reason: 'incidents' });
    feed.stop();
  });

  it('reports protection mode changes and alerts', () => {
    const { stage, feed, hub, alerts } = setup();
    const messages = listen(hub);
    feed.flush();
    stage.engine.protection.forceOn(AT, 60_000, 'drill');
    feed.flush();
    expect(messages().find((m) => m.event === 'protection')?.data).toMatchObject({ active: true, trigger: 'manual', reason: 'drill' });
    alerts.record({ at: AT, level: 'CRITICAL', title: 'CRITICAL incident: brute_force', source: 'response' });
    expect(messages().find((m) => m.event === 'alert')?.data).toMatchObject({ level: 'CRITICAL', title: 'CRITICAL incident: brute_force' });
    feed.stop();
  });

  it('builds nothing while nobody listens, and a late client starts from the snapshot', () => {
    const { stage, feed, hub } = setup();
    stage.detection(highDetection('203.0.113.5'));
    feed.tick();
    const messages = listen(hub);
    feed.flush();
    expect(messages()).toEqual([]); // the earlier block is in the snapshot, not replayed
    const snapshot = feed.snapshot();
    expect(snapshot.incidents.map((i) => i.subject.value)).toEqual(['203.0.113.5']);
    expect(snapshot.decisions.map((d) => d.value)).toEqual(['203.0.113.5']);
    expect(snapshot.decisionsTotal).toBe(1);
    expect(snapshot.series).toHaveLength(1);
    feed.stop();
  });
});
