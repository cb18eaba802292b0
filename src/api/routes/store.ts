import type { FastifyInstance, FastifyReply } from 'fastify';
import { canonicalIp } from '../../core/ip.js';
import { parseTimestamp } from '../../core/time.js';
import { isThreatLevel } from '../../core/threat-level.js';
import {
  allPages,
  csvStream,
  EVENT_CSV_COLUMNS,
  InvalidCursorError,
  ndjsonStream,
  queryAudit,
  queryDetections,
  queryEvents,
  type PageQuery,
  type Store,
} from '../../store/index.js';
import { apiError } from '../errors.js';

const security: { [label: string]: string[] }[] = [{ bearer: [] }, { apiKey: [] }];

const rangeProperties = {
  from: { type: 'string', description: 'Inclusive start: ISO-8601 or epoch ms.' },
  to: { type: 'string', description: 'Exclusive end: ISO-8601 or epoch ms.' },
  cursor: { type: 'string', description: 'nextCursor of the previous page.' },
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
} as const;

function time(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = /^\d+$/.test(text) ? Number(text) : parseTimestamp(text);
  if (Number.isNaN(ms)) throw new InvalidQuery(`${name}: expected ISO-8601 or epoch ms`);
  return ms;
}

class InvalidQuery extends Error {}

/** A bad time range or cursor is the client's mistake (400); anything else goes to the error handler. */
function badQuery(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof InvalidQuery || err instanceof InvalidCursorError) return reply.code(400).send(apiError('VIGIL_E_BAD_REQUEST', err.message));
  throw err;
}

function pageQuery(q: Record<string, string | undefined>): PageQuery {
  return { from: time(q.from, 'from'), to: time(q.to, 'to'), cursor: q.cursor, limit: q.limit === undefined ? undefined : Number(q.limit) };
}

/** Stored events, detections and the audit log: filters, cursor pages, CSV / NDJSON export. */
export function registerStoreRoutes(app: FastifyInstance, store: Store): void {
  app.get(
    '/api/v1/events',
    {
      config: { scope: 'read', rawData: true },
      schema: {
        summary: 'Stored events (raw data: a token is needed), newest first; format=csv|ndjson exports every page.',
        tags: ['store'],
        querystring: {
          type: 'object',
          properties: {
            ...rangeProperties,
            ip: { type: 'string' },
            user: { type: 'string' },
            type: { type: 'string', description: 'kind (login.failure) or violation type (SQL_INJECTION)' },
            level: { type: 'string', enum: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] },
            format: { type: 'string', enum: ['json', 'csv', 'ndjson'], default: 'json' },
          },
          additionalProperties: false,
        },
        security,
      },
    },
    async (request, reply) => {
      const q = request.query as Record<string, string | undefined>;
      try {
        const query = {
          ...pageQuery(q),
          ip: q.ip === undefined ? undefined : (canonicalIp(q.ip) ?? q.ip),
          user: q.user,
          type: q.type,
          level: isThreatLevel(q.level) ? q.level : undefined,
        };
        if (q.format === 'csv' || q.format === 'ndjson') {
          const pages = allPages((p) => queryEvents(store, p), query);
          const stream = q.format === 'csv' ? csvStream(pages, EVENT_CSV_COLUMNS) : ndjsonStream(pages);
          return reply.type(q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson').send(stream);
        }
        return await queryEvents(store, query);
      } catch (err) {
        return badQuery(reply, err);
      }
    },
  );

  app.get(
    '/api/v1/detections/history',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Stored detections (all of them, not only the recent ones in memory), newest first.',
        tags: ['store'],
        querystring: {
          type: 'object',
          properties: {
            ...rangeProperties,
            ip: { type: 'string' },
            user: { type: 'string' },
            type: { type: 'string' },
            level: { type: 'string', enum: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] },
            status: { type: 'string', enum: ['open', 'closed'] },
          },
          additionalProperties: false,
        },
        security,
      },
    },
    async (request, reply) => {
      const q = request.query as Record<string, string | undefined>;
      try {
        return await queryDetections(store, {
          ...pageQuery(q),
          ip: q.ip,
          user: q.user,
          type: q.type,
          level: isThreatLevel(q.level) ? q.level : undefined,
          status: q.status as 'open' | 'closed' | undefined,
        });
      } catch (err) {
        return badQuery(reply, err);
      }
    },
  );

  app.get(
    '/api/v1/audit',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'The tamper-evident audit log (changes to decisions, allowlist, protection mode, users, policies).',
        tags: ['store'],
        querystring: {
          type: 'object',
          properties: { ...rangeProperties, actor: { type: 'string' }, action: { type: 'string' }, target: { type: 'string' }, verify: { type: 'boolean' } },
          additionalProperties: false,
        },
        security,
      },
    },
    async (request, reply) => {
      const q = request.query as Record<string, string | undefined> & { verify?: boolean };
      try {
        if (q.verify === true) return await store.verifyAuditChain();
        return await queryAudit(store, { ...pageQuery(q), actor: q.actor, action: q.action, target: q.target });
      } catch (err) {
        return badQuery(reply, err);
      }
    },
  );
}
