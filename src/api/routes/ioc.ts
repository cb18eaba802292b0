import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IOC_TYPES } from '../../intel/ioc-type.js';
import type { FeedScheduler } from '../../intel/feed-scheduler.js';
import type { IocInput } from '../../intel/ioc.js';
import type { IocManager } from '../../intel/ioc-manager.js';
import type { Store } from '../../store/index.js';
import { apiError } from '../errors.js';

export interface IocRouteDeps {
  manager: IocManager;
  feeds?: FeedScheduler;
  /** Values per check request. */
  maxCheckValues: number;
  /** Audit log for admin changes (absent without the store). */
  store?: Store;
}

const security: { [label: string]: string[] }[] = [{ bearer: [] }, { apiKey: [] }];
const MAX_ADD = 10_000;

const iocInputSchema = {
  type: 'object',
  required: ['value'],
  properties: {
    value: { type: 'string', minLength: 1, maxLength: 2048 },
    type: { type: 'string', enum: [...IOC_TYPES] },
    threatType: { type: 'string', maxLength: 64 },
    confidence: { type: 'number', minimum: 0, maximum: 100 },
    tags: { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: 32 },
    expiresAt: { type: ['integer', 'null'], minimum: 0, description: 'Epoch ms; null or absent: never.' },
  },
  additionalProperties: false,
} as const;

/** Threat intelligence: bulk IOC check, statistics, adding indicators (admin). */
export function registerIocRoutes(app: FastifyInstance, deps: IocRouteDeps): void {
  const { manager } = deps;

  app.post(
    '/api/v1/ioc/check',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Check values (IPs, CIDRs, domains, URLs, emails, hashes) against the IOCs, as events are matched.',
        tags: ['intel'],
        body: {
          type: 'object',
          required: ['values'],
          properties: { values: { type: 'array', items: { type: 'string', maxLength: 2048 }, minItems: 1, maxItems: deps.maxCheckValues } },
          additionalProperties: false,
        },
        security,
      },
    },
    async (request) => {
      const { values } = request.body as { values: string[] };
      const results = manager.check(values);
      return { matched: results.filter((r) => r.match !== null).length, results };
    },
  );

  app.get(
    '/api/v1/ioc/stats',
    {
      config: { scope: 'read' },
      schema: { summary: 'IOC counts by type, threat type and source, recent additions, matches and feed status.', tags: ['intel'], security },
    },
    async () => ({
      ...(await manager.statistics()),
      inMemory: manager.matcher.counts(),
      matches: manager.matcher.matches,
      feeds: deps.feeds === undefined ? [] : [...deps.feeds.stats.values()],
    }),
  );

  app.post(
    '/api/v1/ioc',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Add or refresh indicators (upsert: the higher confidence wins, last seen is refreshed).',
        tags: ['intel'],
        body: {
          type: 'object',
          required: ['iocs'],
          properties: {
            iocs: { type: 'array', items: iocInputSchema, minItems: 1, maxItems: MAX_ADD },
            source: { type: 'string', minLength: 1, maxLength: 128, default: 'api' },
            threatType: { type: 'string', minLength: 1, maxLength: 64, default: 'malicious' },
            confidence: { type: 'number', minimum: 0, maximum: 100, default: 50 },
          },
          additionalProperties: false,
        },
        security,
      },
    },
    async (request, reply) => {
      const body = request.body as { iocs: IocInput[]; source: string; threatType: string; confidence: number };
      const report = await manager.import(body.iocs, { source: body.source, threatType: body.threatType, confidence: body.confidence, ttlMs: 0 });
      audit(request, deps, 'ioc.add', body.source, { ...report, values: body.iocs.slice(0, 20).map((i) => i.value) });
      if (report.valid === 0) return reply.code(400).send({ ...apiError('VIGIL_E_INVALID_IOC', 'no valid indicator in the request'), ...report });
      return reply.code(200).send(report);
    },
  );

  app.post(
    '/api/v1/ioc/expire',
    {
      config: { scope: 'admin' },
      schema: { summary: 'Delete expired indicators now (also done every intel.expireIntervalSeconds).', tags: ['intel'], security },
    },
    async (request) => {
      const expired = await manager.expire();
      audit(request, deps, 'ioc.expire', null, { expired });
      return { expired };
    },
  );
}

function audit(request: FastifyRequest, deps: IocRouteDeps, action: string, target: string | null, details: Record<string, unknown>): void {
  if (deps.store === undefined) return;
  const actor = (request as FastifyRequest & { principal?: string }).principal ?? 'unknown';
  deps.store.appendAudit({ actor, action, target, details }).catch((err: unknown) => request.log.error({ err, action }, 'could not write the audit log'));
}
