import { sql, type Kysely } from 'kysely';
import type { StoreDatabase } from './database.js';

/** The tables range-partitioned by month on `ts` (PostgreSQL only). */
export const PARTITIONED_TABLES = ['login_attempts', 'security_events'] as const;
export type PartitionedTable = (typeof PARTITIONED_TABLES)[number];

export interface Partition {
  table: PartitionedTable;
  name: string;
  /** Inclusive lower bound, epoch ms (UTC month start). */
  from: number;
  /** Exclusive upper bound. */
  to: number;
}

export function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function addMonths(monthStartMs: number, months: number): number {
  const d = new Date(monthStartMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1);
}

export function partitionFor(table: PartitionedTable, ms: number): Partition {
  const from = monthStart(ms);
  const d = new Date(from);
  const name = `${table}_p${String(d.getUTCFullYear()).padStart(4, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  return { table, name, from, to: addMonths(from, 1) };
}

const NAME = /_p(\d{4})(\d{2})$/;

/**
 * Creates missing month partitions. A process-wide cache skips months already
 * seen; `forget` clears it after a drop (or when PostgreSQL says a row has no partition).
 */
export class PartitionManager {
  private readonly known = new Set<string>();

  constructor(private readonly db: Kysely<StoreDatabase>) {}

  async ensure(table: PartitionedTable, timestamps: Iterable<number>): Promise<void> {
    const wanted = new Map<string, Partition>();
    for (const ts of timestamps) {
      const p = partitionFor(table, ts);
      if (!this.known.has(p.name)) wanted.set(p.name, p);
    }
    for (const p of wanted.values()) {
      await sql`CREATE TABLE IF NOT EXISTS ${sql.id(p.name)} PARTITION OF ${sql.id(table)}
                FOR VALUES FROM (${sql.lit(p.from)}) TO (${sql.lit(p.to)})`.execute(this.db);
      this.known.add(p.name);
    }
  }

  /** The current month and `ahead` months after it, for every partitioned table. */
  async ensureAhead(now: number, ahead = 2): Promise<void> {
    const months: number[] = [];
    for (let i = 0; i <= ahead; i++) months.push(addMonths(monthStart(now), i));
    for (const table of PARTITIONED_TABLES) await this.ensure(table, months);
  }

  async list(table: PartitionedTable): Promise<Partition[]> {
    const { rows } = await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = ${table} AND p.relnamespace = to_regnamespace(current_schema())::oid
      ORDER BY c.relname`.execute(this.db);
    const out: Partition[] = [];
    for (const { name } of rows) {
      const m = NAME.exec(name);
      if (m === null) continue; // not ours: never dropped
      const from = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
      out.push({ table, name, from, to: addMonths(from, 1) });
    }
    return out;
  }

  /** Drops the partitions whose whole range is older than `cutoff`; returns their names. */
  async dropOlderThan(table: PartitionedTable, cutoff: number): Promise<string[]> {
    const dropped: string[] = [];
    for (const p of await this.list(table)) {
      if (p.to > cutoff) continue;
      await sql`DROP TABLE IF EXISTS ${sql.id(p.name)}`.execute(this.db);
      this.known.delete(p.name);
      dropped.push(p.name);
    }
    return dropped;
  }

  forget(): void {
    this.known.clear();
  }
}
