import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Decision } from '../../src/core/detection.js';
import { startService, type RunningService } from '../helpers/service.js';

const run = promisify(execFile);
const bin = new URL('../../bin/vigil.js', import.meta.url).pathname;
const TOKEN = 'admin-token-0123456789';

let running: RunningService | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function vigil(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, VIGIL_TOKEN: TOKEN } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('vigil decisions / allowlist against a running service', () => {
  it('adds, lists, exports and deletes decisions; manages the allowlist', async () => {
    running = await startService({ 'auth.tokens': [{ name: 'ops', token: TOKEN, scopes: ['admin'] }] });
    const url = ['--url', running.url];

    const added = await vigil(['decisions', 'add', '192.0.2.77', '--duration', '600', '--reason', 'abuse report', ...url]);
    expect(added.code).toBe(0);
    const decision = (JSON.parse(added.stdout) as { decision: Decision }).decision;
    expect(decision).toMatchObject({ value: '192.0.2.77', scope: 'ip', origin: 'manual', reason: 'abuse report' });

    const listed = JSON.parse((await vigil(['decisions', 'list', '--ip', '192.0.2.77', ...url])).stdout) as { decisions: Decision[] };
    expect(listed.decisions.map((d) => d.id)).toEqual([decision.id]);

    const nft = await vigil(['decisions', 'export', '--format', 'nftables', ...url]);
    expect(nft.stdout).toContain('192.0.2.77');

    expect((await vigil(['decisions', 'delete', decision.id, ...url])).code).toBe(0);
    expect((JSON.parse((await vigil(['decisions', 'list', ...url])).stdout) as { decisions: Decision[] }).decisions).toHaveLength(0);

    expect((await vigil(['allowlist', 'add', '10.9.0.0/16', '--reason', 'office', ...url])).code).toBe(0);
    const refused = await vigil(['decisions', 'add', '10.9.1.1', ...url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('VIGIL_E_ALLOWLISTED');
    expect((await vigil(['allowlist', 'remove', '10.9.0.0/16', ...url])).code).toBe(0);
    expect((await vigil(['decisions', 'add', '10.9.1.1', ...url])).code).toBe(0);
  });

  it('explains an unreachable service and a missing token', async () => {
    const down = await vigil(['decisions', 'list', '--url', 'http://127.0.0.1:1']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach Vigil');
    running = await startService({ 'auth.loopbackWithoutToken': [], 'auth.tokens': [{ name: 'ops', token: TOKEN, scopes: ['admin'] }] });
    const noToken = await vigil(['decisions', 'list', '--url', running.url, '--token', 'wrong-token-0123456789']);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('HTTP 401');
  });
});
