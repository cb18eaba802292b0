import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature } from '../../src/alert/channels/webhook.js';
import type { Delivery } from '../../src/alert/outbox.js';
import { startRecordingServer, type RecordingServer } from '../helpers/servers/recording-http.js';
import { loginFailure } from '../helpers/service.js';

const bin = new URL('../../bin/vigil.js', import.meta.url).pathname;
const SECRET = 'kill-test-secret';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function cleanEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, HOOK_SECRET: SECRET };
  for (const name of Object.keys(env)) if (name.startsWith('VIGIL_')) delete env[name];
  return env;
}

/** `vigil run -c <config>`; resolves with the API URL once it logged "vigil started". */
async function startVigil(config: string): Promise<{ child: ChildProcess; url: string; logs: string[] }> {
  const child = spawn(process.execPath, [bin, 'run', '-c', config], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
  const logs: string[] = [];
  cleanup.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      logs.push(line);
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as { msg: string; address?: string };
      if (entry.msg === 'vigil started' && entry.address !== undefined) resolve(entry.address);
    });
    child.once('exit', (code) => reject(new Error(`vigil exited early with ${code}:\n${logs.join('\n')}`)));
  });
  return { child, url, logs };
}

/** Asynchronous: the receiver runs in this process and must keep answering. */
function vigilCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { env: cleanEnv(), cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('alert outbox durability with a real process', () => {
  it('kill -9 while the webhook delivery is in flight: after the restart the alert arrives with the same idempotency key; API, metrics and `vigil alerts test` agree', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-alert-kill-'));
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    // Accepts the connection and the request, never answers.
    const hook: RecordingServer = await startRecordingServer('hang');
    cleanup.push(() => hook.close());
    const config = join(dataDir, 'vigil.yaml');
    writeFileSync(
      config,
      JSON.stringify({
        dataDir,
        server: { host: '127.0.0.1', port: 0 },
        pipeline: { maxLatenessSeconds: 1e9 },
        log: { level: 'info' },
        alerts: {
          channels: [{ name: 'hook', type: 'webhook', url: `${hook.url}/alerts`, secret: 'env:HOOK_SECRET', timeoutSeconds: 120 }],
          routes: [{ levels: ['HIGH', 'CRITICAL'], channels: ['hook'] }],
          outbox: { pollIntervalMs: 100, retryInitialDelayMs: 200 },
        },
      }),
    );

    const first = await startVigil(config);
    const now = Date.now();
    const events = Array.from({ length: 6 }, (_, i) => loginFailure('203.0.113.66', `user${i}`, now - 10_000 + i * 1000));
    const posted = await fetch(`${first.url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    expect(posted.status).toBe(202);

    // The delivery is in flight (the receiver holds it): kill -9 now.
    const [inFlight] = await hook.waitFor(1);
    const key = inFlight!.headers['idempotency-key'] as string;
    expect(key).toMatch(/^alert-[0-9a-f]+-00000001\.1\.hook$/);
    const killed = new Promise((resolve) => first.child.once('exit', (_code, signal) => resolve(signal)));
    first.child.kill('SIGKILL');
    expect(await killed).toBe('SIGKILL');

    // The receiver is healthy again; a new process delivers what the outbox held.
    hook.behave({ status: 200, body: 'ok' });
    const second = await startVigil(config);
    const [, redelivered] = await hook.waitFor(2);
    expect(redelivered!.headers['idempotency-key']).toBe(key);
    const timestamp = redelivered!.headers['x-vigil-timestamp'] as string;
    expect(verifySignature(SECRET, timestamp, redelivered!.body, redelivered!.headers['x-vigil-signature'] as string)).toBe(true);
    const body = JSON.parse(redelivered!.body) as { idempotencyKey: string; alert: { level: string; type: string; subject: { value: string } } };
    expect(body.idempotencyKey).toBe(key);
    expect(body.alert).toMatchObject({ level: 'HIGH', type: 'brute_force', subject: { value: '203.0.113.66' } });

    // The API shows the delivery as delivered (the killed attempt left the row pending, nothing else).
    let delivered: Delivery[] = [];
    for (let i = 0; i < 100 && delivered.length === 0; i++) {
      const page = (await (await fetch(`${second.url}/api/v1/alerts?channel=hook&status=delivered`)).json()) as { items: Delivery[] };
      delivered = page.items;
      if (delivered.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(delivered.map((d) => d.id)).toEqual([key]);
    expect((await fetch(`${second.url}/api/v1/alerts?level=bogus`)).status).toBe(400);
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toContain('vigil_alert_deliveries_total{channel="hook"} 1');
    expect(metrics).toMatch(/vigil_alert_outbox_depth\{state="pending"\} 0/);
    // When the crash left the attack's events in the ingest journal, the restart replays them and the
    // detection comes again: it is grouped with the alert restored from the outbox (1), not sent twice.
    expect(metrics).toMatch(/vigil_alert_suppressed_total\{reason="grouped"\} [01]\n/);

    // `vigil alerts test`: sends through the channel, fails clearly when the channel does.
    const ok = await vigilCli(['-c', config, 'alerts', 'test', 'hook']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^test alert test-[0-9a-f]+-00000001\.1\.hook sent to hook \(webhook\)/);
    const testRequest = (await hook.waitFor(3))[2]!;
    expect((JSON.parse(testRequest.body) as { alert: { kind: string } }).alert.kind).toBe('test');
    hook.behave({ status: 500, body: 'receiver broken' });
    const failed = await vigilCli(['-c', config, 'alerts', 'test', 'hook']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('vigil: alerts test hook (webhook) failed: webhook hook: HTTP 500 receiver broken');
    const unknown = await vigilCli(['-c', config, 'alerts', 'test', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('alerts test: no channel named nope (configured: hook)');

    const exited = new Promise((resolve) => second.child.once('exit', (code) => resolve(code)));
    second.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
