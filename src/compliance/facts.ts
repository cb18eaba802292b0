import type { VigilConfig } from '../core/config.js';
import type { AuditVerification } from '../store/audit-log.js';
import { describeTarget, type Store } from '../store/store.js';
import { SQLITE_MEMORY } from '../store/config.js';

const DAY_MS = 86_400_000;

export interface EventFacts {
  /** Rows in login_attempts + security_events. */
  total: number;
  /** Of those, with an event time in the last 7 days. */
  lastWeek: number;
  oldest: number | undefined;
  newest: number | undefined;
}

export interface AuditFacts {
  total: number;
  /** Entries of the last 90 days (operator changes through the API, reviews, backups). */
  last90Days: number;
  lastEntry: number | undefined;
  /** Newest `access.review` entry. */
  lastAccessReview: number | undefined;
  /** Newest `store.backup` entry. */
  lastBackup: number | undefined;
}

export type StoreFacts =
  | {
      available: true;
      kind: Store['kind'];
      /** The database without credentials. */
      target: string;
      /** False for sqlite::memory: (gone at exit). */
      persistent: boolean;
      /** The database connection is encrypted (PostgreSQL sslmode, MySQL ssl) or local (SQLite, loopback). */
      connection: 'local' | 'tls' | 'plain';
      chain: AuditVerification | { error: string };
      audit: AuditFacts;
      events: EventFacts;
    }
  | { available: false; reason: string };

/** Everything the controls look at, gathered once: the loaded configuration and what the store holds. */
export interface ComplianceFacts {
  now: number;
  config: VigilConfig;
  store: StoreFacts;
}

/**
 * A value at a dotted path of the configuration, or undefined. For sections
 * the checks read but this version's schema may not declare (`alerts`,
 * `server.tls`): they are read without assuming their shape.
 */
export function configValue(config: unknown, path: string): unknown {
  let node: unknown = config;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function connectionOf(store: Store): 'local' | 'tls' | 'plain' {
  const target = store.target;
  if (target.kind === 'sqlite') return 'local';
  try {
    const url = new URL(target.url);
    const mode = (url.searchParams.get('sslmode') ?? '').toLowerCase();
    const ssl = (url.searchParams.get('ssl') ?? '').toLowerCase();
    if (['require', 'verify-ca', 'verify-full'].includes(mode) || ssl === 'true' || ssl.startsWith('{')) return 'tls';
    if (['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.') || url.hostname.startsWith('/')) return 'local';
    return 'plain';
  } catch {
    return 'plain';
  }
}

async function eventFacts(store: Store, now: number): Promise<EventFacts> {
  const out: EventFacts = { total: 0, lastWeek: 0, oldest: undefined, newest: undefined };
  for (const table of ['login_attempts', 'security_events'] as const) {
    const row = await store.db
      .selectFrom(table)
      .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.min<number | string | null>('ts').as('oldest'), eb.fn.max<number | string | null>('ts').as('newest')])
      .executeTakeFirst();
    const recent = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('ts', '>=', now - 7 * DAY_MS)
      .executeTakeFirst();
    out.total += Number(row?.n ?? 0);
    out.lastWeek += Number(recent?.n ?? 0);
    if (row?.oldest != null) out.oldest = Math.min(out.oldest ?? Infinity, Number(row.oldest));
    if (row?.newest != null) out.newest = Math.max(out.newest ?? -Infinity, Number(row.newest));
  }
  return out;
}

async function newestOf(store: Store, action: string): Promise<number | undefined> {
  const row = await store.db.selectFrom('audit_logs').select((eb) => eb.fn.max<number | string | null>('ts').as('ts')).where('action', '=', action).executeTakeFirst();
  return row?.ts == null ? undefined : Number(row.ts);
}

async function auditFacts(store: Store, now: number): Promise<AuditFacts> {
  const all = await store.db
    .selectFrom('audit_logs')
    .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.max<number | string | null>('ts').as('last')])
    .executeTakeFirst();
  const recent = await store.db
    .selectFrom('audit_logs')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('ts', '>=', now - 90 * DAY_MS)
    .executeTakeFirst();
  return {
    total: Number(all?.n ?? 0),
    last90Days: Number(recent?.n ?? 0),
    lastEntry: all?.last == null ? undefined : Number(all.last),
    lastAccessReview: await newestOf(store, 'access.review'),
    lastBackup: await newestOf(store, 'store.backup'),
  };
}

/**
 * Reads the store for the report: audit chain verification (a full walk),
 * counts and time ranges. `store` undefined: the store is disabled or could
 * not be opened (`reason` says which).
 */
export async function collectFacts(config: VigilConfig, store: Store | undefined, now: number, reason?: string): Promise<ComplianceFacts> {
  if (store === undefined) {
    return { now, config, store: { available: false, reason: reason ?? (config.store.enabled ? 'the store is not open' : 'store.enabled is false') } };
  }
  let chain: AuditVerification | { error: string };
  try {
    chain = await store.verifyAuditChain();
  } catch (err) {
    chain = { error: (err as Error).message };
  }
  return {
    now,
    config,
    store: {
      available: true,
      kind: store.kind,
      target: describeTarget(store.target),
      persistent: !(store.target.kind === 'sqlite' && store.target.file === SQLITE_MEMORY),
      connection: connectionOf(store),
      chain,
      audit: await auditFacts(store, now),
      events: await eventFacts(store, now),
    },
  };
}
