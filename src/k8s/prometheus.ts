import type { HealConfig } from './config.js';
import { emptySignals, type MetricSignals, type NodeSignals, type PodSignals } from './conditions.js';

/** One instant-vector sample of the Prometheus HTTP API (`/api/v1/query`). */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export class PrometheusQueryError extends Error {
  override name = 'PrometheusQueryError';
}

/** A minimal client of the Prometheus HTTP API: instant queries only. */
export class PrometheusClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async query(promql: string): Promise<PromSample[]> {
    const url = new URL('api/v1/query', this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: promql }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new PrometheusQueryError(`Prometheus at ${url.origin} unreachable: ${(err as Error).message}`);
    }
    let body: { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new PrometheusQueryError(`Prometheus answered HTTP ${response.status} without JSON`);
    }
    if (body.status !== 'success') throw new PrometheusQueryError(`PromQL ${promql}: ${body.error ?? `HTTP ${response.status}`}`);
    if (body.data?.resultType !== 'vector') throw new PrometheusQueryError(`PromQL ${promql}: expected an instant vector, got ${body.data?.resultType ?? 'nothing'}`);
    return Array.isArray(body.data.result) ? (body.data.result as PromSample[]) : [];
  }
}

export type PodSignalName = keyof PodSignals;
export type NodeSignalName = keyof NodeSignals;

export interface QueryResults {
  pods: Partial<Record<PodSignalName, PromSample[]>>;
  nodes: Partial<Record<NodeSignalName, PromSample[]>>;
}

/** A sample's value; NaN (a division by a zero limit) is no value. */
function valueOf(sample: PromSample): number | undefined {
  const text = sample.value[1];
  const value = text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/** The node a sample is about: its `node` label, else `instance` without the port. */
function nodeOf(labels: Record<string, string>): string | undefined {
  if (labels.node) return labels.node;
  if (labels.instance) return labels.instance.replace(/:\d+$/, '');
  return undefined;
}

/**
 * Query results to signals, pure. Pod samples need `namespace` and `pod`
 * labels; several samples for one pod keep the highest value.
 */
export function signalsFromResults(results: QueryResults): MetricSignals {
  const signals = emptySignals();
  for (const [name, samples] of Object.entries(results.pods) as [PodSignalName, PromSample[]][]) {
    for (const sample of samples) {
      const { namespace, pod } = sample.metric;
      const value = valueOf(sample);
      if (!namespace || !pod || value === undefined) continue;
      const key = `${namespace}/${pod}`;
      const entry = signals.pods.get(key) ?? {};
      entry[name] = Math.max(entry[name] ?? -Infinity, value);
      signals.pods.set(key, entry);
    }
  }
  for (const [name, samples] of Object.entries(results.nodes) as [NodeSignalName, PromSample[]][]) {
    for (const sample of samples) {
      const node = nodeOf(sample.metric);
      const value = valueOf(sample);
      if (node === undefined || value === undefined) continue;
      const entry = signals.nodes.get(node) ?? {};
      entry[name] = Math.max(entry[name] ?? -Infinity, value);
      signals.nodes.set(node, entry);
    }
  }
  return signals;
}

export interface SignalCollection {
  signals: MetricSignals;
  /** Queries that failed (the others still count). */
  errors: string[];
}

/** Runs every configured (non-empty) query; a failing query is reported and the rest still apply. */
export async function collectSignals(client: PrometheusClient, config: HealConfig['prometheus']): Promise<SignalCollection> {
  const q = config.queries;
  const podQueries: [PodSignalName, string][] = [
    ['cpu', q.cpu],
    ['memory', q.memory],
    ['down', q.down],
    ['latency', q.latency],
  ];
  const nodeQueries: [NodeSignalName, string][] = [
    ['cpu', q.nodeCpu],
    ['memory', q.nodeMemory],
  ];
  const results: QueryResults = { pods: {}, nodes: {} };
  const errors: string[] = [];
  await Promise.all([
    ...podQueries
      .filter(([, promql]) => promql.trim() !== '')
      .map(async ([name, promql]) => {
        try {
          results.pods[name] = await client.query(promql);
        } catch (err) {
          errors.push(`${name}: ${(err as Error).message}`);
        }
      }),
    ...nodeQueries
      .filter(([, promql]) => promql.trim() !== '')
      .map(async ([name, promql]) => {
        try {
          results.nodes[name] = await client.query(promql);
        } catch (err) {
          errors.push(`node ${name}: ${(err as Error).message}`);
        }
      }),
  ]);
  return { signals: signalsFromResults(results), errors: errors.sort() };
}
