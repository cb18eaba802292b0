import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, readLog, stopChild, waitUntilReady } from './common.js';

export const PROMETHEUS_MISSING = 'Prometheus binaries (prometheus, promtool) not found: apt-get install prometheus';

export function prometheusMissing(): string | undefined {
  return findBinary('prometheus') !== undefined && findBinary('promtool') !== undefined ? undefined : PROMETHEUS_MISSING;
}

export interface PrometheusTarget {
  job: string;
  /** host:port */
  address: string;
  metricsPath?: string;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrometheusServer {
  port: number;
  dir: string;
  url: string;
  /** Instant query; throws on a PromQL error (a query that does not parse). */
  query(promql: string): Promise<PromSample[]>;
  /** Polls `promql` until `accept` holds for its result (default: non-empty), or throws after `timeoutMs`. */
  waitFor(promql: string, accept?: (samples: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  destroy(): Promise<void>;
}

/**
 * A throw-away Prometheus on 127.0.0.1 (free port, 1 s scrape and evaluation
 * interval) scraping `targets`, with optional rule files copied in.
 * The first scrape comes a few seconds after start (target discovery), so use `waitFor`.
 */
export async function startPrometheus(targets: PrometheusTarget[], options: { rules?: Record<string, string> } = {}): Promise<PrometheusServer> {
  const binary = findBinary('prometheus');
  if (binary === undefined) throw new Error(PROMETHEUS_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prometheus-'));
  const ruleFiles = Object.keys(options.rules ?? {});
  for (const [name, text] of Object.entries(options.rules ?? {})) writeFileSync(join(dir, name), text);
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: ruleFiles,
    scrape_configs: targets.map((t) => ({
      job_name: t.job,
      metrics_path: t.metricsPath ?? '/metrics',
      static_configs: [{ targets: [t.address] }],
    })),
  };
  // JSON is valid YAML.
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(dir, 'prometheus.log');
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { cwd: dir, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  await waitUntilReady(child, async () => (await fetch(`${url}/-/ready`)).ok, 'prometheus', () => readLog(logFile));

  const query = async (promql: string): Promise<PromSample[]> => {
    const response = await fetch(`${url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: promql }),
    });
    const body = (await response.json()) as { status: string; error?: string; data?: { resultType: string; result: unknown } };
    if (body.status !== 'success') throw new Error(`PromQL ${promql}: ${body.error ?? response.status}`);
    const result = body.data?.result;
    if (body.data?.resultType === 'scalar') return [{ metric: {}, value: result as [number, string] }];
    return result as PromSample[];
  };
  return {
    port,
    dir,
    url,
    query,
    async waitFor(promql, accept = (s) => s.length > 0, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: PromSample[] = [];
      while (Date.now() < deadline) {
        last = await query(promql);
        if (accept(last)) return last;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`Prometheus: ${promql} did not reach the expected result in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    },
    async destroy() {
      await stopChild(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
