import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/core/detection.js';

const bin = new URL('../../bin/vigil.js', import.meta.url).pathname;
const example = new URL('../../examples/login-events.ndjson', import.meta.url).pathname;

function vigil(args: string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}) {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  for (const name of Object.keys(env)) if (name.startsWith('VIGIL_') && !(options.env && name in options.env)) delete env[name];
  const result = spawnSync(process.execPath, [bin, ...args], { input: options.input, env, cwd: tmpdir(), encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('vigil command', () => {
  it('replays the example file: the brute force and the reported SQL injection as NDJSON, a summary on stderr, exit 0', () => {
    const run = vigil(['replay', example]);
    expect(run.code).toBe(0);
    const detections = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Detection);
    const byType = new Map(detections.map((d) => [d.type, d]));
    expect([...byType.keys()].sort()).toEqual(['brute_force', 'sql_injection', 'sqli', 'suspicious_user_agent']);
    // The reported payload is classified too: Vigil's own verdict on what the application saw.
    expect(byType.get('sqli')).toMatchObject({ sourceIp: '203.0.113.67', severity: 'CRITICAL' });
    expect(byType.get('brute_force')).toMatchObject({ sourceIp: '203.0.113.66', status: 'closed', severity: 'HIGH' });
    expect(byType.get('brute_force')?.evidence.eventCount).toBe(8);
    expect(byType.get('sql_injection')).toMatchObject({ severity: 'CRITICAL', sourceIp: '203.0.113.67' });
    expect(byType.get('suspicious_user_agent')).toMatchObject({ sourceIp: '203.0.113.66', severity: 'MEDIUM' });
    expect(run.stderr).toMatch(/replay \(native\): 15 lines, 15 events, 0 skipped, 0 errors .* 4 detections/);
  });

  it('reads gzip from stdin and prints a table on request', () => {
    const run = vigil(['replay', '-', '--output', 'table', '--quiet'], { input: gzipSync(readFileSync(example)) });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('brute_force');
    expect(run.stdout).toContain('203.0.113.66');
    expect(run.stderr).toBe('');
  });

  it('exits 4 when lines could not be parsed, naming them', () => {
    const run = vigil(['replay', '-', '--input', 'native'], { input: readFileSync(example, 'utf8') + '{"eventType":"LOGIN_FAILURE"}\n' });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('line 16: sourceIp: required');
    expect(run.stdout.trim().split('\n')).toHaveLength(4);
  });

  it('exits 2 for an unrecognisable input or an unknown format, 1 for a missing file', () => {
    expect(vigil(['replay', '-'], { input: 'hello\nworld\n' }).code).toBe(2);
    expect(vigil(['replay', example, '--input', 'bogus']).code).toBe(2);
    const missing = vigil(['replay', '/nonexistent/file.log']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read /nonexistent/file.log');
  });

  it('config check fails with exit 3 naming the bad path; print redacts secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
    const file = join(dir, 'vigil.yaml');
    writeFileSync(file, 'server:\n  port: high\n');
    const bad = vigil(['--config', file, 'config', 'check']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('server.port: expected an integer (>= 0, <= 65535), got "high"');

    writeFileSync(file, 'auth:\n  tokens:\n    - {name: ci, token: very-secret-token-123, scopes: [read]}\n');
    const ok = vigil(['--config', file, 'config', 'check']);
    expect(ok.code).toBe(0);
    const printed = vigil(['--config', file, 'config', 'print', '--format', 'json'], { env: { VIGIL_SERVER_PORT: '9999' } });
    expect(printed.code).toBe(0);
    const config = JSON.parse(printed.stdout) as { server: { port: number }; auth: { tokens: { token: string }[] } };
    expect(config.server.port).toBe(9999);
    expect(config.auth.tokens[0]?.token).toBe('***');
    expect(printed.stdout).not.toContain('very-secret-token');
  });

  it('prints its version and exits 2 on an unknown command', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const version = vigil(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
    expect(vigil(['frobnicate']).code).toBe(2);
  });
});
