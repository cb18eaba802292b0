import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, readLog, stopChild, waitUntilReady } from './common.js';

export const NATS_MISSING = 'nats-server not found: apt-get install nats-server';

export function natsMissing(): string | undefined {
  return findBinary('nats-server') !== undefined ? undefined : NATS_MISSING;
}

export interface NatsServer {
  port: number;
  dir: string;
  /** nats://127.0.0.1:<port> */
  url: string;
  /** GET /jsz?consumers=true from the monitoring port (JetStream stats). */
  jsz(): Promise<Record<string, unknown>>;
  destroy(): Promise<void>;
}

/** A throw-away nats-server with JetStream on 127.0.0.1 (free ports, store in a temp dir); stopped with SIGINT. */
export async function startNats(): Promise<NatsServer> {
  const binary = findBinary('nats-server');
  if (binary === undefined) throw new Error(NATS_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-nats-'));
  const port = await freePort();
  const monitor = await freePort();
  const logFile = join(dir, 'nats.log');
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), '-js', '-sd', join(dir, 'js'), '-l', logFile], {
    cwd: dir,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const monitorUrl = `http://127.0.0.1:${monitor}`;
  await waitUntilReady(child, async () => (await fetch(`${monitorUrl}/healthz`)).ok, 'nats-server', () => readLog(logFile));
  return {
    port,
    dir,
    url: `nats://127.0.0.1:${port}`,
    async jsz() {
      return (await (await fetch(`${monitorUrl}/jsz?consumers=true`)).json()) as Record<string, unknown>;
    },
    async destroy() {
      await stopChild(child, 'SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
