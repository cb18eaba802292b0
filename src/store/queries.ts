import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { SecurityEvent } from '../core/event.js';
import type { ThreatLevel } from '../core/threat-level.js';
import type { Evidence } from '../core/detection.js';
import { toAuditEntry, type AuditEntry } from './audit-log.js';
import { decodeCursor, encodeCursor, type CursorPosition } from './cursor.js';
import type { StoreDatabase } from './database.js';
import { InvalidCursorError } from './errors.js';
import type { Store } from './store.js';

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

export interface PageQuery {
  /** Inclusive lower bound, epoch ms. */
  from?: number;
  /** Exclusive upper bound, epoch ms. */
  to?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** 1..1000 (clamped); default 100. */
  limit?: number;
  /** Newest first by default. */
  order?: 'asc' | 'desc';
}

export interface Page<T> {
  items: T[];
  /** Undefined on the last page. */
  nextCursor: string | undefined;
}

export interface EventQuery extends PageQuery {
  ip?: string;
  user?: string;
  /** An event kind (`login.failure`) or a violation type (`SQL_INJECTION`). */
  type?: string;
  /** Only events labelled with this severity (security_events; login attempts carry none). */
  level?: ThreatLevel;
}

export interface DetectionQuery extends PageQuery {
  ip?: string;
  user?: string;
  /** Attack class: brute_force, … */
  type?: string;
  level?: ThreatLevel;
  detector?: string;
  status?: 'open' | 'closed';
}

export interface AuditQuery extends PageQuery {
  actor?: string;
  action?: string;
  target?: string;
}

export interface StoredDetection {
  id: string;
  detector: string;
  type: string;
  sourceIp: string | null;
  username: string | null;
  severity: ThreatLevel;
  confidence: number;
  status: 'open' | 'closed';
  detectedAt: number;
  firstSeen: number;
  lastSeen: number;
  eventCount: number;
  evidence: Evidence;
  eventIds: string[];
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_SIZE;
  return Math.max(1, Math.min(MAX_PAGE_SIZE, Math.trunc(limit)));
}

/** Applies time range and keyset position on (timeColumn, id). */
function window<DB, TB extends keyof DB, O>(
  q: SelectQueryBuilder<DB, TB, O>,
  timeColumn: string,
  query: PageQuery,
  after: CursorPosition | undefined,
): SelectQueryBuilder<DB, TB, O> {
  const time = sql.ref(timeColumn);
  const id = sql.ref('id');
  let out = q;
  if (query.from !== undefined) out = out.where(sql<boolean>`${time} >= ${query.from}`);
  if (query.to !== undefined) out = out.where(sql<boolean>`${time} < ${query.to}`);
  const desc = (query.order ?? 'desc') === 'desc';
  if (after !== undefined) {
    out = desc
      ? out.where(sql<boolean>`(${time} < ${after.ts} OR (${time} = ${after.ts} AND ${id} < ${after.id}))`)
      : out.where(sql<boolean>`(${time} > ${after.ts} OR (${time} = ${after.ts} AND ${id} > ${after.id}))`);
  }
  const dir = desc ? 'desc' : 'asc';
  return out.orderBy(sql.ref(timeColumn), dir).orderBy(sql.ref('id'), dir);
}

function compare(a: CursorPosition, b: CursorPosition): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  const x = String(a.id);
  const y = String(b.id);
  // Bytewise, like the databases' binary collations.
  return Buffer.compare(Buffer.from(x), Buffer.from(y));
}

function page<T>(rows: T[], limit: number, position: (row: T) => CursorPosition): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(position(last)) : undefined };
}

/**
 * Events from login_attempts and security_events, merged by (time, id).
 * Each table is read with its own keyset query and limit, then merged.
 */
export async function queryEvents(store: Store, query: EventQuery = {}): Promise<Page<SecurityEvent>> {
  const limit = pageSize(query.limit);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const wantLogins = query.level === undefined && (query.type === undefined || query.type.startsWith('login.'));
  const wantOthers = query.type === undefined || !query.type.startsWith('login.');
  const rows: { ts: number; id: string; data: string }[] = [];

  if (wantLogins) {
    let q = store.db.selectFrom('login_attempts').select(['ts', 'id', 'data']);
    if (query.ip !== undefined) q = q.where('source_ip', '=', query.ip);
    if (query.user !== undefined) q = q.where('username', '=', query.user);
    if (query.type !== undefined) q = q.where('kind', '=', query.type);
    rows.push(...(await window(q, 'ts', query, after).limit(limit + 1).execute()));
  }
  if (wantOthers) {
    let q = store.db.selectFrom('security_events').select(['ts', 'id', 'data']);
    if (query.ip !== undefined) q = q.where('source_ip', '=', query.ip);
    if (query.user !== undefined) q = q.where('username', '=', query.user);
    if (query.type !== undefined) {
      const type = query.type;
      q = q.where((eb: ExpressionBuilder<StoreDatabase, 'security_events'>) => eb.or([eb('kind', '=', type), eb('event_type', '=', type)]));
    }
    if (query.level !== undefined) q = q.where('severity', '=', query.level);
    rows.push(...(await window(q, 'ts', query, after).limit(limit + 1).execute()));
  }
  const desc = (query.order ?? 'desc') === 'desc';
  const normalised = rows.map((r) => ({ ts: Number(r.ts), id: r.id, data: r.data }));
  normalised.sort((a, b) => (desc ? compare(b, a) : compare(a, b)));
  const result = page(normalised, limit, (r) => ({ ts: r.ts, id: r.id }));
  return { items: result.items.map((r) => JSON.parse(r.data) as SecurityEvent), nextCursor: result.nextCursor };
}

/** Detections, by last seen. */
export async function queryDetections(store: Store, query: DetectionQuery = {}): Promise<Page<StoredDetection>> {
  const limit = pageSize(query.limit);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  let q = store.db.selectFrom('detections').selectAll();
  if (query.ip !== undefined) q = q.where('source_ip', '=', query.ip);
  if (query.user !== undefined) q = q.where('username', '=', query.user);
  if (query.type !== undefined) q = q.where('type', '=', query.type);
  if (query.level !== undefined) q = q.where('severity', '=', query.level);
  if (query.detector !== undefined) q = q.where('detector', '=', query.detector);
  if (query.status !== undefined) q = q.where('status', '=', query.status);
  const rows = await window(q, 'last_seen', query, after).limit(limit + 1).execute();
  const items = rows.map(
    (r): StoredDetection => ({
      id: r.id,
      detector: r.detector,
      type: r.type,
      sourceIp: r.source_ip,
      username: r.username,
      severity: r.severity as ThreatLevel,
      confidence: Number(r.confidence),
      status: r.status as 'open' | 'closed',
      detectedAt: Number(r.detected_at),
      firstSeen: Number(r.first_seen),
      lastSeen: Number(r.last_seen),
      eventCount: Number(r.event_count),
      evidence: JSON.parse(r.evidence) as Evidence,
      eventIds: JSON.parse(r.event_ids) as string[],
    }),
  );
  return page(items, limit, (d) => ({ ts: d.lastSeen, id: d.id }));
}

/** Incidents are not stored; detections are what the store keeps. */
export const queryIncidents = queryDetections;

export async function queryAudit(store: Store, query: AuditQuery = {}): Promise<Page<AuditEntry>> {
  const limit = pageSize(query.limit);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (after !== undefined && typeof after.id !== 'number') throw new InvalidCursorError();
  let q = store.db.selectFrom('audit_logs').selectAll();
  if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
  if (query.action !== undefined) q = q.where('action', '=', query.action);
  if (query.target !== undefined) q = q.where('target', '=', query.target);
  const rows = await window(q, 'ts', query, after).limit(limit + 1).execute();
  return page(rows.map(toAuditEntry), limit, (e) => ({ ts: e.ts, id: e.id }));
}

/** Follows cursors through every page (for exports). */
export async function* allPages<Q extends PageQuery, T>(
  fetch: (query: Q) => Promise<Page<T>>,
  query: Q,
): AsyncGenerator<T[]> {
  let cursor = query.cursor;
  for (;;) {
    const result = await fetch({ ...query, cursor, limit: query.limit ?? MAX_PAGE_SIZE });
    if (result.items.length > 0) yield result.items;
    if (result.nextCursor === undefined) return;
    cursor = result.nextCursor;
  }
}
