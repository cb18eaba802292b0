import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/core/detection.js';
import { ipFor } from '../../bench/synthetic-logins.js';

const bin = new URL('../../bin/vigil.js', import.meta.url).pathname;

interface LogLine {
  msg: string;
  [key: string]: unknown;
}

describe('graceful shutdown of the real process', () => {
  it('SIGTERM right after a large upload: every accepted event is processed and every detection written', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-shutdown-'));
    const child = spawn(process.execPath, [bin, 'run'], {
      env: { ...process.env, VIGIL_SERVER_PORT: '0', VIGIL_DATA_DIR: dataDir, VIGIL_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const logs: LogLine[] = [];
    const started = new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stderr }).on('line', (line) => {
        if (!line.startsWith('{')) return;
        const entry = JSON.parse(line) as LogLine;
        logs.push(entry);
        if (entry.msg === 'vigil started') resolve(entry.address as string);
      });
      child.once('exit', (code) => reject(new Error(`vigil exited early with ${code}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await started;

    // 300 attacking IPs × 10 failures, interleaved with 60,000 benign successes.
    const t0 = Date.now() - 60_000;
    const lines: string[] = [];
    for (let i = 0; i < 63_000; i++) {
      const attacker = i % 21 === 0 ? Math.floor(i / 21) % 300 : -1;
      lines.push(
        JSON.stringify(
          attacker >= 0
            ? { eventType: 'LOGIN_FAILURE', sourceIp: ipFor(100_000 + attacker), username: `v${i % 13}`, timestamp: t0 + Math.floor(i / 2) }
            : { eventType: 'LOGIN_SUCCESS', sourceIp: ipFor(i % 5000), username: `u${i % 5000}`, timestamp: t0 + Math.floor(i / 2) },
        ),
      );
    }
    const response = await fetch(`${url}/api/v1/events/ndjson`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: lines.join('\n'),
    });
    const result = (await response.json()) as { accepted: number };
    child.kill('SIGTERM');
    expect(response.status).toBe(202);
    expect(result.accepted).toBe(63_000);

    expect(await exited).toBe(0);
    const stopped = logs.find((l) => l.msg === 'vigil stopped');
    expect(stopped).toBeDefined();
    expect(stopped?.accepted).toBe(63_000);
    expect(stopped?.processed).toBe(63_000);

    const detections = readFileSync(join(dataDir, 'detections.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Detection);
    const closed = detections.filter((d) => d.status === 'closed' && d.type === 'brute_force');
    expect(closed).toHaveLength(300);
    expect(closed.reduce((sum, d) => sum + d.evidence.eventCount, 0)).toBe(3000);
    rmSync(dataDir, { recursive: true, force: true });
  });
});
