import { Type, type Static } from '@sinclair/typebox';
import type { Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaClient, kafkaConnectionProperties } from '../sources/kafka-connection.js';
import { eventKey, sourceIpPartitioner } from '../sources/kafka-keys.js';
import type { DetectionRecord, DetectionSink } from './sink.js';
import { kafkajs } from '../sources/kafkajs-module.js';

export const kafkaAlertsConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'Publish detections to a Kafka topic.' }),
    ...kafkaConnectionProperties,
    topic: Type.String({ default: 'security-alerts', description: 'Topic detections are published to (LZ4-compressed batches).' }),
    statuses: Type.Array(Type.Union([Type.Literal('open'), Type.Literal('closed')]), {
      default: ['open', 'closed'],
      description: 'Which records to publish: raised (open) and/or closed with final evidence.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type KafkaAlertsConfig = Static<typeof kafkaAlertsConfigSchema>;

/** The Kafka messages for a batch of detection records: keyed sourceIp:username, JSON values. */
export function alertMessages(records: readonly DetectionRecord[], statuses: readonly string[]) {
  return records
    .filter((r) => statuses.includes(r.status))
    .map((r) => ({
      key: eventKey(r.detection.sourceIp, r.detection.username),
      value: JSON.stringify({ status: r.status, detection: r.detection }),
      headers: { 'vigil-detection-id': r.detection.id, 'vigil-status': r.status },
    }));
}

/**
 * Publishes detection records to `security-alerts` with an idempotent
 * producer (acks from all in-sync replicas), LZ4-compressed, partitioned by
 * source IP. A failed send is counted (sink errors) and logged.
 */
export class KafkaAlertSink implements DetectionSink {
  readonly name = 'kafka-alerts';
  private producer: Promise<Producer> | undefined;

  constructor(
    private readonly config: KafkaAlertsConfig,
    private readonly logger: Logger,
  ) {}

  async write(records: readonly DetectionRecord[]): Promise<void> {
    const messages = alertMessages(records, this.config.statuses);
    if (messages.length === 0) return;
    const producer = await this.connect();
    await producer.send({ topic: this.config.topic, compression: kafkajs().CompressionTypes.LZ4, acks: -1, messages });
  }

  async close(): Promise<void> {
    const producer = await this.producer?.catch(() => undefined);
    await producer?.disconnect();
  }

  private connect(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = kafkaClient(this.config, this.logger).producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: sourceIpPartitioner });
      await producer.connect();
      return producer;
    })();
    this.producer.catch(() => (this.producer = undefined));
    return this.producer;
  }
}
