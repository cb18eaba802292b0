import type { MetricValueWithName, Registry } from 'prom-client';

/**
 * A Prometheus histogram that can record `n` equal observations at once.
 *
 * The pipeline times whole batches (one clock read per batch, not per event:
 * reading the clock per event would cost more than some detectors). Each
 * event of a batch is then recorded with the batch's mean time per event, so
 * `_count` counts events and `_sum` is the exact total time, while the bucket
 * distribution is that of batch means (a batch of slow and fast events lands
 * in one bucket). prom-client's Histogram has no weighted observe, hence this
 * small metric: fixed buckets in a Float64Array, materialised at scrape time.
 */
export class BatchHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    this.counts = new Float64Array(buckets.length + 1);
    registry.registerMetric(this as never);
  }

  /** Record `n` observations of `value` (n = 0 records nothing). */
  observeMany(value: number, n: number): void {
    if (!(n > 0) || !Number.isFinite(value)) return;
    const buckets = this.buckets;
    let i = 0;
    while (i < buckets.length && value > (buckets[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + n;
    this.sum += value * n;
    this.count += n;
  }

  observe(value: number): void {
    this.observeMany(value, 1);
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }

  /** What prom-client's registry reads at scrape time (the shape of its own metrics' get()). */
  get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: MetricValueWithName<string>[] }> {
    const values: MetricValueWithName<string>[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      cumulative += this.counts[i] as number;
      values.push({ metricName: `${this.name}_bucket`, labels: { le: this.buckets[i] as number }, value: cumulative });
    }
    values.push({ metricName: `${this.name}_bucket`, labels: { le: '+Inf' }, value: this.count });
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: this.sum });
    values.push({ metricName: `${this.name}_count`, labels: {}, value: this.count });
    return Promise.resolve({ name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values });
  }
}
