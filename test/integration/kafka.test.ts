import { randomUUID } from 'node:crypto';
import { CompressionTypes } from 'kafkajs';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import type { SecurityEvent } from '../../src/core/event.js';
import { IdGenerator } from '../../src/core/ids.js';
import { silentLogger } from '../../src/core/logger.js';
import { DetectionOutputs } from '../../src/pipeline/detection-outputs.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { KafkaAlertSink, kafkaAlertsConfigSchema } from '../../src/sinks/kafka-alerts.js';
import { kafkaClient } from '../../src/sources/kafka-connection.js';
import { eventKey, sourceIpPartitioner } from '../../src/sources/kafka-keys.js';
import { initSecurityTopics } from '../../src/sources/kafka-topics.js';
import { KafkaSource, kafkaSourceSchema, type KafkaSourceConfig } from '../../src/sources/kafka.js';
import { SourceCounters } from '../../src/sources/line-ingestor.js';

/**
 * Runs only against a broker you provide: KAFKA_BROKERS=host:port[,…]. No
 * Kafka broker can be installed from Debian here, so by default (CI too) this
 * file is skipped and the Kafka code is covered by the unit tests
 * (src/sources/kafka-*.test.ts) against kafkajs' own protocol encoders.
 */
const brokers = process.env.KAFKA_BROKERS?.split(',').filter(Boolean) ?? [];

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(brokers.length === 0)('Kafka against a real broker (KAFKA_BROKERS)', () => {
  it('creates the topics, consumes LZ4-compressed keyed events, commits after processing, publishes alerts', async () => {
    const suffix = randomUUID().slice(0, 8);
    const eventsTopic = `security-events-${suffix}`;
    const alertsTopic = `security-alerts-${suffix}`;
    const connection = { brokers, clientId: 'vigil-test', ssl: false };
    const kafka = kafkaClient(connection, silentLogger);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await initSecurityTopics(admin, { topics: [eventsTopic, alertsTopic] })).toEqual({ created: [eventsTopic, alertsTopic], existing: [] });
      const described = await admin.describeConfigs({ resources: [{ type: 2, name: eventsTopic, configNames: ['compression.type', 'retention.ms'] }], includeSynonyms: false });
      const entries = Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
      expect(entries).toEqual({ 'compression.type': 'lz4', 'retention.ms': '604800000' });
      expect((await admin.fetchTopicMetadata({ topics: [eventsTopic] })).topics[0]!.partitions).toHaveLength(6);

      const producer = kafka.producer({ createPartitioner: sourceIpPartitioner });
      await producer.connect();
      const total = 600;
      await producer.send({
        topic: eventsTopic,
        compression: CompressionTypes.LZ4,
        messages: Array.from({ length: total }, (_, i) => {
          const ip = `198.51.100.${i % 30}`;
          return { key: eventKey(ip, `u${i}`), value: JSON.stringify({ eventType: 'LOGIN_FAILURE', sourceIp: ip, username: `u${i}`, timestamp: 1_700_000_000_000 + i }) };
        }),
      });
      await producer.disconnect();

      const seen: SecurityEvent[] = [];
      const pipeline = new Pipeline({
        config: { queueCapacity: 1000, batchSize: 64, outputQueueCapacity: 10, maxFutureSkewSeconds: 1e9, maxLatenessSeconds: 60, retryAfterSeconds: 1 },
        detectors: [],
        outputs: new DetectionOutputs([], 10),
        clock: systemClock,
        mode: 'live',
        eventSink: (events) => seen.push(...events),
      });
      const counters = new SourceCounters();
      const config = Value.Default(kafkaSourceSchema, { type: 'kafka', brokers, topic: eventsTopic, groupId: `vigil-${suffix}`, fromBeginning: true, input: 'native', chunkSize: 50 }) as KafkaSourceConfig;
      const source = new KafkaSource(config, { pipeline, ids: new IdGenerator('ev', 't'), now: () => Date.now(), logger: silentLogger, counters, dataDir: '/tmp' }, 64);
      await source.start();
      await waitFor('all events', () => new Set(seen.map((e) => e.username)).size === total);
      await source.stop();
      const offsets = await admin.fetchOffsets({ groupId: `vigil-${suffix}`, topics: [eventsTopic] });
      const committed = offsets[0]!.partitions.reduce((sum, p) => sum + Number(p.offset), 0);
      expect(committed).toBe(total);

      const sink = new KafkaAlertSink(Value.Default(kafkaAlertsConfigSchema, { enabled: true, brokers, topic: alertsTopic }) as never, silentLogger);
      await sink.write([{ status: 'open', detection: { id: 'd1', detector: 'brute_force', type: 'brute_force', sourceIp: '203.0.113.9', confidence: 0.8, severity: 'HIGH', evidence: { eventCount: 5, firstSeen: 1, lastSeen: 2 }, eventIds: [], status: 'open', detectedAt: 2 } as never }]);
      await sink.close();
      const reader = kafka.consumer({ groupId: `reader-${suffix}` });
      await reader.connect();
      await reader.subscribe({ topic: alertsTopic, fromBeginning: true });
      const alerts: { key: string; value: string }[] = [];
      await reader.run({ eachMessage: async ({ message }) => void alerts.push({ key: String(message.key), value: String(message.value) }) });
      await waitFor('the alert', () => alerts.length === 1);
      await reader.disconnect();
      expect(alerts[0]!.key).toBe('203.0.113.9:');
      expect(JSON.parse(alerts[0]!.value)).toMatchObject({ status: 'open', detection: { id: 'd1' } });
    } finally {
      await admin.deleteTopics({ topics: [eventsTopic, alertsTopic] }).catch(() => undefined);
      await admin.disconnect();
    }
  }, 120_000);
});
