import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Value } from '@sinclair/typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { SecurityEvent } from '../../src/core/event.js';
import { IdGenerator } from '../../src/core/ids.js';
import { silentLogger } from '../../src/core/logger.js';
import { DetectionOutputs } from '../../src/pipeline/detection-outputs.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { SourceCounters } from '../../src/sources/line-ingestor.js';
import { NatsSource, natsSourceSchema, type NatsSourceConfig } from '../../src/sources/nats.js';
import { missingServerPolicy } from '../helpers/servers/common.js';
import { natsMissing, startNats, type NatsServer } from '../helpers/servers/nats.js';
import { startService } from '../helpers/service.js';

const missing = natsMissing();
const policy = missingServerPolicy(missing);

/** A real pipeline (no detectors) whose processed events are collected. */
function collectingPipeline() {
  const seen: SecurityEvent[] = [];
  const pipeline = new Pipeline({
    config: { queueCapacity: 1000, batchSize: 64, outputQueueCapacity: 10, maxFutureSkewSeconds: 1e9, maxLatenessSeconds: 60, retryAfterSeconds: 1 },
    detectors: [],
    outputs: new DetectionOutputs([], 10),
    clock: systemClock,
    mode: 'live',
    eventSink: (events) => seen.push(...events),
  });
  return { pipeline, seen };
}

function natsSource(server: NatsServer, pipeline: Pipeline, counters: SourceCounters, overrides: Partial<NatsSourceConfig>): NatsSource {
  const config = Value.Default(natsSourceSchema, { type: 'nats', servers: [server.url], input: 'native', ...overrides }) as NatsSourceConfig;
  return new NatsSource(config, { pipeline, ids: new IdGenerator('ev', 't'), now: () => Date.now(), logger: silentLogger, counters, dataDir: '/tmp' }, 64);
}

const login = (i: number) => JSON.stringify({ eventType: 'LOGIN_FAILURE', sourceIp: '198.51.100.7', username: `user${i}`, timestamp: 1_700_000_000_000 + i });

async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface ConsumerStats {
  name: string;
  num_ack_pending: number;
  num_pending: number;
  num_redelivered: number;
  delivered: { stream_seq: number };
  ack_floor: { stream_seq: number };
}

async function consumerStats(server: NatsServer, durable: string): Promise<ConsumerStats> {
  const jsz = (await server.jsz()) as { account_details?: { stream_detail?: { consumer_detail?: ConsumerStats[] }[] }[] };
  const consumers = (jsz.account_details ?? []).flatMap((a) => a.stream_detail ?? []).flatMap((s) => s.consumer_detail ?? []);
  const found = consumers.find((c) => c.name === durable);
  if (found === undefined) throw new Error(`consumer ${durable} not in /jsz`);
  return found;
}

if (policy === 'fail') {
  describe('NATS JetStream source', () => {
    it('needs nats-server', () => {
      throw new Error(`${missing} (CI=true: the integration tests must run)`);
    });
  });
} else if (policy === 'skip') {
  describe.skip(`NATS JetStream source — skipped: ${missing}`, () => {
    it('needs nats-server', () => undefined);
  });
} else {
  describe('NATS JetStream source', () => {
    let server: NatsServer;
    let nc: NatsConnection;
    beforeAll(async () => {
      server = await startNats();
      nc = await connect({ servers: server.url });
    });
    afterAll(async () => {
      await nc?.drain();
      await server?.destroy();
    });

    async function publish(stream: string, subject: string, payloads: string[]): Promise<void> {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: stream, subjects: [`${subject}.>`] }).catch(() => undefined);
      const js = jetstream(nc);
      for (const payload of payloads) await js.publish(`${subject}.auth`, payload);
    }

    it('processes every good message exactly once, counts the malformed ones, and acks all', async () => {
      const payloads: string[] = [];
      for (let i = 0; i < 300; i++) payloads.push(i % 10 === 9 ? `{"eventType": broken ${i}` : login(i));
      await publish('EV1', 'ev1', payloads);
      const { pipeline, seen } = collectingPipeline();
      const counters = new SourceCounters();
      const source = natsSource(server, pipeline, counters, { stream: 'EV1', subjects: ['ev1.>'], durable: 'vigil1', batchSize: 50 });
      await source.start();
      await waitFor('all messages acked', () => counters.messagesFor(source.name).acked === 300);
      await pipeline.idle();
      await source.stop();
      const usernames = seen.map((e) => e.username);
      expect(usernames).toHaveLength(270);
      expect(new Set(usernames).size).toBe(270);
      expect(usernames).toEqual(payloads.flatMap((p, i) => (i % 10 === 9 ? [] : [`user${i}`])));
      expect(counters.for(source.name)).toMatchObject({ events: 270, errors: 30 });
      expect(counters.messagesFor(source.name)).toMatchObject({ consumed: 300, acked: 300, redelivered: 0 });
      const stats = await consumerStats(server, 'vigil1');
      expect(stats.num_ack_pending).toBe(0);
      expect(stats.num_pending).toBe(0);
      expect(stats.ack_floor.stream_seq).toBe(300);
    });

    it('offers a partial batch once no more messages come (7 messages, batches of 50)', async () => {
      await publish('EV4', 'ev4', Array.from({ length: 7 }, (_, i) => login(i)));
      const { pipeline, seen } = collectingPipeline();
      const counters = new SourceCounters();
      const source = natsSource(server, pipeline, counters, { stream: 'EV4', subjects: ['ev4.>'], durable: 'vigil4', batchSize: 50 });
      await source.start();
      await waitFor('the 7 messages acked', () => counters.messagesFor(source.name).acked === 7);
      await pipeline.idle();
      await source.stop();
      expect(seen.map((e) => e.username)).toEqual(Array.from({ length: 7 }, (_, i) => `user${i}`));
    });

    it('loses nothing when the consumer is restarted mid-stream', async () => {
      const total = 2000;
      const payloads = Array.from({ length: total }, (_, i) => login(i));
      await publish('EV2', 'ev2', payloads);
      const { pipeline, seen } = collectingPipeline();
      const counters = new SourceCounters();
      const options = { stream: 'EV2', subjects: ['ev2.>'], durable: 'vigil2', batchSize: 20, ackWaitSeconds: 2 };
      const first = natsSource(server, pipeline, counters, options);
      await first.start();
      await waitFor('a first part consumed', () => counters.messagesFor(first.name).acked >= 200);
      await first.stop();
      const ackedByFirst = counters.messagesFor(first.name).acked;
      expect(ackedByFirst).toBeLessThan(total);
      const second = natsSource(server, pipeline, counters, options);
      await second.start();
      await waitFor('every message seen', () => new Set(seen.map((e) => e.username)).size === total, 30_000);
      await waitFor('every message acked', () => counters.messagesFor(second.name).acked >= total);
      await pipeline.idle();
      await second.stop();
      expect(new Set(seen.map((e) => e.username))).toEqual(new Set(payloads.map((_, i) => `user${i}`)));
      const stats = await consumerStats(server, 'vigil2');
      expect(stats.num_ack_pending).toBe(0);
      expect(stats.num_pending).toBe(0);
    });

    it('a service consumes events from JetStream and publishes its detections to security.alerts', async () => {
      const running = await startService({
        sources: [{ type: 'nats', servers: [server.url], stream: 'EV3', subjects: ['ev3.>'], durable: 'svc', input: 'native' }],
        'sinks.nats': { enabled: true, servers: [server.url] },
      });
      try {
        const attack = Array.from({ length: 6 }, (_, i) =>
          JSON.stringify({ eventType: 'LOGIN_FAILURE', sourceIp: '203.0.113.66', username: `victim${i}`, timestamp: Date.now() - 10_000 + i }),
        );
        await publish('EV3', 'ev3', attack);
        const jsm = await jetstreamManager(nc);
        let alerts: { status: string; detection: { type: string; sourceIp: string } }[] = [];
        const deadline = Date.now() + 20_000;
        while (alerts.length === 0 && Date.now() < deadline) {
          const info = await jsm.streams.info('SECURITY_ALERTS').catch(() => undefined);
          if (info !== undefined && info.state.messages > 0) {
            const message = await jsm.streams.getMessage('SECURITY_ALERTS', { seq: info.state.first_seq });
            if (message !== null) alerts = [message.json()];
          }
          if (alerts.length === 0) await new Promise((r) => setTimeout(r, 100));
        }
        expect(alerts[0]).toMatchObject({ status: 'open', detection: { type: 'brute_force', sourceIp: '203.0.113.66' } });
        const metrics = await (await fetch(`${running.url}/metrics`)).text();
        expect(metrics).toMatch(/vigil_source_messages_total\{source="nats-EV3-svc",outcome="acked"\} 6/);
      } finally {
        await running.stop();
      }
    });
  });
}
