import type { JsMsg } from '@nats-io/jetstream';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.js';
import { IdGenerator } from '../core/ids.js';
import { silentLogger } from '../core/logger.js';
import { DetectionOutputs } from '../pipeline/detection-outputs.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { SourceCounters } from './line-ingestor.js';
import { NatsSource, natsSourceSchema } from './nats.js';

/** The part of a JetStream message the source uses; what it did with it is recorded. */
function message(text: string, redelivered = false) {
  const record = { acked: 0, naks: [] as (number | undefined)[] };
  const msg = {
    data: new TextEncoder().encode(text),
    redelivered,
    ack: () => void record.acked++,
    nak: (delay?: number) => void record.naks.push(delay),
  };
  return { msg: msg as unknown as JsMsg, record };
}

function setup(queueCapacity: number) {
  const pipeline = new Pipeline({
    config: { queueCapacity, batchSize: 10, outputQueueCapacity: 10, maxFutureSkewSeconds: 1e9, maxLatenessSeconds: 60, retryAfterSeconds: 1 },
    detectors: [],
    outputs: new DetectionOutputs([], 10),
    clock: systemClock,
    mode: 'live',
  });
  const counters = new SourceCounters();
  const config = Value.Default(natsSourceSchema, { type: 'nats', input: 'native', backpressureWaitMs: 20, retryDelayMs: 750 }) as never;
  const source = new NatsSource(config, { pipeline, ids: new IdGenerator('ev', 't'), now: () => 0, logger: silentLogger, counters, dataDir: '/tmp' }, 10);
  return { pipeline, counters, source };
}

const good = (i: number) => JSON.stringify({ eventType: 'LOGIN_FAILURE', sourceIp: '192.0.2.1', username: `u${i}`, timestamp: i });

describe('NatsSource acknowledgement', () => {
  it('acks a batch once its events are accepted; malformed records are counted and acked too', async () => {
    const { pipeline, counters, source } = setup(100);
    const batch = [message(good(1)), message('not json {'), message(`${good(2)}\n${good(3)}`)];
    await source.process(batch.map((m) => m.msg));
    expect(batch.map((m) => m.record)).toEqual([
      { acked: 1, naks: [] },
      { acked: 1, naks: [] },
      { acked: 1, naks: [] },
    ]);
    expect(pipeline.stats.accepted).toBe(3);
    expect(counters.for(source.name)).toMatchObject({ events: 3, errors: 1 });
    expect(counters.messagesFor(source.name)).toMatchObject({ acked: 3, retried: 0 });
  });

  it('does not ack while the pipeline is full: hands the messages back with the configured delay', async () => {
    const { pipeline, counters, source } = setup(2);
    // Fill the queue behind the pipeline's back so nothing drains it.
    pipeline.queue.offerAll([{} as never, {} as never]);
    const batch = [message(good(1)), message(good(2))];
    await source.process(batch.map((m) => m.msg));
    expect(batch.map((m) => m.record)).toEqual([
      { acked: 0, naks: [750] },
      { acked: 0, naks: [750] },
    ]);
    expect(counters.messagesFor(source.name)).toMatchObject({ acked: 0, retried: 2 });
  });
});
