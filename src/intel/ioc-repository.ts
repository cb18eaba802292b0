import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { StoreKind } from '../store/config.js';
import type { IocsTable, StoreDatabase } from '../store/database.js';
import { mergeIoc, sameIoc, type Ioc } from './ioc.js';
import { isIocType, type IocType } from './ioc-type.js';

/** Rows read or written per statement. */
const CHUNK = 500;

export interface UpsertResult {
  inserted: number;
  updated: number;
  /** Already stored with the same facts (nothing written). */
  unchanged: number;
  /** The stored state of every inserted or updated indicator (for the matcher). */
  changed: Ioc[];
}

/** Position in the change stream of the iocs table. */
export interface IocCursor {
  updatedAt: number;
  id: string;
}

export const IOC_CURSOR_START: IocCursor = { updatedAt: -1, id: '' };

export interface IocStatistics {
  total: number;
  byType: Record<string, number>;
  byThreatType: Record<string, number>;
  bySource: Record<string, number>;
  /** Indicators first seen within the recent window. */
  recent: { windowMs: number; count: number; latest: Ioc[] };
}

/** Row id: sha256 of `type:value` (values may be long URLs; the key length stays fixed on every database). */
export function iocId(type: IocType, value: string): string {
  return createHash('sha256').update(`${type}:${value}`).digest('hex');
}

export function iocRow(ioc: Ioc, updatedAt: number): IocsTable {
  return {
    id: iocId(ioc.type, ioc.value),
    type: ioc.type,
    value: ioc.value,
    threat_type: ioc.threatType,
    confidence: ioc.confidence,
    source: ioc.source,
    first_seen: ioc.firstSeen,
    last_seen: ioc.lastSeen,
    expires_at: ioc.expiresAt,
    tags: JSON.stringify(ioc.tags),
    updated_at: updatedAt,
  };
}

export function rowIoc(row: Pick<IocsTable, Exclude<keyof IocsTable, 'id' | 'updated_at'>>): Ioc {
  let tags: string[] = [];
  try {
    const parsed: unknown = JSON.parse(row.tags);
    if (Array.isArray(parsed)) tags = parsed.filter((t): t is string => typeof t === 'string');
  } catch {
    // A hand-edited row: no tags rather than no indicator.
  }
  const type = row.type;
  return {
    value: row.value,
    type: isIocType(type) ? type : 'domain',
    threatType: row.threat_type,
    confidence: Number(row.confidence),
    source: row.source,
    firstSeen: Number(row.first_seen),
    lastSeen: Number(row.last_seen),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    tags,
  };
}

const COLUMNS = ['type', 'value', 'threat_type', 'confidence', 'source', 'first_seen', 'last_seen', 'expires_at', 'tags'] as const;

/**
 * The `iocs` table. Upserts merge in code (mergeIoc) inside one
 * transaction per chunk — read the stored rows, merge, write what changed —
 * so the rule is the same on SQLite, PostgreSQL and MariaDB.
 */
export class IocRepository {
  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly kind: StoreKind,
    private readonly now: () => number = Date.now,
  ) {}

  async upsert(iocs: readonly Ioc[]): Promise<UpsertResult> {
    const result: UpsertResult = { inserted: 0, updated: 0, unchanged: 0, changed: [] };
    // The same indicator twice in one batch: merge them first.
    const byId = new Map<string, Ioc>();
    for (const ioc of iocs) {
      const id = iocId(ioc.type, ioc.value);
      const seen = byId.get(id);
      byId.set(id, seen === undefined ? ioc : mergeIoc(seen, ioc));
    }
    const entries = [...byId.entries()];
    for (let i = 0; i < entries.length; i += CHUNK) {
      const chunk = entries.slice(i, i + CHUNK);
      await this.db.transaction().execute(async (trx) => {
        const stored = await trx
          .selectFrom('iocs')
          .select(['id', ...COLUMNS])
          .where(
            'id',
            'in',
            chunk.map(([id]) => id),
          )
          .execute();
        const storedById = new Map(stored.map((row) => [row.id, rowIoc(row)]));
        const rows: IocsTable[] = [];
        const now = this.now();
        for (const [id, incoming] of chunk) {
          const old = storedById.get(id);
          const merged = old === undefined ? incoming : mergeIoc(old, incoming);
          if (old !== undefined && sameIoc(old, merged)) {
            result.unchanged++;
            continue;
          }
          if (old === undefined) result.inserted++;
          else result.updated++;
          result.changed.push(merged);
          rows.push(iocRow(merged, now));
        }
        if (rows.length > 0) await this.write(trx, rows);
      });
    }
    return result;
  }

  private async write(trx: Transaction<StoreDatabase>, rows: IocsTable[]): Promise<void> {
    const insert = trx.insertInto('iocs').values(rows);
    const columns = [...COLUMNS.filter((c) => c !== 'type' && c !== 'value'), 'updated_at'] as const;
    if (this.kind === 'mysql') {
      const set: Record<string, unknown> = {};
      for (const c of columns) set[c] = sql`VALUES(${sql.ref(c)})`;
      await insert.onDuplicateKeyUpdate(set as never).execute();
      return;
    }
    await insert
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => {
          const set: Record<string, unknown> = {};
          for (const c of columns) set[c] = eb.ref(`excluded.${c}`);
          return set as never;
        }),
      )
      .execute();
  }

  async get(type: IocType, value: string): Promise<Ioc | undefined> {
    const row = await this.db.selectFrom('iocs').select(COLUMNS).where('id', '=', iocId(type, value)).executeTakeFirst();
    return row === undefined ? undefined : rowIoc(row);
  }

  async remove(type: IocType, value: string): Promise<boolean> {
    const result = await this.db.deleteFrom('iocs').where('id', '=', iocId(type, value)).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Every stored indicator, in pages (keyset on id), e.g. to fill the matcher at start. */
  async *all(pageSize = 5000): AsyncGenerator<Ioc[]> {
    let after = '';
    for (;;) {
      const rows = await this.db.selectFrom('iocs').select(['id', ...COLUMNS]).where('id', '>', after).orderBy('id').limit(pageSize).execute();
      if (rows.length === 0) return;
      yield rows.map(rowIoc);
      after = (rows[rows.length - 1] as { id: string }).id;
      if (rows.length < pageSize) return;
    }
  }

  /**
   * Indicators written after the cursor (updated_at, then id), oldest first:
   * incremental matcher updates, also of rows written by another process
   * (`vigil ioc import`, a second instance). Pass the returned cursor next time.
   */
  async changedSince(cursor: IocCursor, limit = 10_000): Promise<{ iocs: Ioc[]; cursor: IocCursor }> {
    const rows = await this.db
      .selectFrom('iocs')
      .select(['id', 'updated_at', ...COLUMNS])
      .where((eb) =>
        eb.or([eb('updated_at', '>', cursor.updatedAt), eb.and([eb('updated_at', '=', cursor.updatedAt), eb('id', '>', cursor.id)])]),
      )
      .orderBy('updated_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    const last = rows[rows.length - 1];
    return { iocs: rows.map(rowIoc), cursor: last === undefined ? cursor : { updatedAt: Number(last.updated_at), id: last.id } };
  }

  /** Delete every indicator whose expiry is at or before `now`; returns the deleted ones. */
  async expire(now: number = this.now()): Promise<Ioc[]> {
    const expired: Ioc[] = [];
    for (;;) {
      const rows = await this.db
        .selectFrom('iocs')
        .select(['id', ...COLUMNS])
        .where('expires_at', 'is not', null)
        .where('expires_at', '<=', now)
        .limit(CHUNK)
        .execute();
      if (rows.length === 0) return expired;
      await this.db
        .deleteFrom('iocs')
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      for (const row of rows) expired.push(rowIoc(row));
      if (rows.length < CHUNK) return expired;
    }
  }

  async count(): Promise<number> {
    const row = await this.db.selectFrom('iocs').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async statistics(now: number = this.now(), recentWindowMs = 86_400_000, latest = 10): Promise<IocStatistics> {
    const group = async (column: 'type' | 'threat_type' | 'source', limit: number): Promise<Record<string, number>> => {
      const rows = await this.db
        .selectFrom('iocs')
        .select([column, (eb) => eb.fn.countAll().as('n')])
        .groupBy(column)
        .orderBy('n', 'desc')
        .orderBy(column)
        .limit(limit)
        .execute();
      const out: Record<string, number> = {};
      for (const row of rows) out[String((row as Record<string, unknown>)[column])] = Number(row.n);
      return out;
    };
    const since = now - recentWindowMs;
    const recentCount = await this.db
      .selectFrom('iocs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('first_seen', '>=', since)
      .executeTakeFirstOrThrow();
    const latestRows = await this.db
      .selectFrom('iocs')
      .select(COLUMNS)
      .where('first_seen', '>=', since)
      .orderBy('first_seen', 'desc')
      .orderBy('id')
      .limit(latest)
      .execute();
    return {
      total: await this.count(),
      byType: await group('type', 100),
      byThreatType: await group('threat_type', 50),
      bySource: await group('source', 50),
      recent: { windowMs: recentWindowMs, count: Number(recentCount.n), latest: latestRows.map(rowIoc) },
    };
  }

  /** Small JSON state kept per key in store_meta (feed HTTP validators). */
  async readMeta(key: string): Promise<unknown> {
    const row = await this.db.selectFrom('store_meta').select('value').where('key', '=', key).executeTakeFirst();
    if (row === undefined) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return undefined;
    }
  }

  async writeMeta(key: string, value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    const insert = this.db.insertInto('store_meta').values({ key, value: text });
    if (this.kind === 'mysql') await insert.onDuplicateKeyUpdate({ value: text }).execute();
    else await insert.onConflict((oc) => oc.column('key').doUpdateSet({ value: text })).execute();
  }
}
