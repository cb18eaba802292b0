import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type VigilConfig } from '../core/config.js';
import type { SecurityEvent } from '../core/event.js';
import { EventWriter } from '../store/event-writer.js';
import { openStore, type Store } from '../store/store.js';
import type { ControlResult, ComplianceReport } from './evaluator.js';

export const DAY = 86_400_000;
export const NOW = Date.parse('2026-06-01T12:00:00Z');

/** A configuration that satisfies every control (each test breaks the one it is about). */
export const GOOD: Record<string, unknown> = {
  'auth.tokens': [
    { name: 'ops', token: 'ops-token-0123456789', scopes: ['admin'] },
    { name: 'shipper', token: 'ingest-token-0123456789', scopes: ['ingest'] },
  ],
  'auth.loopbackWithoutToken': [],
  'server.tls': { enabled: true, certFile: '/etc/vigil/tls.crt', keyFile: '/etc/vigil/tls.key' },
  alerts: { enabled: true, channels: [{ name: 'oncall', type: 'webhook' }] },
  'compliance.encryptionAtRest': { attested: true, statement: 'LUKS2 on /var/lib/vigil' },
  'compliance.incidentContact': 'security@example.org',
  'store.retentionDays': { loginAttempts: 365, securityEvents: 365, detections: 365, auditLogs: 0 },
};

/**
 * The configuration as loaded from vigil.yaml, with `server.tls` and `alerts`
 * added as other versions declare them (the schema here may not know them, so
 * they are set after validation, as the checks read them: by path).
 */
export function config(overrides: Record<string, unknown> = {}): VigilConfig {
  const merged = { ...GOOD, ...overrides };
  const undeclared: Record<string, unknown> = {};
  const declared: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(merged)) (k === 'alerts' || k.startsWith('server.tls') ? undeclared : declared)[k] = v;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-compliance-'));
  try {
    const { config: loaded } = loadConfig({ env: {}, cwd: dir, overrides: { dataDir: dir, ...declared } });
    for (const [k, v] of Object.entries(undeclared)) {
      if (v === undefined) continue;
      const path = k.split('.');
      let node = loaded as unknown as Record<string, unknown>;
      for (const p of path.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
      node[path[path.length - 1] as string] = v;
    }
    return loaded;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TestStore {
  store: Store;
  close(): Promise<void>;
}

/** A SQLite store in a temp dir whose clock is `now` (audit entries get that time). */
export async function testStore(clock: () => number = () => NOW): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-compliance-db-'));
  const cfg = config();
  const store = await openStore({ ...cfg.store, url: `sqlite:${join(dir, 'vigil.db')}` }, dir, { now: clock });
  return {
    store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A store as a well-run installation has it: recent events, a recent access review, a backup, operator changes. */
export async function populatedStore(): Promise<TestStore> {
  let clock = NOW - 10 * DAY;
  const t = await testStore(() => clock);
  const events: SecurityEvent[] = Array.from({ length: 20 }, (_, i) => ({
    id: `ev-${i}`,
    timestamp: NOW - i * 3_600_000,
    kind: i % 2 === 0 ? 'login.failure' : 'http.request',
    sourceIp: '192.0.2.10',
    username: 'alice',
    labels: {},
  }));
  const writer = new EventWriter(t.store, { spoolDir: join(t.store.dataDir, 'spool') });
  writer.append(events);
  await writer.close();
  await t.store.appendAudit({ actor: 'ops', action: 'decision.add', target: '198.51.100.7' });
  clock = NOW - 2 * DAY;
  await t.store.appendAudit({ actor: 'ops', action: 'access.review', target: 'auth.tokens', details: { tokens: 2 } });
  clock = NOW - DAY;
  await t.store.appendAudit({ actor: 'ops', action: 'store.backup', target: '/backup/vigil.db' });
  return t;
}

export function control(report: ComplianceReport, id: string): ControlResult {
  const found = report.controls.find((c) => c.id === id);
  if (found === undefined) throw new Error(`no control ${id} in ${report.standard}`);
  return found;
}
