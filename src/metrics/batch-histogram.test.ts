import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BatchHistogram } from './batch-histogram.js';

describe('BatchHistogram', () => {
  it('records n observations at once: cumulative buckets, exact sum and count', async () => {
    const registry = new Registry();
    const histogram = new BatchHistogram('test_seconds', 'Test.', [0.1, 1], registry);
    histogram.observeMany(0.05, 10);
    histogram.observeMany(0.5, 3);
    histogram.observe(2);
    histogram.observeMany(0.5, 0);
    histogram.observeMany(Number.NaN, 5);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE test_seconds histogram');
    expect(text).toContain('test_seconds_bucket{le="0.1"} 10');
    expect(text).toContain('test_seconds_bucket{le="1"} 13');
    expect(text).toContain('test_seconds_bucket{le="+Inf"} 14');
    expect(text).toMatch(/test_seconds_sum 4(\.0+\d*)?\n/);
    expect(text).toContain('test_seconds_count 14');
  });

  it('puts a value equal to a bound into that bucket (le = less or equal)', async () => {
    const registry = new Registry();
    const histogram = new BatchHistogram('edge_seconds', 'Test.', [1], registry);
    histogram.observe(1);
    expect(await registry.metrics()).toContain('edge_seconds_bucket{le="1"} 1');
  });
});
