import { Type, type Static } from '@sinclair/typebox';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { sourceIngestor, type LineIngestor, type MessageCounts } from './line-ingestor.js';
import { offerForAck } from './message-offer.js';
import { connectNats, natsConnectionProperties } from './nats-connection.js';
import type { Source, SourceContext } from './source.js';

export const natsSourceSchema = Type.Object(
  {
    type: Type.Literal('nats'),
    name: Type.Optional(Type.String({ description: 'Name in metrics and logs (default nats-<stream>-<durable>).' })),
    ...natsConnectionProperties,
    stream: Type.String({ default: 'SECURITY_EVENTS', description: 'JetStream stream to consume.' }),
    subjects: Type.Array(Type.String(), {
      minItems: 1,
      default: ['security.events.>'],
      description: 'Subjects of the stream when Vigil creates it (createStream).',
    }),
    filterSubject: Type.Optional(Type.String({ description: 'Consume only this subject of the stream (e.g. security.events.auth).' })),
    durable: Type.String({ default: 'vigil', description: 'Durable consumer name; instances sharing it share the work.' }),
    createStream: Type.Boolean({ default: true, description: 'Create the stream (with `subjects`) when it does not exist.' }),
    deliverFrom: Type.Union([Type.Literal('all'), Type.Literal('new')], {
      default: 'all',
      description: 'Where a new durable consumer starts: every message kept in the stream, or only new ones.',
    }),
    input: Type.String({ default: 'auto', description: 'Parser for each message (native, ecs, sshd, syslog, …) or auto.' }),
    batchSize: Type.Integer({ minimum: 1, maximum: 10_000, default: 256, description: 'Messages pulled per request and offered together.' }),
    maxAckPending: Type.Integer({
      minimum: 1,
      default: 4096,
      description: 'Messages delivered but not yet acknowledged; the server stops delivering beyond it (bounds memory).',
    }),
    ackWaitSeconds: Type.Number({
      exclusiveMinimum: 0,
      default: 30,
      description: 'A message not acknowledged within this time is delivered again (to this or another instance).',
    }),
    backpressureWaitMs: Type.Integer({
      minimum: 1,
      default: 2000,
      description: 'How long a batch waits for room in the pipeline before its messages are handed back (nak) for later.',
    }),
    retryDelayMs: Type.Integer({ minimum: 0, default: 1000, description: 'Delay asked for with a nak (backpressure, shutdown).' }),
  },
  { additionalProperties: false },
);
export type NatsSourceConfig = Static<typeof natsSourceSchema>;

/**
 * Consumes a JetStream stream through a durable pull consumer with explicit
 * acknowledgement. A message is acknowledged only once its events are in the
 * pipeline's queue (or it held none: unparsable records are counted as errors
 * and acknowledged, so one bad record cannot block the stream). When the
 * pipeline stays full the messages are handed back with a delayed nak, and
 * the server redelivers them: at-least-once, never silent loss.
 */
const FLUSH_IDLE_MS = 50;
const IDLE = Symbol('idle');

/** Resolves to IDLE after `ms` (the timer does not keep the process alive). */
function idle(ms: number): Promise<typeof IDLE> {
  return new Promise((resolve) => setTimeout(resolve, ms, IDLE).unref());
}

export class NatsSource implements Source {
  readonly type = 'nats';
  readonly name: string;
  private readonly ingestor: LineIngestor;
  private readonly counts: MessageCounts;
  private connection: NatsConnection | undefined;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly config: NatsSourceConfig,
    private readonly ctx: SourceContext,
    pipelineBatchSize: number,
  ) {
    this.name = config.name ?? `nats-${config.stream}-${config.durable}`;
    this.ingestor = sourceIngestor(this.name, config.input, ctx, pipelineBatchSize);
    this.counts = ctx.counters.messagesFor(this.name);
  }

  async start(): Promise<void> {
    const { config } = this;
    // Loaded here, not at start-up: only a service with a NATS source needs the client.
    const { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } = await import('@nats-io/jetstream');
    const nc = await connectNats(config, `vigil ${this.name}`);
    this.connection = nc;
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.streams.info(config.stream);
    } catch (err) {
      if (!config.createStream) throw new Error(`source ${this.name}: stream ${config.stream} not found and createStream is false`, { cause: err });
      await jsm.streams.add({ name: config.stream, subjects: config.subjects });
      this.ctx.logger.info({ source: this.name, stream: config.stream, subjects: config.subjects }, 'NATS stream created');
    }
    const consumerConfig = {
      durable_name: config.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: config.deliverFrom === 'new' ? DeliverPolicy.New : DeliverPolicy.All,
      ack_wait: Math.round(config.ackWaitSeconds * 1e9),
      max_ack_pending: config.maxAckPending,
      ...(config.filterSubject !== undefined ? { filter_subject: config.filterSubject } : {}),
    };
    try {
      await jsm.consumers.add(config.stream, consumerConfig);
    } catch {
      // It exists with other settings: bring the ones that may change up to date.
      await jsm.consumers.update(config.stream, config.durable, {
        ack_wait: consumerConfig.ack_wait,
        max_ack_pending: consumerConfig.max_ack_pending,
        ...(config.filterSubject !== undefined ? { filter_subject: config.filterSubject } : {}),
      });
    }
    const consumer = await jetstream(nc).consumers.get(config.stream, config.durable);
    const messages = await consumer.consume({ max_messages: config.batchSize });
    this.messages = messages;
    this.loop = this.consume(messages).catch((err: unknown) => {
      this.counts.errors++;
      this.ctx.logger.error({ source: this.name, err }, 'NATS consumer stopped');
    });
    this.ctx.logger.info({ source: this.name, stream: config.stream, durable: config.durable }, 'NATS consumer started');
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.ingestor.stopped = true;
    this.messages?.stop();
    await this.loop;
    // Drain sends the acks and naks still buffered before closing.
    await this.connection?.drain().catch((err: unknown) => this.ctx.logger.warn({ source: this.name, err }, 'NATS drain failed'));
  }

  private async consume(messages: ConsumerMessages): Promise<void> {
    const batch: JsMsg[] = [];
    const iterator = messages[Symbol.asyncIterator]();
    let next = iterator.next();
    for (;;) {
      // A partial batch is offered once no message has come for FLUSH_IDLE_MS, so the
      // last messages of a burst never wait for more to arrive.
      const result = batch.length === 0 ? await next : await Promise.race([next, idle(FLUSH_IDLE_MS)]);
      if (result === IDLE) {
        await this.process(batch.splice(0));
        continue;
      }
      if (result.done === true) break;
      next = iterator.next();
      const message = result.value;
      this.counts.consumed++;
      if (message.redelivered) this.counts.redelivered++;
      if (this.stopping) {
        // Delivered after stop was asked: hand it straight back for another consumer.
        message.nak();
        this.counts.retried++;
        continue;
      }
      batch.push(message);
      // A full batch, or nothing more waiting right now: offer what we have.
      if (batch.length >= this.config.batchSize || messages.getPending() === 0) await this.process(batch.splice(0));
    }
    if (batch.length > 0) await this.process(batch.splice(0));
  }

  /** Parse, offer, then ack (accepted) or nak with delay (pipeline full or stopping). */
  async process(batch: readonly JsMsg[]): Promise<void> {
    const lines: string[] = [];
    for (const message of batch) {
      const text = this.decoder.decode(message.data);
      // A message may carry several records, one per line.
      if (text.includes('\n')) for (const line of text.split('\n')) lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
      else lines.push(text);
    }
    const events = this.ingestor.parseLines(lines);
    if (await offerForAck(this.ctx.pipeline, events, this.config.backpressureWaitMs)) {
      for (const message of batch) message.ack();
      this.counts.acked += batch.length;
      return;
    }
    for (const message of batch) message.nak(this.config.retryDelayMs);
    this.counts.retried += batch.length;
    this.ctx.logger.warn({ source: this.name, messages: batch.length }, 'pipeline full: messages handed back for redelivery');
  }
}
