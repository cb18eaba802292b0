import { Type, type Static } from '@sinclair/typebox';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { connectNats, natsConnectionProperties } from '../sources/nats-connection.js';
import type { DetectionRecord, DetectionSink } from './sink.js';

export const natsAlertsConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'Publish detections to a NATS JetStream subject.' }),
    ...natsConnectionProperties,
    subject: Type.String({ default: 'security.alerts', description: 'Subject detections are published to.' }),
    stream: Type.String({ default: 'SECURITY_ALERTS', description: 'Stream holding the subject (created when absent, see createStream).' }),
    createStream: Type.Boolean({ default: true, description: 'Create the stream for `subject` when no stream holds it.' }),
    statuses: Type.Array(Type.Union([Type.Literal('open'), Type.Literal('closed')]), {
      default: ['open', 'closed'],
      description: 'Which records to publish: when a detection is raised (open) and/or when it is closed with final evidence.',
    }),
  },
  { additionalProperties: false, default: {} },
);
export type NatsAlertsConfig = Static<typeof natsAlertsConfigSchema>;

/**
 * Publishes detection records (`{status, detection}` as JSON) to a JetStream
 * subject, waiting for the server's acknowledgement of each. The message id
 * is `<detection id>:<status>`, so a record published twice (retry after a
 * lost acknowledgement) is stored once within the stream's duplicate window.
 * A publish that fails is counted (sink errors) and logged.
 */
export class NatsAlertSink implements DetectionSink {
  readonly name = 'nats-alerts';
  private connection: Promise<{ nc: NatsConnection; js: JetStreamClient }> | undefined;
  private readonly encoder = new TextEncoder();
  published = 0;

  constructor(
    private readonly config: NatsAlertsConfig,
    private readonly logger?: Logger,
  ) {}

  async write(records: readonly DetectionRecord[]): Promise<void> {
    const { js } = await this.connect();
    const wanted = this.config.statuses;
    const acks = [];
    for (const record of records) {
      if (!wanted.includes(record.status)) continue;
      const body = this.encoder.encode(JSON.stringify({ status: record.status, detection: record.detection }));
      acks.push(js.publish(this.config.subject, body, { msgID: `${record.detection.id}:${record.status}` }));
    }
    const results = await Promise.allSettled(acks);
    const failed = results.filter((r) => r.status === 'rejected');
    this.published += results.length - failed.length;
    if (failed.length > 0) throw new Error(`${failed.length} of ${results.length} detections not acknowledged by NATS: ${String((failed[0] as PromiseRejectedResult).reason)}`);
  }

  async close(): Promise<void> {
    if (this.connection === undefined) return;
    const { nc } = await this.connection.catch(() => ({ nc: undefined }));
    await nc?.drain();
  }

  private connect(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    this.connection ??= (async () => {
      const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
      const nc = await connectNats(this.config, 'vigil alerts');
      if (this.config.createStream) {
        const jsm = await jetstreamManager(nc);
        const holder = await jsm.streams.find(this.config.subject).catch(() => undefined);
        if (holder === undefined) {
          await jsm.streams.add({ name: this.config.stream, subjects: [this.config.subject] });
          this.logger?.info({ stream: this.config.stream, subject: this.config.subject }, 'NATS alert stream created');
        }
      }
      return { nc, js: jetstream(nc) };
    })();
    // A failed connection is tried again on the next write.
    this.connection.catch(() => (this.connection = undefined));
    return this.connection;
  }
}
