import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, readLog, stopChild, waitUntilReady } from './common.js';

export const ALERTMANAGER_MISSING = 'prometheus-alertmanager not found: apt-get install prometheus-alertmanager';

export function alertmanagerMissing(): string | undefined {
  return findBinary('prometheus-alertmanager') !== undefined ? undefined : ALERTMANAGER_MISSING;
}

/** GET /api/v2/alerts items (gettableAlert). */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  fingerprint: string;
  generatorURL?: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

export interface AlertmanagerServer {
  port: number;
  url: string;
  dir: string;
  /** GET /api/v2/alerts (active only unless `all`: then resolved ones too, while Alertmanager keeps them). */
  alerts(filter?: string[]): Promise<GettableAlert[]>;
  destroy(): Promise<void>;
}

/**
 * A throw-away Alertmanager on 127.0.0.1 (free port, gossip off, state in a
 * temp dir) with a null receiver: the test reads alerts back through the API.
 */
export async function startAlertmanager(): Promise<AlertmanagerServer> {
  const binary = findBinary('prometheus-alertmanager');
  if (binary === undefined) throw new Error(ALERTMANAGER_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-alertmanager-'));
  // JSON is valid YAML.
  writeFileSync(join(dir, 'am.yml'), JSON.stringify({ route: { receiver: 'null', group_wait: '1s', group_interval: '1s', repeat_interval: '1h' }, receivers: [{ name: 'null' }] }));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(dir, 'am.log');
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${join(dir, 'am.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    { cwd: dir, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  await waitUntilReady(child, async () => (await fetch(`${url}/-/ready`)).ok, 'alertmanager', () => readLog(logFile));
  return {
    port,
    url,
    dir,
    async alerts(filter = []) {
      const query = new URLSearchParams(filter.map((f): [string, string] => ['filter', f]));
      const response = await fetch(`${url}/api/v2/alerts?${query.toString()}`);
      if (!response.ok) throw new Error(`GET /api/v2/alerts: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as GettableAlert[];
    },
    async destroy() {
      await stopChild(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
