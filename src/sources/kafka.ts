import { Type, type Static } from '@sinclair/typebox';
import type { Consumer } from 'kafkajs';
import { KafkaBatchHandler } from './kafka-batch.js';
import { kafkaClient, kafkaConnectionProperties } from './kafka-connection.js';
import { sourceIngestor } from './line-ingestor.js';
import type { Source, SourceContext } from './source.js';

export const kafkaSourceSchema = Type.Object(
  {
    type: Type.Literal('kafka'),
    name: Type.Optional(Type.String({ description: 'Name in metrics and logs (default kafka-<topic>).' })),
    ...kafkaConnectionProperties,
    topic: Type.String({ default: 'security-events', description: 'Topic to consume (keys sourceIp:username, see "Running at scale").' }),
    groupId: Type.String({ default: 'vigil', description: 'Consumer group; instances sharing it share the partitions.' }),
    fromBeginning: Type.Boolean({ default: false, description: 'A group without committed offsets starts at the oldest message (else the newest).' }),
    input: Type.String({ default: 'auto', description: 'Parser for each message value (native, ecs, sshd, syslog, …) or auto.' }),
    chunkSize: Type.Integer({ minimum: 1, default: 512, description: 'Messages parsed, offered and committed together.' }),
    backpressureWaitMs: Type.Integer({ minimum: 1, default: 1000, description: 'Wait for pipeline room between heartbeats while it is full.' }),
    sessionTimeoutMs: Type.Integer({ minimum: 1000, default: 30_000, description: 'A member silent this long is dropped and its partitions reassigned.' }),
  },
  { additionalProperties: false },
);
export type KafkaSourceConfig = Static<typeof kafkaSourceSchema>;

/**
 * Consumes a Kafka topic in a consumer group. Offsets are committed by hand,
 * per chunk, only after the chunk's events were accepted (see
 * KafkaBatchHandler): at-least-once, and a rebalance or crash replays at most
 * the uncommitted chunk.
 */
export class KafkaSource implements Source {
  readonly type = 'kafka';
  readonly name: string;
  private consumer: Consumer | undefined;
  private readonly handler: KafkaBatchHandler;
  private readonly ingestorStop: () => void;

  constructor(
    private readonly config: KafkaSourceConfig,
    private readonly ctx: SourceContext,
    pipelineBatchSize: number,
  ) {
    this.name = config.name ?? `kafka-${config.topic}`;
    const ingestor = sourceIngestor(this.name, config.input, ctx, pipelineBatchSize);
    this.ingestorStop = () => (ingestor.stopped = true);
    this.handler = new KafkaBatchHandler({
      ingestor,
      pipeline: ctx.pipeline,
      counts: ctx.counters.messagesFor(this.name),
      chunkSize: config.chunkSize,
      waitMs: config.backpressureWaitMs,
    });
  }

  async start(): Promise<void> {
    const kafka = kafkaClient(this.config, this.ctx.logger.child({ source: this.name }));
    const consumer = kafka.consumer({ groupId: this.config.groupId, sessionTimeout: this.config.sessionTimeoutMs });
    this.consumer = consumer;
    const counts = this.ctx.counters.messagesFor(this.name);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      counts.errors++;
      this.ctx.logger.error({ source: this.name, err: payload.error, restart: payload.restart }, 'Kafka consumer crashed');
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.config.topic], fromBeginning: this.config.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.handler.handle(payload),
    });
    this.ctx.logger.info({ source: this.name, topic: this.config.topic, groupId: this.config.groupId }, 'Kafka consumer started');
  }

  async stop(): Promise<void> {
    this.ingestorStop();
    // Waits for the running batch; its uncommitted rest is consumed again by whoever gets the partition.
    await this.consumer?.disconnect();
  }
}
