import type { FastifyInstance } from 'fastify';
import type { Alerting } from '../../alert/alerting.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../alert/outbox.js';
import { parseTimestamp } from '../../core/time.js';
import { isThreatLevel } from '../../core/threat-level.js';
import { InvalidCursorError } from '../../store/index.js';
import { apiError } from '../errors.js';

const security: { [label: string]: string[] }[] = [{ bearer: [] }, { apiKey: [] }];

function time(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  return /^\d+$/.test(text) ? Number(text) : parseTimestamp(text);
}

/** Alert deliveries from the outbox: one item per (alert revision, channel), newest first. */
export function registerAlertRoutes(app: FastifyInstance, alerts: Alerting): void {
  app.get(
    '/api/v1/alerts',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Alert deliveries (one per alert revision and channel) from the outbox, newest first, with their delivery status.',
        tags: ['alerts'],
        querystring: {
          type: 'object',
          properties: {
            level: { type: 'string', enum: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] },
            type: { type: 'string', description: 'Alert type: brute_force, sqli, …, digest, test.' },
            channel: { type: 'string', description: 'Channel name; "digest" lists LOW alerts recorded for the digest.' },
            status: { type: 'string', enum: [...DELIVERY_STATUSES] },
            since: { type: 'string', description: 'Inclusive start (creation time): ISO-8601 or epoch ms.' },
            until: { type: 'string', description: 'Exclusive end: ISO-8601 or epoch ms.' },
            cursor: { type: 'string', description: 'nextCursor of the previous page.' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
          additionalProperties: false,
        },
        security,
      },
    },
    async (request, reply) => {
      const q = request.query as Record<string, string | undefined> & { limit?: number };
      const outbox = alerts.outbox;
      if (outbox === undefined) {
        return reply.code(503).send(apiError('VIGIL_E_ALERTS_UNAVAILABLE', 'no alert outbox: alerting is disabled, or no channel is configured while store.enabled is false'));
      }
      const since = time(q.since);
      const until = time(q.until);
      if (Number.isNaN(since) || Number.isNaN(until)) return reply.code(400).send(apiError('VIGIL_E_BAD_REQUEST', 'since/until: expected ISO-8601 or epoch ms'));
      try {
        return await outbox.query({
          level: isThreatLevel(q.level) ? q.level : undefined,
          type: q.type,
          channel: q.channel,
          status: q.status as DeliveryStatus | undefined,
          since,
          until,
          cursor: q.cursor,
          limit: q.limit,
        });
      } catch (err) {
        if (err instanceof InvalidCursorError) return reply.code(400).send(apiError('VIGIL_E_BAD_REQUEST', err.message));
        throw err;
      }
    },
  );
}
