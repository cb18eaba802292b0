import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** First executable found in `extraDirs` or PATH. */
export function findBinary(name: string, extraDirs: readonly string[] = []): string | undefined {
  const dirs = [...extraDirs, ...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const file = join(dir, name);
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** uid/gid of a system user, from /etc/passwd. */
export function systemUser(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (line === undefined) return undefined;
  const parts = line.split(':');
  return { uid: Number(parts[2]), gid: Number(parts[3]) };
}

export function runOrThrow(file: string, args: string[], options: { uid?: number; gid?: number; cwd?: string } = {}): void {
  const result = spawnSync(file, args, { ...options, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(`${file} ${args.join(' ')} failed (exit ${String(result.status)}): ${result.stderr || result.stdout || result.error?.message}`);
  }
}

/** Polls `probe` until it resolves true; fails early when the process exits. */
export async function waitUntilReady(child: ChildProcess, probe: () => Promise<boolean>, what: string, log: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited during start-up (${String(child.exitCode ?? child.signalCode)}):\n${log()}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms:\n${log()}`);
}

/** Signals a child and waits for it to exit. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * What a test file does when a server binary is missing: fail under CI
 * (`CI=true`), where the packages are installed on purpose, else skip.
 */
export function missingServerPolicy(message: string | undefined): 'run' | 'fail' | 'skip' {
  if (message === undefined) return 'run';
  return process.env.CI === 'true' ? 'fail' : 'skip';
}
