import { sql, type Kysely } from 'kysely';
import type { ThreatLevel } from '../core/threat-level.js';
import type { StoreKind } from '../store/config.js';
import { decodeCursor, encodeCursor } from '../store/cursor.js';
import type { AlertOutboxTable, StoreDatabase } from '../store/database.js';
import type { Alert } from './alert.js';
import { subjectText } from './alert.js';

/**
 * pending: waiting for (another) attempt; delivered; dead: given up after
 * maxAttempts or a permanent refusal; suppressed: not sent (rate limit);
 * recorded: kept for the digest and the API, never sent on its own.
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'dead' | 'suppressed' | 'recorded';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'dead', 'suppressed', 'recorded'];

/** One delivery of one alert revision to one channel. */
export interface Delivery {
  /** The idempotency key: `<alert id>.<revision>.<channel>`. */
  id: string;
  channel: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
  lastError: string | null;
  alert: Alert;
}

export function deliveryKey(alert: Pick<Alert, 'id' | 'revision'>, channel: string): string {
  return `${alert.id}.${alert.revision}.${channel}`;
}

export function newDelivery(alert: Alert, channel: string, now: number, status: DeliveryStatus = 'pending', lastError: string | null = null): Delivery {
  return { id: deliveryKey(alert, channel), channel, status, attempts: 0, nextAttemptAt: now, createdAt: now, updatedAt: now, deliveredAt: null, lastError, alert };
}

export interface AlertQuery {
  level?: ThreatLevel;
  type?: string;
  channel?: string;
  status?: DeliveryStatus;
  /** Inclusive, epoch ms (created_at). */
  since?: number;
  /** Exclusive, epoch ms. */
  until?: number;
  cursor?: string;
  /** 1..1000, default 100. */
  limit?: number;
}

const MAX_ERROR = 1000;

function toRow(d: Delivery): AlertOutboxTable {
  return {
    id: d.id,
    alert_id: d.alert.id,
    revision: d.alert.revision,
    channel: d.channel,
    kind: d.alert.kind,
    level: d.alert.level,
    type: d.alert.type.slice(0, 64),
    subject: d.alert.subject === undefined ? null : subjectText(d.alert.subject).slice(0, 255),
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.nextAttemptAt,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    delivered_at: d.deliveredAt,
    last_error: d.lastError?.slice(0, MAX_ERROR) ?? null,
    payload: JSON.stringify(d.alert),
  };
}

function fromRow(r: AlertOutboxTable): Delivery {
  return {
    id: r.id,
    channel: r.channel,
    status: r.status as DeliveryStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
    lastError: r.last_error,
    alert: JSON.parse(r.payload) as Alert,
  };
}

/**
 * The durable alert outbox: a table in the store's database (SQLite,
 * PostgreSQL, MariaDB). Every delivery is written here before it is tried,
 * and stays `pending` until a channel accepted it, so a crash during
 * delivery means it is tried again after the restart (at least once; the
 * receiver can de-duplicate on the idempotency key).
 */
export class AlertOutbox {
  constructor(
    readonly db: Kysely<StoreDatabase>,
    readonly kind: StoreKind,
  ) {}

  /** Adds deliveries; one whose key is already stored is left as it is (idempotent). */
  async insert(deliveries: readonly Delivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    for (let i = 0; i < deliveries.length; i += 500) {
      const rows = deliveries.slice(i, i + 500).map(toRow);
      const insert = this.db.insertInto('alert_outbox').values(rows);
      if (this.kind === 'mysql') await insert.ignore().execute();
      else await insert.onConflict((oc) => oc.column('id').doNothing()).execute();
    }
  }

  /** Pending deliveries due at `now`, earliest first. */
  /**
   * Incident alerts (every revision, oldest first) written since `since`, at
   * most `limit`: what quiet grouping must remember across a restart.
   */
  async recentIncidentAlerts(since: number, limit = 50_000): Promise<Alert[]> {
    const rows = await this.db
      .selectFrom('alert_outbox')
      .select(['payload'])
      .where('created_at', '>=', since)
      .where('kind', '=', 'incident')
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => JSON.parse(r.payload) as Alert);
  }

  async due(now: number, limit: number, channels?: readonly string[]): Promise<Delivery[]> {
    if (channels !== undefined && channels.length === 0) return [];
    let q = this.db.selectFrom('alert_outbox').selectAll().where('status', '=', 'pending').where('next_attempt_at', '<=', now);
    if (channels !== undefined) q = q.where('channel', 'in', [...channels]);
    const rows = await q.orderBy('next_attempt_at').orderBy('id').limit(limit).execute();
    return rows.map(fromRow);
  }

  async get(id: string): Promise<Delivery | undefined> {
    const row = await this.db.selectFrom('alert_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : fromRow(row);
  }

  async markDelivered(id: string, attempts: number, now: number): Promise<void> {
    await this.db
      .updateTable('alert_outbox')
      .set({ status: 'delivered', attempts, delivered_at: now, updated_at: now, last_error: null })
      .where('id', '=', id)
      .execute();
  }

  async markRetry(id: string, attempts: number, nextAttemptAt: number, error: string, now: number): Promise<void> {
    await this.db
      .updateTable('alert_outbox')
      .set({ attempts, next_attempt_at: nextAttemptAt, updated_at: now, last_error: error.slice(0, MAX_ERROR) })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  async markDead(id: string, attempts: number, error: string, now: number): Promise<void> {
    await this.db
      .updateTable('alert_outbox')
      .set({ status: 'dead', attempts, updated_at: now, last_error: error.slice(0, MAX_ERROR) })
      .where('id', '=', id)
      .execute();
  }

  /** Rows by status. */
  async depth(): Promise<Record<DeliveryStatus, number>> {
    const rows = await this.db
      .selectFrom('alert_outbox')
      .select(['status', (eb) => eb.fn.countAll().as('n')])
      .groupBy('status')
      .execute();
    const out = Object.fromEntries(DELIVERY_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
    for (const row of rows) if ((DELIVERY_STATUSES as readonly string[]).includes(row.status)) out[row.status as DeliveryStatus] = Number(row.n);
    return out;
  }

  /** Deliveries newest first (by creation), filtered, with keyset cursor pages. */
  async query(query: AlertQuery = {}): Promise<{ items: Delivery[]; nextCursor: string | undefined }> {
    const limit = Math.max(1, Math.min(1000, Math.trunc(query.limit ?? 100)));
    let q = this.db.selectFrom('alert_outbox').selectAll();
    if (query.level !== undefined) q = q.where('level', '=', query.level);
    if (query.type !== undefined) q = q.where('type', '=', query.type);
    if (query.channel !== undefined) q = q.where('channel', '=', query.channel);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.since !== undefined) q = q.where('created_at', '>=', query.since);
    if (query.until !== undefined) q = q.where('created_at', '<', query.until);
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor);
      q = q.where(sql<boolean>`(created_at < ${after.ts} OR (created_at = ${after.ts} AND id < ${String(after.id)}))`);
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const items = rows.slice(0, limit).map(fromRow);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ ts: last.createdAt, id: last.id }) : undefined };
  }

  /** Deletes finished deliveries (not pending) last updated before `cutoff`; returns how many. */
  async prune(cutoff: number): Promise<number> {
    const result = await this.db.deleteFrom('alert_outbox').where('status', '<>', 'pending').where('updated_at', '<', cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
