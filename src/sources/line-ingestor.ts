import type { Logger } from 'pino';
import type { SecurityEvent } from '../core/event.js';
import { detectParser, getParser } from '../parsers/index.js';
import type { LineParser, ParseContext } from '../parsers/parser.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SourceContext } from './source.js';

/** Per-source line counts, read by the metrics registry. */
export class SourceCounters {
  readonly bySource = new Map<string, { events: number; skipped: number; errors: number; bytes: number }>();

  for(source: string) {
    let counts = this.bySource.get(source);
    if (counts === undefined) {
      counts = { events: 0, skipped: 0, errors: 0, bytes: 0 };
      this.bySource.set(source, counts);
    }
    return counts;
  }

  /** Per-source message counts of broker sources (NATS, Kafka): consumed, acknowledged, redelivered, refused. */
  readonly messagesBySource = new Map<string, MessageCounts>();

  messagesFor(source: string): MessageCounts {
    let counts = this.messagesBySource.get(source);
    if (counts === undefined) {
      counts = { consumed: 0, acked: 0, redelivered: 0, retried: 0, errors: 0 };
      this.messagesBySource.set(source, counts);
    }
    return counts;
  }
}

export interface MessageCounts {
  /** Messages received from the broker (redeliveries included). */
  consumed: number;
  /** Messages acknowledged (NATS ack) or committed (Kafka offset) after their events were accepted. */
  acked: number;
  /** Messages the broker delivered again (NATS redelivered flag). */
  redelivered: number;
  /** Messages handed back for a later retry (NATS nak with delay) because the pipeline stayed full. */
  retried: number;
  /** Broker errors (connection, fetch, commit). */
  errors: number;
}

export interface LineIngestorOptions {
  source: string;
  /** A parser name, or 'auto' to pick one from the first lines. */
  input: string;
  pipeline: Pipeline;
  parse: ParseContext;
  counters: SourceCounters;
  logger: Logger;
  batchSize: number;
  /** How long to wait for queue room before trying again (the reader stays paused meanwhile). */
  waitMs?: number;
}

/** Lines sampled for auto-detection before the first parse. */
const DETECT_SAMPLE = 20;

/**
 * Lines in, events out: parses each line with the source's parser, counts
 * events / skipped / errors per source (never silently dropped: errors are
 * counted and a sample is logged), and hands batches to the pipeline,
 * waiting while it is full so the reader is paused rather than losing data.
 */
export class LineIngestor {
  private parser: LineParser | undefined;
  private readonly pendingDetect: string[] = [];
  private batch: SecurityEvent[] = [];
  private readonly counts;
  private errorsLogged = 0;

  constructor(private readonly options: LineIngestorOptions) {
    this.counts = options.counters.for(options.source);
    if (options.input !== 'auto') {
      const parser = getParser(options.input);
      if (parser === undefined) throw new Error(`source ${options.source}: unknown input format '${options.input}'`);
      this.parser = parser;
    }
  }

  /** Parse one line; resolves once its batch (if full) has been accepted. */
  async line(text: string): Promise<void> {
    this.counts.bytes += text.length + 1;
    if (this.parser === undefined) {
      this.pendingDetect.push(text);
      if (this.pendingDetect.length < DETECT_SAMPLE) return;
      this.chooseParser();
      return this.drainPending();
    }
    this.parseLine(text);
    if (this.batch.length >= this.options.batchSize) await this.flush();
  }

  /** Offer whatever is batched (and, in auto mode, decide on the lines seen so far). */
  async flush(): Promise<void> {
    if (this.parser === undefined && this.pendingDetect.length > 0) {
      this.chooseParser();
      await this.drainPending();
    }
    while (this.batch.length > 0) {
      const batch = this.batch;
      this.batch = [];
      while (!(await this.options.pipeline.offerWait(batch, this.options.waitMs ?? 1000))) {
        if (this.stopped) {
          this.options.logger.error({ source: this.options.source, events: batch.length }, 'pipeline stopped before these events were accepted');
          return;
        }
      }
    }
  }

  /**
   * Parse lines into events without offering them: for message sources that
   * acknowledge a message only once its events are accepted. Counts like
   * `line()`; in auto mode the parser is chosen from these lines if not yet.
   */
  parseLines(lines: readonly string[]): SecurityEvent[] {
    if (this.parser === undefined) {
      this.pendingDetect.push(...lines.slice(0, DETECT_SAMPLE));
      this.chooseParser();
      this.pendingDetect.length = 0;
    }
    const saved = this.batch;
    this.batch = [];
    for (const line of lines) {
      this.counts.bytes += line.length + 1;
      this.parseLine(line);
    }
    const events = this.batch;
    this.batch = saved;
    return events;
  }

  /** Set when the service is stopping: stop waiting for room that will not come. */
  stopped = false;

  private chooseParser(): void {
    this.parser = detectParser(this.pendingDetect) ?? getParser('syslog');
    this.options.logger.info({ source: this.options.source, parser: this.parser?.name }, 'input format detected');
  }

  private async drainPending(): Promise<void> {
    const lines = this.pendingDetect.splice(0);
    for (const line of lines) this.parseLine(line);
    if (this.batch.length >= this.options.batchSize) await this.flush();
  }

  private parseLine(text: string): void {
    if (text.length === 0) return;
    const outcome = (this.parser as LineParser).parse(text, this.options.parse);
    if (outcome.event !== undefined) {
      this.counts.events++;
      this.batch.push(outcome.event);
    } else if (outcome.error !== undefined) {
      this.counts.errors++;
      // The first ten, then one in a thousand: visible without flooding the log.
      if (this.errorsLogged < 10 || this.counts.errors % 1000 === 0) {
        this.errorsLogged++;
        this.options.logger.warn({ source: this.options.source, error: outcome.error, count: this.counts.errors }, 'unparsed line');
      }
    } else {
      this.counts.skipped++;
    }
  }
}

/** The ingestor a source uses: its name labels events, metrics and logs. */
export function sourceIngestor(source: string, input: string, ctx: SourceContext, batchSize: number): LineIngestor {
  return new LineIngestor({
    source,
    input,
    pipeline: ctx.pipeline,
    parse: { ids: ctx.ids, now: ctx.now, timeZone: ctx.timeZone, labels: { source } },
    counters: ctx.counters,
    logger: ctx.logger,
    batchSize,
  });
}
