import type { EachBatchPayload } from 'kafkajs';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { LineIngestor, MessageCounts } from './line-ingestor.js';
import { offerForAck } from './message-offer.js';

export interface KafkaBatchHandlerOptions {
  ingestor: LineIngestor;
  pipeline: Pipeline;
  counts: MessageCounts;
  /** Messages parsed and offered together. */
  chunkSize: number;
  /** How long one offer waits for room before heartbeating and trying again. */
  waitMs: number;
}

/**
 * The `eachBatch` handler of the Kafka source (run with autoCommit and
 * eachBatchAutoResolve off). Messages are taken in chunks; a chunk's offsets
 * are resolved and committed only after its events were accepted by the
 * pipeline — so a crash, a rebalance or a stop before that leaves them
 * uncommitted and they are consumed again (at-least-once). While the
 * pipeline is full the handler waits, heartbeating so the group keeps the
 * partition, and gives up (without resolving) when the consumer stops or the
 * partition is revoked.
 */
export class KafkaBatchHandler {
  private readonly decoder = new TextDecoder();

  constructor(private readonly options: KafkaBatchHandlerOptions) {}

  async handle(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale } = payload;
    const { counts, chunkSize } = this.options;
    const messages = batch.messages;
    for (let start = 0; start < messages.length; start += chunkSize) {
      if (!isRunning() || isStale()) return;
      const chunk = messages.slice(start, start + chunkSize);
      counts.consumed += chunk.length;
      const lines: string[] = [];
      for (const message of chunk) {
        if (message.value === null) continue;
        const text = this.decoder.decode(message.value);
        if (text.includes('\n')) for (const line of text.split('\n')) lines.push(line.endsWith('\r') ? line.slice(0, -1) : line);
        else lines.push(text);
      }
      const events = this.options.ingestor.parseLines(lines);
      while (!(await offerForAck(this.options.pipeline, events, this.options.waitMs))) {
        counts.retried += chunk.length;
        if (!isRunning() || isStale()) return;
        await heartbeat();
      }
      const last = chunk[chunk.length - 1];
      if (last === undefined) continue;
      for (const message of chunk) resolveOffset(message.offset);
      // Kafka commits the next offset to read.
      const next = (BigInt(last.offset) + 1n).toString();
      await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
      counts.acked += chunk.length;
      await heartbeat();
    }
  }
}
