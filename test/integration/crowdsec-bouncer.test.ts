import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/core/detection.js';
import { loginFailure, postJson, startService, type RunningService } from '../helpers/service.js';

/** The Debian package's binary (`dpkg -L crowdsec-custom-bouncer`), or undefined when not installed. */
function findBouncer(): string | undefined {
  const listed = spawnSync('dpkg', ['-L', 'crowdsec-custom-bouncer'], { encoding: 'utf8' });
  const fromDpkg = listed.status === 0 ? listed.stdout.split('\n').find((line) => /\/bin\/crowdsec-custom-bouncer$/.test(line)) : undefined;
  if (fromDpkg !== undefined && existsSync(fromDpkg)) return fromDpkg;
  return existsSync('/usr/bin/crowdsec-custom-bouncer') ? '/usr/bin/crowdsec-custom-bouncer' : undefined;
}

const BOUNCER = findBouncer();
const MISSING = 'crowdsec-custom-bouncer is not installed: apt-get install -y --no-install-recommends crowdsec-custom-bouncer';
if (BOUNCER === undefined && process.env.CI === 'true') {
  // In CI the binary is part of the test environment: missing means broken, not skipped.
  throw new Error(MISSING);
}

const BOUNCER_KEY = 'custom-bouncer-key-0123456789';
const ADMIN = { authorization: 'Bearer admin-token-0123456789' };

let vigil: RunningService | undefined;
let bouncer: ChildProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (bouncer !== undefined && bouncer.exitCode === null && bouncer.signalCode === null) {
    const exited = new Promise((resolve) => bouncer?.once('exit', resolve));
    bouncer.kill('SIGTERM');
    await exited;
  }
  bouncer = undefined;
  await vigil?.stop();
  vigil = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function eventually(check: () => boolean | Promise<boolean>, what: string, diagnostics: () => string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(BOUNCER === undefined)(`the Debian crowdsec-custom-bouncer against Vigil's LAPI${BOUNCER === undefined ? ` (skipped: ${MISSING})` : ''}`, () => {
  it('runs the hook with add <ip> for a decision Vigil made, and del <ip> once it is deleted', async () => {
    vigil = await startService({
      'pipeline.maxLatenessSeconds': 1e12,
      'auth.tokens': [{ name: 'ops', token: 'admin-token-0123456789', scopes: ['admin'] }],
      'enforcement.points': [{ name: 'custom', kind: 'bouncer', apiKey: BOUNCER_KEY }],
    });
    dir = mkdtempSync(join(tmpdir(), 'vigil-bouncer-'));
    const calls = join(dir, 'calls.txt');
    const hook = join(dir, 'hook.sh');
    writeFileSync(hook, '#!/bin/sh\necho "$*" >> "$(dirname "$0")/calls.txt"\n');
    chmodSync(hook, 0o755);
    const config = join(dir, 'bouncer.yaml');
    // Everything the Debian default would put under /var (pid, logs, daemon, metrics port) is overridden.
    writeFileSync(
      config,
      `{bin_path: ${JSON.stringify(hook)}, feed_via_stdin: false, total_retries: 0,
 scenarios_containing: [], scenarios_not_containing: [], origins: [],
 piddir: ${JSON.stringify(dir)}, update_frequency: 1s, cache_retention_duration: 10s,
 daemonize: false, log_mode: stdout, log_dir: ${JSON.stringify(dir)}, log_level: debug,
 api_url: "${vigil.url}/", api_key: ${BOUNCER_KEY},
 prometheus: {enabled: false, listen_addr: 127.0.0.1, listen_port: 60602}}
`,
    );
    let log = '';
    bouncer = spawn(BOUNCER as string, ['-c', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    bouncer.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    bouncer.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    const read = () => (existsSync(calls) ? readFileSync(calls, 'utf8') : '');
    const diagnostics = () => `hook calls:\n${read()}\nbouncer log (last 3000 chars):\n${log.slice(-3000)}`;

    // The bouncer has pulled (startup=true) with its key: Vigil records the point's pull.
    const lastPull = async () => {
      const response = await fetch(`${vigil?.url}/api/v1/status`, { headers: ADMIN });
      const body = (await response.json()) as { enforcement: { points: { name: string; lastPullAt?: number }[] } };
      return body.enforcement.points.find((p) => p.name === 'custom')?.lastPullAt;
    };
    await eventually(async () => (await lastPull()) !== undefined, 'the bouncer to pull decisions', diagnostics);
    expect(bouncer.exitCode).toBeNull();

    // Vigil decides: six failed logins from one address.
    const ip = '203.0.113.77';
    const now = Date.now();
    const events = Array.from({ length: 6 }, (_, i) => loginFailure(ip, `user${i}`, now - 10_000 + i * 1000));
    expect((await postJson(`${vigil.url}/api/v1/events`, events)).status).toBe(202);
    await vigil.service.pipeline.idle();

    await eventually(() => read().split('\n').some((line) => line.startsWith(`add ${ip} `)), `the hook to get "add ${ip}"`, diagnostics);
    const added = read().split('\n').find((line) => line.startsWith(`add ${ip} `)) as string;
    // add <value> <seconds> <scenario> <json>: the time left (about 1800 s) and the decision as JSON.
    const [, , seconds] = added.split(' ');
    expect(Number(seconds)).toBeGreaterThan(1700);
    expect(Number(seconds)).toBeLessThanOrEqual(1800);
    const json = JSON.parse(added.slice(added.indexOf('{'))) as Record<string, unknown>;
    expect(json).toMatchObject({ value: ip, scope: 'Ip', type: 'ban' });

    const lookup = await fetch(`${vigil.url}/api/v1/decisions?ip=${ip}`, { headers: ADMIN });
    const decision = ((await lookup.json()) as { decisions: Decision[] }).decisions[0] as Decision;
    const deleted = await fetch(`${vigil.url}/api/v1/decisions/${decision.id}`, { method: 'DELETE', headers: ADMIN });
    expect(deleted.status).toBe(200);
    await deleted.text();

    await eventually(() => read().split('\n').some((line) => line.startsWith(`del ${ip} `)), `the hook to get "del ${ip}"`, diagnostics);
    expect(read().split('\n').filter((line) => line.includes(ip))).toHaveLength(2);
    expect(bouncer.exitCode).toBeNull();
  });
});
