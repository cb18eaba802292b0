import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { StoreKind } from './config.js';
import type { AuditLogsTable, StoreDatabase } from './database.js';
import { canonicalJson } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);
const ANCHOR_KEY = 'audit_anchor';

export interface AuditInput {
  /** Who: a user name, an API token name, `system`. */
  actor: string;
  /** What: `user.create`, `policy.update`, `decision.block`, … */
  action: string;
  /** On what: a user id, a policy name, an IP. */
  target?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  id: number;
  ts: number;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  /** Rows checked. */
  checked: number;
  /** The first id that is missing or whose content or link does not match. */
  firstBadId?: number;
  reason?: 'missing' | 'modified' | 'broken-link';
}

/** hash = sha256(prev_hash || canonical JSON of the row without its hashes). */
export function auditHash(prevHash: string, row: { id: number; ts: number; actor: string; action: string; target: string | null; details: unknown }): string {
  const body = canonicalJson({ action: row.action, actor: row.actor, details: row.details, id: row.id, target: row.target, ts: row.ts });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

export function toAuditEntry(row: AuditLogsTable): AuditEntry {
  return {
    id: Number(row.id),
    ts: Number(row.ts),
    actor: row.actor,
    action: row.action,
    target: row.target,
    details: parseDetails(row.details),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : { value };
  } catch {
    return { unparsable: text };
  }
}

interface Anchor {
  id: number;
  hash: string;
}

/**
 * The append-only, hash-chained audit log. Appends are serialised: in this
 * process by a promise chain, across processes by a table lock (PostgreSQL),
 * a locking read (MariaDB; a duplicate id is retried) or SQLite's single writer.
 */
export class AuditLog {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly kind: StoreKind,
    private readonly now: () => number,
  ) {}

  append(input: AuditInput): Promise<AuditEntry> {
    const run = this.tail.then(() => this.appendWithRetry(input));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async appendWithRetry(input: AuditInput): Promise<AuditEntry> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute((trx) => this.appendIn(trx, input));
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        // Another process appended first (duplicate id) or the databases' lock managers chose us as the loser: retry.
        const retry =
          code === 'ER_DUP_ENTRY' ||
          code === 'ER_LOCK_DEADLOCK' ||
          code === '23505' ||
          code === '40P01' ||
          code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
          (typeof code === 'string' && code.startsWith('SQLITE_BUSY'));
        if (!retry || attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
      }
    }
  }

  private async appendIn(trx: Transaction<StoreDatabase>, input: AuditInput): Promise<AuditEntry> {
    if (this.kind === 'postgres') await sql`LOCK TABLE audit_logs IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
    let last = trx.selectFrom('audit_logs').select(['id', 'hash']).orderBy('id', 'desc').limit(1);
    if (this.kind === 'mysql') last = last.forUpdate();
    const previous = await last.executeTakeFirst();
    let prev: Anchor | undefined = previous === undefined ? undefined : { id: Number(previous.id), hash: previous.hash };
    if (prev === undefined) prev = await readAnchor(trx); // everything pruned: continue from the anchor
    const details = JSON.parse(canonicalJson(input.details ?? {})) as Record<string, unknown>;
    const row = {
      id: (prev?.id ?? 0) + 1,
      ts: this.now(),
      actor: input.actor,
      action: input.action,
      target: input.target ?? null,
      details,
    };
    const prevHash = prev?.hash ?? GENESIS_HASH;
    const hash = auditHash(prevHash, row);
    await trx
      .insertInto('audit_logs')
      .values({ ...row, details: canonicalJson(details), prev_hash: prevHash, hash })
      .execute();
    return { ...row, prevHash, hash };
  }

  /** Walks the chain in id order; reports the first row that is missing, altered or mislinked. */
  async verify(): Promise<AuditVerification> {
    await this.tail;
    const anchor = await readAnchor(this.db);
    let expectedId = (anchor?.id ?? 0) + 1;
    let expectedPrev = anchor?.hash ?? GENESIS_HASH;
    let checked = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom('audit_logs')
        .selectAll()
        .where('id', '>=', expectedId)
        .orderBy('id')
        .limit(1000)
        .execute();
      if (rows.length === 0) return { ok: true, checked };
      for (const raw of rows) {
        const id = Number(raw.id);
        if (id !== expectedId) return { ok: false, checked, firstBadId: expectedId, reason: 'missing' };
        const entry = toAuditEntry(raw);
        if (entry.prevHash !== expectedPrev) return { ok: false, checked, firstBadId: id, reason: 'broken-link' };
        if (auditHash(entry.prevHash, entry) !== entry.hash) return { ok: false, checked, firstBadId: id, reason: 'modified' };
        checked++;
        expectedId = id + 1;
        expectedPrev = entry.hash;
      }
    }
  }

  /**
   * Deletes entries older than `cutoff`. The last pruned row's id and hash
   * are kept as the anchor first, so the remaining chain still verifies and
   * deleting its first rows is still detected.
   */
  async prune(cutoff: number, batchSize: number): Promise<number> {
    await this.tail;
    const newest = await this.db.selectFrom('audit_logs').select(['id', 'hash']).where('ts', '<', cutoff).orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (newest === undefined) return 0;
    const anchor: Anchor = { id: Number(newest.id), hash: newest.hash };
    await writeAnchor(this.db, this.kind, anchor);
    let deleted = 0;
    let from = Number(
      (await this.db.selectFrom('audit_logs').select((eb) => eb.fn.min('id').as('min')).executeTakeFirst())?.min ?? anchor.id + 1,
    );
    while (from <= anchor.id) {
      const to = Math.min(anchor.id, from + batchSize - 1);
      const result = await this.db.deleteFrom('audit_logs').where('id', '>=', from).where('id', '<=', to).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
      from = to + 1;
    }
    return deleted;
  }
}

async function readAnchor(db: Kysely<StoreDatabase>): Promise<Anchor | undefined> {
  const row = await db.selectFrom('store_meta').select('value').where('key', '=', ANCHOR_KEY).executeTakeFirst();
  if (row === undefined) return undefined;
  const value = JSON.parse(row.value) as Anchor;
  return { id: Number(value.id), hash: String(value.hash) };
}

async function writeAnchor(db: Kysely<StoreDatabase>, kind: StoreKind, anchor: Anchor): Promise<void> {
  const value = JSON.stringify(anchor);
  const insert = db.insertInto('store_meta').values({ key: ANCHOR_KEY, value });
  if (kind === 'mysql') await insert.onDuplicateKeyUpdate({ value }).execute();
  else await insert.onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
}
