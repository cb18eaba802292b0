import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const bin = new URL('../../bin/vigil.js', import.meta.url).pathname;

export interface LogLine {
  msg: string;
  [key: string]: unknown;
}

export interface VigilProcess {
  child: ChildProcess;
  url: string;
  logs: LogLine[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `vigil run -c <config>` as a child process; resolves once it logs 'vigil started'. */
export async function startVigilProcess(configFile: string, env: Record<string, string> = {}): Promise<VigilProcess> {
  const child = spawn(process.execPath, [bin, 'run', '-c', configFile], {
    env: { ...process.env, VIGIL_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: LogLine[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const other: string[] = [];
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      if (!line.startsWith('{')) {
        other.push(line);
        return;
      }
      const entry = JSON.parse(line) as LogLine;
      logs.push(entry);
      if (entry.msg === 'vigil started') resolve(entry.address as string);
    });
    void exited.then(({ code }) => reject(new Error(`vigil exited early with ${String(code)}: ${other.join('\n')}`)));
  });
  return { child, url, logs, exited };
}
