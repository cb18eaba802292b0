import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, readLog, stopChild, waitUntilReady } from './common.js';

export const REDIS_MISSING = 'redis-server not found: apt-get install redis-server';

export function redisMissing(): string | undefined {
  return findBinary('redis-server') !== undefined ? undefined : REDIS_MISSING;
}

export interface RedisServer {
  port: number;
  dir: string;
  /** redis://127.0.0.1:<port> */
  url: string;
  destroy(): Promise<void>;
}

/** PING over a raw connection: true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

/** A throw-away redis-server on 127.0.0.1 (free port, no persistence, state in a temp dir). */
export async function startRedis(): Promise<RedisServer> {
  const binary = findBinary('redis-server');
  if (binary === undefined) throw new Error(REDIS_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-redis-'));
  const port = await freePort();
  const logFile = join(dir, 'redis.log');
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--logfile', logFile],
    { cwd: dir, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  await waitUntilReady(child, () => ping(port), 'redis-server', () => readLog(logFile));
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    async destroy() {
      await stopChild(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
