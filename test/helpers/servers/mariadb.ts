import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { findBinary, freePort, readLog, runOrThrow, stopChild, waitUntilReady } from './common.js';

export const MARIADB_MISSING = 'MariaDB server binaries (mariadbd, mariadb-install-db) not found: apt-get install mariadb-server';

export function mariadbMissing(): string | undefined {
  return findBinary('mariadbd') !== undefined && findBinary('mariadb-install-db') !== undefined ? undefined : MARIADB_MISSING;
}

export interface MariadbServer {
  port: number;
  dir: string;
  /** mysql://root@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  createDatabase(name: string): Promise<string>;
  /** The data directory stays; `start()` brings the server back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** A throw-away MariaDB on 127.0.0.1 (free port, root without password) in a temp dir. */
export async function startMariadb(): Promise<MariadbServer> {
  const mariadbd = findBinary('mariadbd');
  const installDb = findBinary('mariadb-install-db');
  if (mariadbd === undefined || installDb === undefined) throw new Error(MARIADB_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-mariadb-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  const userArgs = asRoot ? ['--user=root'] : [];
  runOrThrow(installDb, ['--no-defaults', `--datadir=${data}`, ...userArgs, '--auth-root-authentication-method=normal', '--skip-test-db'], { cwd: dir });
  const port = await freePort();
  const url = (database = '') => `mysql://root@127.0.0.1:${port}/${database}`;
  const logFile = join(dir, 'err.log');
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const out = openSync(join(dir, 'stdout.log'), 'a');
    child = spawn(
      mariadbd,
      [
        '--no-defaults',
        `--datadir=${data}`,
        `--socket=${join(dir, 'mysql.sock')}`,
        `--pid-file=${join(dir, 'mariadb.pid')}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        ...userArgs,
        '--skip-log-bin',
        `--log-error=${logFile}`,
        '--innodb-buffer-pool-size=64M',
        '--innodb-flush-log-at-trx-commit=0',
        '--max-connections=300',
      ],
      { cwd: dir, stdio: ['ignore', out, out] },
    );
    closeSync(out);
    const started = child;
    await waitUntilReady(
      started,
      async () => {
        const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 1000 });
        try {
          await connection.query('SELECT 1');
          return true;
        } finally {
          await connection.end().catch(() => undefined);
        }
      },
      'mariadbd',
      () => readLog(logFile),
    );
  };
  const stop = async (): Promise<void> => {
    if (child !== undefined) await stopChild(child, 'SIGTERM');
    child = undefined;
  };
  await start();
  return {
    port,
    dir,
    url,
    async createDatabase(name: string) {
      const connection = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
      try {
        await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
      } finally {
        await connection.end();
      }
      return url(name);
    },
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
