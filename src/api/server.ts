import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import rateLimit from '@fastify/rate-limit';
import type { Logger } from 'pino';
import type { IdGenerator } from '../core/ids.js';
import { canonicalIp } from '../core/ip.js';
import { parseTimestamp } from '../core/time.js';
import { isThreatLevel } from '../core/threat-level.js';
import type { VigilMetrics } from '../metrics/registry.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { DetectionStore } from '../sinks/detection-store.js';
import { ingestNdjsonStream, ingestRecords, type IngestContext } from '../sources/http.js';
import { Authenticator, presentedToken, type AuthConfig, type Scope } from './auth.js';
import { ClientIpResolver } from './client-ip.js';
import { registerResponseRoutes, type ResponseRouteDeps } from './routes/response.js';
import { registerStoreRoutes } from './routes/store.js';
import { registerAlertRoutes } from './routes/alerts.js';
import type { Alerting } from '../alert/alerting.js';
import { registerFeedbackRoutes } from './routes/feedback.js';
import { registerLiveRoutes, type LiveRouteDeps } from './routes/live.js';
import { registerUiRoutes } from './routes/ui.js';
import { registerIocRoutes, type IocRouteDeps } from './routes/ioc.js';
import { registerComplianceRoutes } from './routes/compliance.js';
import type { VigilConfig } from '../core/config.js';
import type { Store } from '../store/index.js';
import { apiError } from './errors.js';
import { detectionSchema, ingestResultSchema, errorSchema, nativeEventSchema } from './schemas.js';
import type { ServerConfig } from './server-config.js';
import { httpsOptions } from './tls.js';
import { rateLimitOptions } from './rate-limit.js';

export interface ApiDeps {
  config: ServerConfig;
  auth: AuthConfig;
  pipeline: Pipeline;
  detections: DetectionStore;
  metrics: VigilMetrics;
  ids: IdGenerator;
  now(): number;
  logger: Logger;
  version: string;
  /** The audit store (absent: /api/v1/events and /api/v1/audit are not served). */
  store?: Store;
  /** Decisions, incidents, status and the CrowdSec LAPI (absent: those routes are not served). */
  response?: ResponseRouteDeps;
  /** The dashboard's live feed (absent: no dashboard, and / answers the JSON summary). */
  live?: LiveRouteDeps;
  /** Threat intelligence (absent: the /api/v1/ioc routes are not served). */
  intel?: IocRouteDeps;
  /** The whole loaded configuration, for compliance reports (absent: /api/v1/compliance is not served). */
  vigilConfig?: VigilConfig;
  /** Reports whether the service is ready (started, not stopping). */
  ready(): boolean;
  retryAfterSeconds: number;
  batchSize: number;
  /** Alerting (absent: /api/v1/alerts is not served). */
  alerts?: Alerting;
  /** Why new events would be refused now (store backlog or journal full): ingestion answers 503, readyz is not ready. */
  admission?: () => { code: string; message: string } | undefined;
}

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines'];

declare module 'fastify' {
  interface FastifyContextConfig {
    scope?: Scope;
    /** Also open to enforcement points with their own X-Api-Key (decisions routes). */
    enforcement?: boolean;
    /** Reveals raw events: a token is needed even from loopback. */
    rawData?: boolean;
  }
}

export async function buildServer(deps: ApiDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'api' }) as FastifyBaseLogger,
    // Request lines are not logged: they would carry client addresses unmasked.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // Client addresses are resolved by ClientIpResolver (trusted proxies only).
    trustProxy: false,
    ...(config.tls.enabled ? { https: httpsOptions(config.tls) } : {}),
  });
  const authenticator = new Authenticator(deps.auth);
  const clientIps = new ClientIpResolver(config.trustedProxies);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Vigil API',
        version: deps.version,
        description: 'Ingest security events, read detections. Errors carry a stable VIGIL_E_* code.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        },
      },
    },
  });

  if (config.rateLimit.enabled) {
    // Registered after the auth hook (above the routes): the key is the authenticated principal.
    await app.register(rateLimit, rateLimitOptions(config.rateLimit, clientIps, deps.metrics));
  }

  app.addContentTypeParser(NDJSON_TYPES, (_request, payload, done) => done(null, payload));

  app.addHook('onRequest', async (request, reply) => {
    const { scope, enforcement, rawData } = request.routeOptions.config;
    if (scope === undefined) return;
    const apiKey = request.headers['x-api-key'];
    if (enforcement === true && deps.response !== undefined && typeof apiKey === 'string') {
      const point = deps.response.enforcement.authenticate(apiKey);
      if (point !== undefined) {
        (request as typeof request & { enforcementPoint?: string }).enforcementPoint = point.name;
        return;
      }
    }
    const result = authenticator.check(scope, presentedToken(request.headers), request.socket.remoteAddress, rawData === true);
    if (result.ok) (request as typeof request & { principal?: string }).principal = result.principal;
    if (!result.ok) {
      return reply.code(result.status).send(apiError(result.code, result.message));
    }
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const code =
      typeof error.code === 'string' && error.code.startsWith('VIGIL_E_')
        ? error.code
        : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'VIGIL_E_BODY_TOO_LARGE'
        : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'VIGIL_E_UNSUPPORTED_MEDIA_TYPE'
          : status === 400
            ? 'VIGIL_E_BAD_REQUEST'
            : status >= 500
              ? 'VIGIL_E_INTERNAL'
              : 'VIGIL_E_REQUEST';
    const message = status >= 500 ? 'internal error' : error.message;
    return reply.code(status).send(apiError(code, message));
  });

  const ingestContext = (request: FastifyRequest): IngestContext => ({
    pipeline: deps.pipeline,
    ids: deps.ids,
    now: deps.now,
    clientIp: clientIps.resolve(request.raw),
    labels: HTTP_LABELS,
  });

  app.post(
    '/api/v1/events',
    {
      config: { scope: 'ingest' },
      schema: {
        summary: 'Ingest one event or an array of events (JSON).',
        tags: ['ingest'],
        body: { oneOf: [nativeEventSchema, { type: 'array', items: nativeEventSchema }] },
        response: { 202: ingestResultSchema, 400: ingestResultSchema, 503: ingestResultSchema, 413: errorSchema },
        security: [{ bearer: [] }, { apiKey: [] }],
      },
      // Records are validated one by one (good ones accepted, bad ones listed), not all-or-nothing.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const body = request.body;
      const count = Array.isArray(body) ? body.length : 1;
      deps.metrics.ingest.received.inc({ source: 'http' }, count);
      const refusal = deps.admission?.();
      if (refusal !== undefined) {
        deps.metrics.ingest.rejected.inc({ source: 'http', reason: 'backlog_full' }, count);
        return reply
          .code(503)
          .header('retry-after', String(deps.retryAfterSeconds))
          .send({ ...apiError(refusal.code, refusal.message), accepted: 0, rejected: [] });
      }
      if (Array.isArray(body) && body.length === 0) {
        return reply.code(400).send({ ...apiError('VIGIL_E_NO_EVENTS', 'the array holds no events'), accepted: 0, rejected: [] });
      }
      if (count > config.maxBatchRecords) {
        deps.metrics.ingest.rejected.inc({ source: 'http', reason: 'too_many' }, count);
        return reply
          .code(413)
          .send(apiError('VIGIL_E_TOO_MANY_RECORDS', `at most ${config.maxBatchRecords} records per request; use /api/v1/events/ndjson for more`));
      }
      const result = ingestRecords(body, ingestContext(request));
      if (result.rejected.length > 0) deps.metrics.ingest.rejected.inc({ source: 'http', reason: 'invalid' }, result.rejected.length);
      if (result.queueFull) {
        deps.metrics.ingest.rejected.inc({ source: 'http', reason: 'queue_full' }, count - result.rejected.length);
        return reply
          .code(503)
          .header('retry-after', String(deps.retryAfterSeconds))
          .send({ ...apiError('VIGIL_E_QUEUE_FULL', 'the event queue is full; retry later'), accepted: 0, rejected: result.rejected });
      }
      if (result.accepted === 0) {
        return reply
          .code(400)
          .send({ ...apiError('VIGIL_E_INVALID_EVENTS', 'no valid events in the request'), accepted: 0, rejected: result.rejected });
      }
      return reply.code(202).send({ accepted: result.accepted, rejected: result.rejected });
    },
  );

  app.post(
    '/api/v1/events/ndjson',
    {
      config: { scope: 'ingest' },
      schema: {
        summary: 'Ingest a stream of newline-delimited JSON events (Content-Encoding gzip or deflate accepted).',
        tags: ['ingest'],
        response: { 202: ingestResultSchema, 400: ingestResultSchema, 413: ingestResultSchema, 415: errorSchema, 503: ingestResultSchema },
        security: [{ bearer: [] }, { apiKey: [] }],
      },
    },
    async (request, reply) => {
      const refusal = deps.admission?.();
      if (refusal !== undefined) {
        request.raw.resume();
        deps.metrics.ingest.rejected.inc({ source: 'http-ndjson', reason: 'backlog_full' }, 1);
        return reply
          .code(503)
          .header('retry-after', String(deps.retryAfterSeconds))
          .send({ ...apiError(refusal.code, refusal.message), accepted: 0, rejected: [], rejectedCount: 0, lines: 0 });
      }
      const encoding = String(request.headers['content-encoding'] ?? 'identity').toLowerCase();
      if (typeof (request.body as Readable | undefined)?.pipe !== 'function') {
        // Another content type's parser (JSON, text) already consumed the body.
        return reply
          .code(415)
          .send(apiError('VIGIL_E_UNSUPPORTED_MEDIA_TYPE', `send Content-Type: ${NDJSON_TYPES.join(', ')} to this endpoint (or use /api/v1/events for JSON)`));
      }
      let stream = request.body as Readable;
      if (encoding === 'gzip' || encoding === 'x-gzip') stream = stream.pipe(createGunzip());
      else if (encoding === 'deflate') stream = stream.pipe(createInflate());
      else if (encoding !== 'identity') {
        return reply.code(415).send(apiError('VIGIL_E_UNSUPPORTED_ENCODING', `content-encoding ${encoding} is not supported (gzip, deflate)`));
      }
      let result;
      try {
        result = await ingestNdjsonStream(stream, ingestContext(request), {
          maxBytes: config.ndjsonLimitBytes,
          maxLineChars: config.maxLineBytes,
          batchSize: deps.batchSize,
          waitMs: config.streamWaitMs,
          maxListedRejections: 100,
        });
      } catch (err) {
        request.raw.resume();
        return reply.code(400).send(apiError('VIGIL_E_BAD_STREAM', `could not read the body: ${(err as Error).message}`));
      }
      deps.metrics.ingest.received.inc({ source: 'http-ndjson' }, result.accepted + result.rejectedCount);
      if (result.rejectedCount > 0) deps.metrics.ingest.rejected.inc({ source: 'http-ndjson', reason: 'invalid' }, result.rejectedCount);
      const body = { accepted: result.accepted, rejected: result.rejected, rejectedCount: result.rejectedCount, lines: result.lines };
      if (result.queueFull || result.tooLarge) {
        request.raw.resume();
        if (stream !== request.body) stream.destroy();
      }
      if (result.queueFull) {
        deps.metrics.ingest.rejected.inc({ source: 'http-ndjson', reason: 'queue_full' }, 1);
        return reply
          .code(503)
          .header('retry-after', String(deps.retryAfterSeconds))
          .send({ ...body, ...apiError('VIGIL_E_QUEUE_FULL', `the event queue is full; lines 1–${result.lines} were handled, resend the rest later`) });
      }
      if (result.tooLarge) {
        return reply
          .code(413)
          .send({ ...body, ...apiError('VIGIL_E_BODY_TOO_LARGE', `the stream exceeds ${config.ndjsonLimitBytes} bytes; lines 1–${result.lines} were handled`) });
      }
      if (result.accepted === 0 && result.rejectedCount > 0) {
        return reply.code(400).send({ ...body, ...apiError('VIGIL_E_INVALID_EVENTS', 'no valid events in the stream') });
      }
      return reply.code(202).send(body);
    },
  );

  app.get(
    '/api/v1/detections',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Recent detections, newest first.',
        tags: ['detections'],
        querystring: {
          type: 'object',
          properties: {
            since: { type: 'string', description: 'Event time: ISO-8601 or epoch ms.' },
            type: { type: 'string' },
            ip: { type: 'string' },
            username: { type: 'string' },
            minSeverity: { type: 'string', enum: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] },
            status: { type: 'string', enum: ['open', 'closed'] },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { detections: { type: 'array', items: detectionSchema } } }, 400: errorSchema },
        security: [{ bearer: [] }, { apiKey: [] }],
      },
    },
    async (request, reply) => {
      const q = request.query as Record<string, string | number | undefined>;
      let since: number | undefined;
      if (q.since !== undefined) {
        const text = String(q.since);
        since = /^\d+$/.test(text) ? Number(text) : parseTimestamp(text);
        if (Number.isNaN(since)) return reply.code(400).send(apiError('VIGIL_E_BAD_REQUEST', 'since: expected ISO-8601 or epoch ms'));
      }
      let ip: string | undefined;
      if (q.ip !== undefined) {
        ip = canonicalIp(String(q.ip));
        if (ip === undefined) return reply.code(400).send(apiError('VIGIL_E_BAD_REQUEST', 'ip: expected an IP address'));
      }
      const minSeverity = isThreatLevel(q.minSeverity) ? q.minSeverity : undefined;
      const detections = deps.detections.query({
        since,
        ip,
        type: q.type as string | undefined,
        username: q.username as string | undefined,
        minSeverity,
        status: q.status as 'open' | 'closed' | undefined,
        limit: Number(q.limit ?? 100),
      });
      return { detections };
    },
  );

  app.get(
    '/api/v1/detections/:id',
    {
      config: { scope: 'read' },
      schema: { summary: 'One detection by id.', tags: ['detections'], response: { 200: detectionSchema, 404: errorSchema } },
    },
    async (request, reply) => {
      const detection = deps.detections.get((request.params as { id: string }).id);
      if (detection === undefined) return reply.code(404).send(apiError('VIGIL_E_NOT_FOUND', 'no such detection'));
      return detection;
    },
  );

  if (deps.response !== undefined) registerResponseRoutes(app, { ...deps.response, store: deps.store });
  if (deps.store !== undefined) registerStoreRoutes(app, deps.store);
  if (deps.alerts !== undefined) registerAlertRoutes(app, deps.alerts);
  if (deps.response !== undefined) {
    const live = deps.live;
    registerFeedbackRoutes(app, {
      stage: deps.response.stage,
      now: deps.response.now,
      changed: deps.response.changed,
      store: deps.store,
      incidentChanged: live === undefined ? undefined : (incident) => live.feed.incidentChanged(incident),
    });
  }
  if (deps.live !== undefined) {
    registerLiveRoutes(app, deps.live);
    await registerUiRoutes(app);
  }
  if (deps.intel !== undefined) registerIocRoutes(app, deps.intel);
  if (deps.vigilConfig !== undefined) registerComplianceRoutes(app, { config: deps.vigilConfig, store: deps.store, now: deps.now });

  app.get('/healthz', { schema: { summary: 'Liveness: the process answers.', tags: ['health'] } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { summary: 'Readiness: accepting events (not stopping, queue not full).', tags: ['health'] } }, async (_request, reply) => {
    const queue = deps.pipeline.queue;
    const refusal = deps.admission?.();
    const ready = deps.ready() && queue.free > 0 && refusal === undefined;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not ready',
      queue: { depth: queue.size, capacity: queue.capacity },
      ...(refusal !== undefined ? { reason: refusal } : {}),
    });
  });

  app.get('/metrics', { config: { scope: 'read' }, schema: { summary: 'Prometheus metrics.', tags: ['metrics'] } }, async (_request, reply) => {
    const text = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(text);
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (deps.live === undefined) app.get('/', { schema: { hide: true } }, async () => ({
    service: 'vigil',
    version: deps.version,
    endpoints: ['/api/v1/events', '/api/v1/events/ndjson', '/api/v1/detections', '/metrics', '/healthz', '/readyz', '/api/openapi.json'],
  }));

  return app;
}

const HTTP_LABELS: Record<string, string> = Object.freeze({ source: 'http' }) as Record<string, string>;
