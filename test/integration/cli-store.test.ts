import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComplianceReport } from '../../src/compliance/index.js';
import { loadConfig } from '../../src/core/config.js';
import type { SecurityEvent } from '../../src/core/event.js';
import { EventWriter, openStore } from '../../src/store/index.js';

const bin = new URL('../../bin/vigil.js', import.meta.url).pathname;
let dir: string;
let configFile: string;
let dbFile: string;
const T0 = Date.now() - 3_600_000;
/** Each test runs the built CLI several times; a start takes seconds on a loaded machine. */
const SLOW = 480_000;

/** Runs the built CLI without blocking the test worker (spawnSync would stall vitest's RPC for minutes on a loaded machine). */
function vigil(args: string[], config: string = configFile): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env, USER: 'tester' };
  for (const name of Object.keys(env)) if (name.startsWith('VIGIL_')) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '--config', config, ...args], { env, cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function event(i: number): SecurityEvent {
  return {
    id: `cli-${i}`,
    timestamp: T0 + i * 1000,
    kind: i % 3 === 0 ? 'waf.violation' : 'login.failure',
    violationType: i % 3 === 0 ? 'SQL_INJECTION' : undefined,
    sourceIp: `192.0.2.${i % 4}`,
    username: i % 3 === 0 ? undefined : `=cmd|' /C calc'!A${i}`,
    labels: i % 3 === 0 ? { severity: 'high' } : {},
  };
}

/** Writes events and audit entries through the store, as the service would, then closes it. */
async function populate(events: SecurityEvent[], audit: number): Promise<void> {
  const { config } = loadConfig({ path: configFile, env: {}, cwd: dir });
  const store = await openStore(config.store, dir);
  const writer = new EventWriter(store);
  writer.append(events);
  await writer.close();
  for (let i = 0; i < audit; i++) await store.appendAudit({ actor: 'ops', action: 'decision.add', target: `198.51.100.${i}` });
  await store.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-cli-store-'));
  dbFile = join(dir, 'vigil.db');
  configFile = join(dir, 'vigil.yaml');
  writeFileSync(configFile, `dataDir: ${dir}\nstore:\n  url: sqlite:${dbFile}\n`);
  await populate(Array.from({ length: 12 }, (_, i) => event(i)), 5);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('vigil events query', () => {
  it('filters by IP and time and prints NDJSON, CSV (formula-escaped) or a table', async () => {
    const nd = await vigil(['events', 'query', '--ip', '192.0.2.1', '--since', '2h', '--format', 'ndjson']);
    expect(nd.code).toBe(0);
    const events = nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as SecurityEvent);
    expect(events.map((e) => e.id)).toEqual(['cli-9', 'cli-5', 'cli-1']);
    const csv = await vigil(['events', 'query', '--type', 'login.failure', '--limit', '3', '--format', 'csv']);
    const lines = csv.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('id,timestamp,kind,source_ip,username,user_agent,reason,method,path,status,country');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`,'=cmd|' /C calc'!A11,`);
    const table = await vigil(['events', 'query', '--level', 'high']);
    expect(table.code).toBe(0);
    expect(table.stdout.match(/SQL_INJECTION/g)).toHaveLength(4);
    expect(table.stderr).toBe('4 event(s)\n');
    expect((await vigil(['events', 'query', '--since', 'yesterday'])).code).toBe(2);
  }, SLOW);
});

describe('vigil audit verify', () => {
  it('exits 0 on an intact chain, 5 naming the row on a modified and on a deleted row', async () => {
    const ok = await vigil(['audit', 'verify']);
    expect(ok).toMatchObject({ code: 0, stdout: 'audit log OK: 5 entries verified\n' });
    const db = new Database(dbFile);
    try {
      const third = db.prepare('SELECT target FROM audit_logs WHERE id = 3').get() as { target: string };
      db.prepare("UPDATE audit_logs SET target = '203.0.113.1' WHERE id = 3").run();
      const modified = await vigil(['audit', 'verify']);
      expect(modified.code).toBe(5);
      expect(modified.stderr).toBe('audit log BROKEN: row 3 is modified; 2 entries before it verify\n');
      expect(JSON.parse((await vigil(['audit', 'verify', '--json'])).stdout)).toEqual({ ok: false, checked: 2, firstBadId: 3, reason: 'modified' });
      db.prepare('UPDATE audit_logs SET target = ? WHERE id = 3').run(third.target);
      expect((await vigil(['audit', 'verify'])).code).toBe(0);

      const fourth = db.prepare('SELECT * FROM audit_logs WHERE id = 4').get() as Record<string, unknown>;
      db.prepare('DELETE FROM audit_logs WHERE id = 4').run();
      const deleted = await vigil(['audit', 'verify']);
      expect(deleted.code).toBe(5);
      expect(deleted.stderr).toBe('audit log BROKEN: row 4 is missing (deleted); 3 entries before it verify\n');
      db.prepare('INSERT INTO audit_logs (id, ts, actor, action, target, details, prev_hash, hash) VALUES (@id, @ts, @actor, @action, @target, @details, @prev_hash, @hash)').run(fourth);
      expect((await vigil(['audit', 'verify'])).code).toBe(0);
    } finally {
      db.close();
    }
  }, SLOW);

  it('audit record appends an access review that the chain covers', async () => {
    const recorded = await vigil(['audit', 'record', '--action', 'access.review', '--target', 'auth.tokens', '--details', '{"tokens":2}']);
    expect(recorded.code).toBe(0);
    expect(JSON.parse(recorded.stdout)).toMatchObject({ id: 6, actor: 'cli:tester', action: 'access.review', details: { tokens: 2 } });
    expect((await vigil(['audit', 'record', '--action', 'x', '--details', '[1]'])).code).toBe(2);
    expect((await vigil(['audit', 'verify'])).stdout).toBe('audit log OK: 6 entries verified\n');
  }, SLOW);
});

describe('vigil backup / restore', () => {
  it('backs up online, refuses to restore over an open database, restores a checked backup', async () => {
    const backup = join(dir, 'backup.db');
    const made = await vigil(['backup', backup]);
    expect(made.code).toBe(0);
    expect(existsSync(backup)).toBe(true);
    expect(existsSync(`${backup}-wal`)).toBe(false);
    expect((await vigil(['backup', backup])).code).toBe(2); // exists
    // The backup is recorded in the live database's audit log.
    expect((await vigil(['audit', 'verify'])).stdout).toBe('audit log OK: 7 entries verified\n');

    await populate([event(100), event(101)], 0); // written after the backup
    expect((await vigil(['events', 'query', '--format', 'ndjson', '--limit', '1000'])).stdout.trim().split('\n')).toHaveLength(14);

    const holder = new Database(dbFile); // a "running Vigil"
    try {
      const refused = await vigil(['restore', backup]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`is open in process ${process.pid}`);
    } finally {
      holder.close();
    }
    const restored = await vigil(['restore', backup]);
    expect(restored.code).toBe(0);
    expect(restored.stderr).toContain('audit chain verified (6 entries)');
    expect((await vigil(['events', 'query', '--format', 'ndjson', '--limit', '1000'])).stdout.trim().split('\n')).toHaveLength(12);

    const notVigil = join(dir, 'other.db');
    const other = new Database(notVigil);
    other.exec('CREATE TABLE t (x)');
    other.close();
    expect(await vigil(['restore', notVigil])).toMatchObject({ code: 1, stderr: expect.stringContaining('is not a Vigil database') });
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello, this is not a database at all, not even close to one\n'.repeat(100));
    expect(await vigil(['restore', text])).toMatchObject({ code: 1, stderr: expect.stringContaining('is not a SQLite database') });
    expect((await vigil(['audit', 'verify'])).code).toBe(0);
  }, SLOW);

  it('points PostgreSQL and MariaDB stores to pg_dump / mariadb-dump', async () => {
    const pgConfig = join(dir, 'pg.yaml');
    writeFileSync(pgConfig, 'store:\n  url: postgres://vigil@127.0.0.1:1/vigil\n');
    const result = await vigil(['backup', join(dir, 'x.db')], pgConfig);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pg_dump -Fc');
    const myConfig = join(dir, 'my.yaml');
    writeFileSync(myConfig, 'store:\n  url: mysql://vigil@127.0.0.1:1/vigil\n');
    const restore = await vigil(['restore', join(dir, 'x.db')], myConfig);
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain('mariadb vigil < vigil.sql');
  }, SLOW);
});

describe('vigil compliance report', () => {
  it('evaluates the configured store: JSON, Markdown, HTML to a file; --strict exits 5 when NON_COMPLIANT', async () => {
    const json = await vigil(['compliance', 'report', '--standard', 'pci-dss', '--format', 'json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as ComplianceReport;
    const byId = new Map(report.controls.map((c) => [c.id, c]));
    expect(byId.get('10.3.4')).toMatchObject({ status: 'pass', evidence: ['hash chain verified: 6 entries, sha256(prev_hash ‖ row), no gap'] });
    expect(byId.get('7.2.4')?.status).toBe('pass'); // the access review recorded above
    expect(report.status).toBe('NON_COMPLIANT'); // defaults: no tokens, 90-day retention, no alerting
    expect((await vigil(['compliance', 'report', '--standard', 'pci-dss', '--strict'])).code).toBe(5);
    const md = await vigil(['compliance', 'report', '--standard', 'gdpr']);
    expect(md.stdout).toMatch(/^# GDPR compliance report/);
    const out = join(dir, 'hipaa.html');
    const html = await vigil(['compliance', 'report', '--standard', 'hipaa', '--format', 'html', '--output', out]);
    expect(html.code).toBe(0);
    expect(html.stderr).toMatch(/^HIPAA Security Rule: [\d.]+ % NON_COMPLIANT — written to /);
    expect((await vigil(['compliance', 'report', '--standard', 'iso27001'])).code).toBe(2);
  }, SLOW);
});
