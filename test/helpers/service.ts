import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type VigilConfig } from '../../src/core/config.js';
import { silentLogger } from '../../src/core/logger.js';
import { VigilService } from '../../src/service.js';
import type { DetectionSink } from '../../src/sinks/sink.js';

export interface RunningService {
  service: VigilService;
  url: string;
  dataDir: string;
  config: VigilConfig;
  stop(): Promise<void>;
}

/** A real service on an ephemeral loopback port with its own data dir. */
export async function startService(
  overrides: Record<string, unknown> = {},
  sinks: DetectionSink[] = [],
): Promise<RunningService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-test-'));
  const { config } = loadConfig({
    env: {},
    cwd: dataDir,
    overrides: { dataDir, 'server.port': 0, ...overrides },
  });
  const service = new VigilService({ config, logger: silentLogger, sinks });
  await service.start();
  const address = service.address;
  if (address === undefined) throw new Error('service did not listen');
  return {
    service,
    url: `http://127.0.0.1:${address.port}`,
    dataDir,
    config,
    async stop() {
      await service.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function loginFailure(ip: string, username: string, timestamp: number | string, extra: Record<string, unknown> = {}) {
  return { eventType: 'LOGIN_FAILURE', sourceIp: ip, username, reason: 'INVALID_PASSWORD', timestamp, ...extra };
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}
