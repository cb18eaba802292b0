import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../core/clock.js';
import { IdGenerator } from '../core/ids.js';
import { silentLogger } from '../core/logger.js';
import { DetectionOutputs } from '../pipeline/detection-outputs.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { SourceCounters } from './line-ingestor.js';
import { StdinSource } from './stdin.js';

describe('StdinSource', () => {
  it('auto-detects the format, parses every line and counts errors and skips', async () => {
    const pipeline = new Pipeline({
      config: { queueCapacity: 1000, batchSize: 10, outputQueueCapacity: 10, maxFutureSkewSeconds: 1e9, maxLatenessSeconds: 60, retryAfterSeconds: 1 },
      detectors: [],
      outputs: new DetectionOutputs([], 10),
      clock: systemClock,
      mode: 'live',
    });
    const counters = new SourceCounters();
    const input = new PassThrough();
    const source = new StdinSource(
      { type: 'stdin', input: 'auto' },
      { pipeline, ids: new IdGenerator('ev', 't'), now: () => 0, logger: silentLogger, counters, dataDir: '/tmp' },
      10,
      input,
    );
    await source.start();
    const lines = Array.from({ length: 25 }, (_, i) => JSON.stringify({ eventType: 'LOGIN_FAILURE', sourceIp: '192.0.2.1', username: `u${i}`, timestamp: i }));
    lines.push('{"eventType":"LOGIN_FAILURE","sourceIp":"bad"}', '');
    input.end(lines.join('\n') + '\n');
    await source.done();
    await pipeline.idle();
    expect(pipeline.stats.processed).toBe(25);
    expect(counters.for('stdin')).toMatchObject({ events: 25, errors: 1 });
  });
});
