import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.js';
import { IdGenerator } from '../core/ids.js';
import { silentLogger } from '../core/logger.js';
import { DetectionOutputs } from '../pipeline/detection-outputs.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { KafkaBatchHandler } from './kafka-batch.js';
import { SourceCounters, sourceIngestor } from './line-ingestor.js';

const login = (i: number) => JSON.stringify({ eventType: 'LOGIN_FAILURE', sourceIp: '192.0.2.1', username: `u${i}`, timestamp: i });

/** A kafkajs-shaped batch payload that records every call the handler makes, with how many events the pipeline had accepted then. */
function payload(pipeline: Pipeline, values: string[], firstOffset = 100, running = () => true) {
  const calls: { call: string; arg?: unknown; accepted: number }[] = [];
  const messages: KafkaMessage[] = values.map((value, i) => ({
    key: Buffer.from('192.0.2.1:u'),
    value: Buffer.from(value),
    timestamp: '0',
    attributes: 0,
    offset: String(firstOffset + i),
    size: value.length,
    headers: undefined,
  }));
  const record = (call: string, arg?: unknown) => calls.push({ call, arg, accepted: pipeline.stats.accepted });
  const p = {
    batch: { topic: 'security-events', partition: 3, highWatermark: String(firstOffset + values.length), messages },
    resolveOffset: (offset: string) => record('resolve', offset),
    heartbeat: async () => void record('heartbeat'),
    commitOffsetsIfNecessary: async (offsets?: unknown) => void record('commit', offsets),
    isRunning: running,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return { p, calls };
}

function setup(queueCapacity: number, chunkSize: number) {
  const pipeline = new Pipeline({
    config: { queueCapacity, batchSize: 10, outputQueueCapacity: 10, maxFutureSkewSeconds: 1e9, maxLatenessSeconds: 60, retryAfterSeconds: 1 },
    detectors: [],
    outputs: new DetectionOutputs([], 10),
    clock: systemClock,
    mode: 'live',
  });
  const counters = new SourceCounters();
  const ctx = { pipeline, ids: new IdGenerator('ev', 't'), now: () => 0, logger: silentLogger, counters, dataDir: '/tmp' };
  const handler = new KafkaBatchHandler({
    ingestor: sourceIngestor('kafka-test', 'native', ctx, 10),
    pipeline,
    counts: counters.messagesFor('kafka-test'),
    chunkSize,
    waitMs: 10,
  });
  return { pipeline, counters, handler };
}

describe('KafkaBatchHandler', () => {
  it('resolves and commits each chunk only after its events were accepted, committing the next offset', async () => {
    const { pipeline, counters, handler } = setup(100, 2);
    const { p, calls } = payload(pipeline, [login(1), login(2), 'garbage', login(3), login(4)]);
    await handler.handle(p);
    const commits = calls.filter((c) => c.call === 'commit');
    expect(commits.map((c) => c.arg)).toEqual([102, 104, 105].map((offset) => ({ topics: [{ topic: 'security-events', partitions: [{ partition: 3, offset: String(offset) }] }] })));
    // Every resolve and commit happened after the chunk's events were in the queue.
    const resolves = calls.filter((c) => c.call === 'resolve');
    expect(resolves.map((c) => [c.arg, c.accepted])).toEqual([
      ['100', 2],
      ['101', 2],
      ['102', 3],
      ['103', 3],
      ['104', 4],
    ]);
    expect(commits.map((c) => c.accepted)).toEqual([2, 3, 4]);
    expect(counters.messagesFor('kafka-test')).toMatchObject({ consumed: 5, acked: 5, retried: 0 });
    expect(counters.for('kafka-test')).toMatchObject({ events: 4, errors: 1 });
  });

  it('commits nothing while the pipeline is full, heartbeating meanwhile, and stops without committing when the consumer stops', async () => {
    const { pipeline, counters, handler } = setup(2, 10);
    pipeline.queue.offerAll([{} as never, {} as never]);
    let heartbeats = 0;
    const { p, calls } = payload(pipeline, [login(1), login(2)], 0, () => heartbeats < 3);
    const heartbeat = p.heartbeat;
    p.heartbeat = async () => {
      heartbeats++;
      await heartbeat();
    };
    await handler.handle(p);
    expect(calls.filter((c) => c.call === 'resolve' || c.call === 'commit')).toEqual([]);
    expect(heartbeats).toBe(3);
    expect(counters.messagesFor('kafka-test')).toMatchObject({ acked: 0 });
    expect(counters.messagesFor('kafka-test').retried).toBeGreaterThan(0);
  });

  it('goes on once room appears', async () => {
    const { pipeline, handler } = setup(2, 10);
    pipeline.queue.offerAll([{} as never, {} as never]);
    const { p, calls } = payload(pipeline, [login(1), login(2)], 7);
    const heartbeat = p.heartbeat;
    p.heartbeat = async () => {
      pipeline.queue.drain([], 2);
      await heartbeat();
    };
    await handler.handle(p);
    expect(calls.filter((c) => c.call === 'commit').map((c) => c.arg)).toEqual([{ topics: [{ topic: 'security-events', partitions: [{ partition: 3, offset: '9' }] }] }]);
  });
});
