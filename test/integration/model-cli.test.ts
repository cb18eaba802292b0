import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { prng } from '../../bench/synthetic-logins.js';

const run = promisify(execFile);
const bin = new URL('../../bin/vigil.js', import.meta.url).pathname;

describe('vigil model train / score', () => {
  it('trains a deterministic model on successful logins and flags an outlier login', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-model-'));
    const random = prng(11);
    const start = Date.parse('2026-02-02T00:00:00Z');
    const lines: string[] = [];
    // Office workers: 09:00–17:00 on weekdays, from 198.51.100.0/24, ordinary names and browsers.
    for (let i = 0; i < 3000; i++) {
      const day = Math.floor(random() * 5);
      const t = start + day * 86_400_000 + (9 + random() * 8) * 3_600_000;
      lines.push(
        JSON.stringify({
          eventType: 'LOGIN_SUCCESS',
          timestamp: Math.floor(t),
          sourceIp: `198.51.100.${Math.floor(random() * 200)}`,
          username: `user${Math.floor(random() * 300)}`,
          userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36',
        }),
      );
    }
    const events = join(dir, 'train.ndjson');
    writeFileSync(events, lines.join('\n') + '\n');
    const model = join(dir, 'model.json');
    const env = { ...process.env, VIGIL_DATA_DIR: dir };
    await run(process.execPath, [bin, 'model', 'train', events, '--model', model, '--seed', '7'], { env });
    const first = readFileSync(model, 'utf8');
    await run(process.execPath, [bin, 'model', 'train', events, '--model', model, '--seed', '7'], { env });
    expect(readFileSync(model, 'utf8')).toBe(first);

    const probe = join(dir, 'probe.ndjson');
    writeFileSync(
      probe,
      [
        { eventType: 'LOGIN_SUCCESS', timestamp: Date.parse('2026-02-04T11:00:00Z'), sourceIp: '198.51.100.7', username: 'user42', userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36' },
        { eventType: 'LOGIN_SUCCESS', timestamp: Date.parse('2026-02-07T03:17:00Z'), sourceIp: '45.155.205.233', username: 'svc_backup$', userAgent: 'python-requests/2.31 bot' },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n') + '\n',
    );
    const { stdout } = await run(process.execPath, [bin, 'model', 'score', probe, '--model', model, '--threshold', '0'], { env });
    const [normal, outlier] = stdout.trim().split('\n').map((l) => JSON.parse(l) as { score: number; decision: number; anomalous: boolean });
    expect(outlier?.score).toBeGreaterThan(normal?.score ?? 1);
    expect(outlier?.decision).toBeLessThan(normal?.decision ?? -1);
    expect(outlier?.anomalous).toBe(true);
    expect(normal?.anomalous).toBe(false);
  });
});
