import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../core/detection.js';
import { silentLogger } from '../core/logger.js';
import type { ThreatLevel } from '../core/threat-level.js';
import { makeDetection } from '../respond/test-helpers.js';
import { DeliveryError } from '../siem/errors.js';
import { storeConfig } from '../store/store.contract.js';
import { openStore, type Store } from '../store/store.js';
import type { Alert } from './alert.js';
import { Alerting } from './alerting.js';
import type { AlertChannel, DeliveryContext } from './channels/index.js';
import { alertConfigSchema, type AlertConfig, type ChannelType } from './config.js';
import { AlertOutbox } from './outbox.js';

/** A channel that records what it is given and fails while told to. */
class RecordingChannel implements AlertChannel {
  readonly sent: { alert: Alert; key: string }[] = [];
  failures = 0;
  permanent = false;
  constructor(
    readonly name: string,
    readonly type: ChannelType,
  ) {}
  async send(alert: Alert, context: DeliveryContext): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new DeliveryError(`${this.name} down`, { retryable: !this.permanent });
    }
    this.sent.push({ alert, key: context.idempotencyKey });
  }
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function incident(id: string, level: ThreatLevel, ip: string, types: string[], openedAt = 0): Incident {
  return {
    id,
    subject: { scope: 'ip', value: ip },
    level,
    confidence: 0.8,
    detections: types.map((type) => makeDetection({ type, sourceIp: ip, detector: type.replace('_', '-'), evidence: { eventCount: 5 } })),
    openedAt,
    updatedAt: openedAt,
    status: 'open',
  };
}

async function setup(overrides: Record<string, unknown> = {}, channelTypes: [string, ChannelType][] = [['slack', 'slack'], ['mail', 'email'], ['hook', 'webhook']]) {
  const clock = { t: Date.UTC(2026, 0, 1) };
  const channels = channelTypes.map(([name, type]) => new RecordingChannel(name, type));
  const config = Value.Default(alertConfigSchema, {
    channels: channelTypes.map(([name, type]) =>
      type === 'slack' ? { name, type, webhookUrl: 'http://127.0.0.1:1/' } : type === 'email' ? { name, type, host: 'x', from: 'a@b.c', to: ['d@e.f'] } : { name, type: 'webhook', url: 'http://127.0.0.1:1/' },
    ),
    outbox: { pollIntervalMs: 20, retryInitialDelayMs: 1000, maxAttempts: 3 },
    ...overrides,
  }) as AlertConfig;
  const alerting = new Alerting({ config, channels, logger: silentLogger, now: () => clock.t, random: () => 0.5 });
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-alerting-'));
  const store: Store = await openStore(storeConfig('sqlite::memory:'), dataDir);
  const outbox = new AlertOutbox(store.db, store.kind);
  alerting.attach(outbox);
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  cleanup.push(() => store.close());
  cleanup.push(() => alerting.stop());
  const byName = Object.fromEntries(channels.map((c) => [c.name, c]));
  return { alerting, outbox, clock, channels: byName, config };
}

describe('alerting: incidents to channels through the outbox', () => {
  it('routes by level, sends each alert once per channel with its idempotency key, and feeds subscribers', async () => {
    const { alerting, outbox, channels } = await setup();
    const feed: string[] = [];
    alerting.on('alert', (item) => feed.push(`${item.action}:${item.alert.level}:${item.channels.join('+')}`));
    alerting.onIncident(incident('inc-1', 'CRITICAL', '203.0.113.1', ['sqli']), true, ['sqli payload']);
    alerting.onIncident(incident('inc-2', 'HIGH', '203.0.113.2', ['brute_force']), true, []);
    alerting.onIncident(incident('inc-3', 'MEDIUM', '203.0.113.3', ['scan']), true, []);
    alerting.onIncident(incident('inc-4', 'LOW', '203.0.113.4', ['scan']), true, []);
    await until('deliveries', () => channels.slack!.sent.length === 3 && channels.mail!.sent.length === 2 && channels.hook!.sent.length === 1);
    expect(channels.hook!.sent.map((s) => s.alert.level)).toEqual(['CRITICAL']);
    expect(channels.mail!.sent.map((s) => s.alert.level).sort()).toEqual(['CRITICAL', 'HIGH']);
    const critical = channels.hook!.sent[0]!;
    expect(critical.key).toBe(`${critical.alert.id}.1.hook`);
    expect(critical.alert).toMatchObject({ type: 'sqli', subject: { scope: 'ip', value: '203.0.113.1' }, incidentId: 'inc-1', eventCount: 5 });
    expect(critical.alert.evidence.reasons).toEqual(['sqli payload']);
    expect(feed).toEqual(['new:CRITICAL:slack+mail+hook', 'new:HIGH:slack+mail', 'new:MEDIUM:slack', 'new:LOW:digest']);
    expect(alerting.recent(1)[0]?.alert.level).toBe('LOW');
    await until('delivered rows', async () => (await outbox.query({ status: 'delivered' })).items.length === 6);
    // The LOW alert is recorded for the digest, not sent.
    expect((await outbox.query({ channel: 'digest' })).items.map((d) => [d.status, d.alert.level])).toEqual([['recorded', 'LOW']]);
    expect(alerting.stats.channels.get('slack')?.deliveries).toBe(3);
  });

  it('groups the same (type, subject) within the window, re-sends on escalation, and starts over after the window', async () => {
    const { alerting, clock, channels } = await setup();
    alerting.onIncident(incident('inc-1', 'HIGH', '203.0.113.9', ['brute_force']), true, []);
    // The same incident growing does not alert again.
    alerting.onIncident(incident('inc-1', 'HIGH', '203.0.113.9', ['brute_force']), false, []);
    clock.t += 60_000;
    // Another incident, same type and subject, within the window: grouped.
    alerting.onIncident(incident('inc-2', 'HIGH', '203.0.113.9', ['brute_force']), true, []);
    expect(alerting.stats.suppressed.grouped).toBe(1);
    expect(alerting.recent(1)[0]).toMatchObject({ action: 'grouped', alert: { occurrences: 2 } });
    // Escalation goes out again as revision 2 of the same alert.
    alerting.onIncident(incident('inc-2', 'CRITICAL', '203.0.113.9', ['brute_force']), false, []);
    await until('escalation', () => channels.hook!.sent.length === 1);
    expect(channels.hook!.sent[0]!.alert).toMatchObject({ revision: 2, level: 'CRITICAL', occurrences: 3 });
    expect(channels.slack!.sent.map((s) => s.key)).toEqual([`${channels.hook!.sent[0]!.alert.id}.1.slack`, `${channels.hook!.sent[0]!.alert.id}.2.slack`]);
    // After the window, a new alert.
    clock.t += 601_000;
    alerting.onIncident(incident('inc-3', 'HIGH', '203.0.113.9', ['brute_force']), true, []);
    await until('new alert', () => channels.slack!.sent.length === 3);
    expect(channels.slack!.sent[2]!.alert.id).not.toBe(channels.slack!.sent[0]!.alert.id);
  });

  it('after a restart, alerts still in their group window group again instead of sending twice', async () => {
    const { alerting, outbox, clock, channels, config } = await setup();
    alerting.onIncident(incident('inc-1', 'HIGH', '203.0.113.7', ['brute_force']), true, []);
    await until('first delivery', () => channels.slack!.sent.length === 1);
    // A new process on the same outbox (same clock): the attack replayed from the journal is grouped.
    const restarted = new Alerting({ config, channels: Object.values(channels), logger: silentLogger, now: () => clock.t });
    restarted.attach(outbox);
    cleanup.push(() => restarted.stop());
    expect(await restarted.restoreGroups()).toBe(1);
    restarted.onIncident(incident('inc-9', 'HIGH', '203.0.113.7', ['brute_force']), true, []);
    expect(restarted.stats.suppressed.grouped).toBe(1);
    // A different subject is new.
    restarted.onIncident(incident('inc-10', 'HIGH', '203.0.113.8', ['brute_force']), true, []);
    await until('second subject', () => channels.slack!.sent.length === 2);
    expect(channels.slack!.sent[1]!.alert.subject).toEqual({ scope: 'ip', value: '203.0.113.8' });
  });

  it('rate-limits per channel: the excess is recorded as suppressed, other channels are unaffected', async () => {
    const { alerting, outbox, channels } = await setup({
      channels: [
        { name: 'slack', type: 'slack', webhookUrl: 'http://127.0.0.1:1/', rateLimit: { perMinute: 1, burst: 2 } },
        { name: 'mail', type: 'email', host: 'x', from: 'a@b.c', to: ['d@e.f'], rateLimit: { perMinute: 0 } },
      ],
    }, [['slack', 'slack'], ['mail', 'email']]);
    for (let i = 0; i < 5; i++) alerting.onIncident(incident(`inc-${i}`, 'HIGH', `203.0.113.${i}`, ['brute_force']), true, []);
    await until('mail', () => channels.mail!.sent.length === 5);
    await until('slack', () => channels.slack!.sent.length === 2);
    expect(alerting.stats.suppressed.rate_limited).toBe(3);
    expect((await outbox.query({ channel: 'slack', status: 'suppressed' })).items).toHaveLength(3);
    expect((await outbox.query({ channel: 'slack', status: 'suppressed' })).items[0]?.lastError).toBe('rate_limited');
  });

  it('retries with backoff until the channel works, and dead-letters after maxAttempts or a permanent refusal', async () => {
    const { alerting, outbox, clock, channels } = await setup({ routes: [{ channels: ['hook'] }] });
    channels.hook!.failures = 1;
    alerting.onIncident(incident('inc-1', 'HIGH', '203.0.113.1', ['sqli']), true, []);
    await until('first failure', () => alerting.stats.channels.get('hook')?.failures === 1);
    await until('retry scheduled', async () => (await outbox.depth()).pending === 1 && (await outbox.query({}))?.items[0]?.attempts === 1);
    const row = (await outbox.query({})).items[0]!;
    // Equal jitter with random 0.5: 1000/2 + 0.5 × 1000/2.
    expect(row.nextAttemptAt - clock.t).toBe(750);
    expect(channels.hook!.sent).toHaveLength(0);
    clock.t += 750;
    alerting.deliverNow();
    await until('delivered on retry', () => channels.hook!.sent.length === 1);
    expect(channels.hook!.sent[0]!.key).toBe(row.id);
    expect(alerting.stats.channels.get('hook')).toMatchObject({ deliveries: 1, failures: 1, retries: 1 });

    channels.hook!.failures = 10;
    alerting.onIncident(incident('inc-2', 'HIGH', '203.0.113.2', ['sqli']), true, []);
    for (let i = 0; i < 3; i++) {
      await until(`attempt ${i + 1}`, () => alerting.stats.channels.get('hook')?.failures === 2 + i);
      clock.t += 3_600_000;
      alerting.deliverNow();
    }
    await until('dead', async () => (await outbox.query({ status: 'dead' })).items.length === 1);
    expect((await outbox.query({ status: 'dead' })).items[0]).toMatchObject({ attempts: 3, lastError: 'hook down' });
    await until('depth counted', () => alerting.stats.depth.dead === 1);

    channels.hook!.failures = 1;
    channels.hook!.permanent = true;
    alerting.onIncident(incident('inc-3', 'HIGH', '203.0.113.3', ['sqli']), true, []);
    await until('dead at once', async () => (await outbox.query({ status: 'dead' })).items.length === 2);
    expect((await outbox.query({ status: 'dead' })).items[0]?.attempts).toBe(1);
  });

  it('sends the digest of LOW alerts to slack and e-mail channels', async () => {
    const { alerting, channels } = await setup();
    for (let i = 0; i < 3; i++) alerting.onIncident(incident(`inc-${i}`, 'LOW', '198.51.100.7', [i === 2 ? 'scan' : 'brute_force', 'x']), true, []);
    // brute_force and x the first time, then grouped; scan once: three alerts.
    expect(alerting.stats.suppressed.grouped).toBe(3);
    const digest = alerting.flushDigest();
    expect(digest?.summary).toBe('Digest: 3 LOW alerts in the last 1 min');
    expect(digest?.description).toBe('By type: brute_force: 1, scan: 1, x: 1. Top sources: 198.51.100.7 (3).');
    await until('digest delivered', () => channels.slack!.sent.length === 1 && channels.mail!.sent.length === 1);
    expect(channels.slack!.sent[0]!.alert).toMatchObject({ kind: 'digest', eventCount: 3 });
    expect(channels.hook!.sent).toHaveLength(0);
    expect(alerting.flushDigest()).toBeUndefined();
  });

  it('a channel that hangs holds only its own slots: the others deliver, and its rows stay pending', async () => {
    const { alerting, outbox, channels } = await setup({ routes: [{ channels: ['slack', 'hook'] }] });
    let started = 0;
    channels.hook!.send = (_alert, context) => {
      started++;
      return new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    };
    for (let i = 0; i < 5; i++) alerting.onIncident(incident(`inc-${i}`, 'HIGH', `203.0.113.${i}`, ['sqli']), true, []);
    await until('slack deliveries', () => channels.slack!.sent.length === 5);
    // concurrencyPerChannel (2) attempts are held by the hanging receiver; the rest wait their turn.
    await until('two attempts in flight', () => started === 2);
    await alerting.stop();
    expect(started).toBe(2);
    expect((await outbox.query({ channel: 'hook', status: 'pending' })).items).toHaveLength(5);
    // Stopping cut the attempts short without counting them as failures.
    expect(alerting.stats.channels.get('hook')?.failures).toBe(0);
  });

  it('never blocks: with no outbox yet, deliveries wait in a bounded queue and the excess is counted', async () => {
    const channels = [new RecordingChannel('slack', 'slack')];
    const config = Value.Default(alertConfigSchema, { channels: [{ name: 'slack', type: 'slack', webhookUrl: 'x' }], outbox: { maxQueued: 2 } }) as AlertConfig;
    const alerting = new Alerting({ config, channels, logger: silentLogger });
    for (let i = 0; i < 4; i++) alerting.onIncident(incident(`inc-${i}`, 'MEDIUM', `203.0.113.${i}`, ['scan']), true, []);
    expect(alerting.stats.queued).toBe(2);
    expect(alerting.stats.suppressed.queue_full).toBe(2);
    expect(alerting.recent()).toHaveLength(4);
  });

  it('without channels and without an outbox, LOW alerts are only counted for the digest (nothing queues up)', async () => {
    const config = Value.Default(alertConfigSchema, {}) as AlertConfig;
    const alerting = new Alerting({ config, channels: [], logger: silentLogger });
    for (let i = 0; i < 3; i++) alerting.onIncident(incident(`inc-${i}`, 'LOW', `203.0.113.${i}`, ['scan']), true, []);
    expect(alerting.stats.queued).toBe(0);
    expect(alerting.flushDigest()?.eventCount).toBe(3);
    expect(alerting.stats.queued).toBe(0);
  });
});
