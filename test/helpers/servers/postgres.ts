import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, openSync, rmSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findBinary, freePort, readLog, runOrThrow, stopChild, systemUser, waitUntilReady } from './common.js';

const PG_DIRS = ['/usr/lib/postgresql/17/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/15/bin'];

export const POSTGRES_MISSING =
  'PostgreSQL server binaries (initdb, postgres) not found: apt-get install postgresql';

/** Undefined when available, else the message saying how to install it. */
export function postgresMissing(): string | undefined {
  return findBinary('initdb', PG_DIRS) !== undefined && findBinary('postgres', PG_DIRS) !== undefined ? undefined : POSTGRES_MISSING;
}

export interface PostgresServer {
  port: number;
  dir: string;
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown; the data directory stays, `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stop and remove the temp dir. */
  destroy(): Promise<void>;
}

/**
 * A throw-away PostgreSQL on 127.0.0.1 (free port, trust auth, fsync off) in
 * a temp dir. As root it runs as the `postgres` user (PostgreSQL refuses root).
 */
export async function startPostgres(): Promise<PostgresServer> {
  const initdb = findBinary('initdb', PG_DIRS);
  const postgres = findBinary('postgres', PG_DIRS);
  if (initdb === undefined || postgres === undefined) throw new Error(POSTGRES_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-'));
  let owner: { uid: number; gid: number } | undefined;
  if (process.getuid?.() === 0) {
    owner = systemUser('postgres');
    if (owner === undefined) throw new Error('running as root but there is no `postgres` user to run the server as');
    chownSync(dir, owner.uid, owner.gid);
  }
  const data = join(dir, 'data');
  const logFile = join(dir, 'pg.log');
  runOrThrow(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], { ...owner, cwd: dir });
  const port = await freePort();
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const log = openSync(logFile, 'a');
    if (owner !== undefined) chownSync(logFile, owner.uid, owner.gid);
    child = spawn(
      postgres,
      ['-D', data, '-c', 'listen_addresses=127.0.0.1', '-c', `port=${port}`, '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'max_connections=200'],
      { ...owner, cwd: dir, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    const started = child;
    await waitUntilReady(
      started,
      async () => {
        const client = new pg.Client({ connectionString: url(), connectionTimeoutMillis: 1000 });
        try {
          await client.connect();
          await client.query('SELECT 1');
          return true;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      'postgres',
      () => readLog(logFile),
    );
  };
  const stop = async (): Promise<void> => {
    if (child !== undefined) await stopChild(child, 'SIGINT');
    child = undefined;
  };
  await start();
  return {
    port,
    dir,
    url,
    async createDatabase(name: string) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
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
