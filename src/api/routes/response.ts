import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Decision } from '../../core/detection.js';
import { canonicalIp } from '../../core/ip.js';
import { AllowlistError } from '../../respond/allowlist.js';
import { DecisionError, renderIpset, renderNftables, renderNginxDeny, toCrowdsecDecision, toCrowdsecStream } from '../../respond/decisions.js';
import type { EnforcementRegistry } from '../../respond/enforcement.js';
import type { ResponseStage } from '../../respond/response-stage.js';
import { apiError } from '../errors.js';
import { errorSchema } from '../schemas.js';
import type { Store } from '../../store/index.js';

export interface ResponseRouteDeps {
  stage: ResponseStage;
  enforcement: EnforcementRegistry;
  /** Current time for decisions: the later of wall clock and event time. */
  now(): number;
  /** Resolves when decisions change (or after `ms`), for long-polling streams. */
  waitForChange(ms: number): Promise<void>;
  /** Tell stream waiters that decisions changed. */
  changed(): void;
  /** Changes made through the API are recorded in its tamper-evident audit log. */
  store?: Store;
}

const decisionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    scope: { type: 'string', enum: ['ip', 'range', 'user'] },
    value: { type: 'string' },
    action: { type: 'string', enum: ['block', 'captcha', 'throttle'] },
    until: { type: 'number' },
    reason: { type: 'string' },
    origin: { type: 'string' },
    createdAt: { type: 'number' },
    simulated: { type: 'boolean' },
  },
} as const;

const security: { [label: string]: string[] }[] = [{ bearer: [] }, { apiKey: [] }];

/** Record an operator's change in the audit log; a failure to record is logged, never hidden. */
function audit(deps: ResponseRouteDeps, request: FastifyRequest, action: string, target: string, details: Record<string, unknown> = {}): void {
  if (deps.store === undefined) return;
  const actor = (request as FastifyRequest & { principal?: string }).principal ?? 'unknown';
  deps.store.appendAudit({ actor, action, target, details }).catch((err: unknown) => request.log.error({ err, action }, 'could not write the audit log'));
}

/** The enforcement point behind this request, when it authenticated with a point's key. */
function pointOf(request: FastifyRequest): string | undefined {
  return (request as FastifyRequest & { enforcementPoint?: string }).enforcementPoint;
}

/** Decisions, incidents, allowlist, protection mode, status — and the CrowdSec Local API that bouncers speak. */
export function registerResponseRoutes(app: FastifyInstance, deps: ResponseRouteDeps): void {
  const { stage } = deps;
  const engine = stage.engine;
  /** Per enforcement point: the change sequence it has seen (CrowdSec's stream state lives on the server). */
  const bouncerSeq = new Map<string, number>();

  const pulled = (request: FastifyRequest) => {
    const point = pointOf(request);
    if (point !== undefined) deps.enforcement.recordPull(point, deps.now());
  };

  app.get(
    '/api/v1/incidents',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Recent incidents (detections grouped by subject, scored), newest first.',
        tags: ['response'],
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['open', 'resolved'] },
            ip: { type: 'string' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
          additionalProperties: false,
        },
        security,
      },
    },
    async (request) => {
      const q = request.query as { status?: 'open' | 'resolved'; ip?: string; limit?: number };
      return { incidents: stage.incidents({ status: q.status, ip: q.ip === undefined ? undefined : canonicalIp(q.ip) ?? q.ip, limit: q.limit }) };
    },
  );

  app.get(
    '/api/v1/incidents/:id',
    { config: { scope: 'read' }, schema: { summary: 'One incident.', tags: ['response'], response: { 404: errorSchema }, security } },
    async (request, reply) => {
      const incident = stage.incident((request.params as { id: string }).id);
      if (incident === undefined) return reply.code(404).send(apiError('VIGIL_E_NOT_FOUND', 'no such incident'));
      return { ...incident, reasons: engine.incidents.reasonsFor(incident.id) ?? [] };
    },
  );

  app.get(
    '/api/v1/decisions',
    {
      config: { scope: 'read', enforcement: true },
      schema: {
        summary: 'Active decisions; with ?ip= the decisions that apply to that address (answered from memory).',
        tags: ['decisions'],
        querystring: {
          type: 'object',
          properties: { ip: { type: 'string' }, scope: { type: 'string', enum: ['ip', 'range', 'user'] }, simulated: { type: 'boolean' } },
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { decisions: { type: 'array', items: decisionSchema } } }, 400: errorSchema },
        security,
      },
    },
    async (request, reply) => {
      pulled(request);
      const q = request.query as { ip?: string; scope?: Decision['scope']; simulated?: boolean };
      const now = deps.now();
      if (q.ip !== undefined) {
        const ip = canonicalIp(q.ip);
        if (ip === undefined) return reply.code(400).send(apiError('VIGIL_E_BAD_REQUEST', 'ip: expected an IP address'));
        const decision = engine.decisions.lookup(ip, now);
        return { decisions: decision === undefined ? [] : [decision] };
      }
      return { decisions: engine.decisions.list(now, { scope: q.scope, includeSimulated: q.simulated === true }) };
    },
  );

  app.get(
    '/api/v1/decisions/stream',
    {
      config: { scope: 'read', enforcement: true },
      schema: {
        summary:
          'Decision changes for enforcement points: startup=true (or no since) gives every active decision, then pass since=<lastSeq> to get only new and deleted ones; wait=<seconds> long-polls until something changes.',
        tags: ['decisions'],
        querystring: {
          type: 'object',
          properties: {
            startup: { type: 'boolean' },
            since: { type: 'integer', minimum: 0 },
            wait: { type: 'integer', minimum: 0, maximum: 60, default: 0 },
          },
          additionalProperties: false,
        },
        security,
      },
    },
    async (request) => {
      pulled(request);
      const q = request.query as { startup?: boolean; since?: number; wait?: number };
      const since = q.startup === true ? undefined : q.since;
      let result = engine.decisions.stream(since, deps.now());
      if (since !== undefined && (q.wait ?? 0) > 0 && result.new.length === 0 && result.deleted.length === 0 && !result.resync) {
        await deps.waitForChange((q.wait ?? 0) * 1000);
        result = engine.decisions.stream(since, deps.now());
      }
      return result;
    },
  );

  app.post(
    '/api/v1/decisions',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Add a decision by hand (the allowlist still applies).',
        tags: ['decisions'],
        body: {
          type: 'object',
          required: ['value', 'reason'],
          properties: {
            value: { type: 'string', description: 'IP, CIDR or user name' },
            scope: { type: 'string', enum: ['ip', 'range', 'user'] },
            action: { type: 'string', enum: ['block', 'captcha', 'throttle'], default: 'block' },
            durationSeconds: { type: 'integer', minimum: 1, default: 3600 },
            reason: { type: 'string', minLength: 1 },
          },
          additionalProperties: false,
        },
        security,
      },
    },
    async (request, reply) => {
      const body = request.body as { value: string; scope?: Decision['scope']; action?: Decision['action']; durationSeconds?: number; reason: string };
      try {
        const outcome = engine.decisions.add(
          { value: body.value, scope: body.scope, action: body.action, durationMs: (body.durationSeconds ?? 3600) * 1000, reason: body.reason, origin: 'manual' },
          deps.now(),
        );
        if (outcome.status === 'allowlisted') {
          return reply.code(409).send(apiError('VIGIL_E_ALLOWLISTED', `${body.value} is allowlisted (${outcome.allowlisted.value}); remove it from the allowlist first`));
        }
        deps.changed();
        audit(deps, request, 'decision.add', outcome.decision.value, { id: outcome.decision.id, until: outcome.decision.until, reason: body.reason });
        return reply.code(outcome.status === 'added' ? 201 : 200).send({ status: outcome.status, decision: outcome.decision });
      } catch (err) {
        if (err instanceof DecisionError) return reply.code(400).send(apiError('VIGIL_E_BAD_DECISION', err.message));
        throw err;
      }
    },
  );

  app.delete(
    '/api/v1/decisions/:id',
    { config: { scope: 'admin' }, schema: { summary: 'Delete a decision (unblock).', tags: ['decisions'], response: { 404: errorSchema }, security } },
    async (request, reply) => {
      const removed = engine.decisions.delete((request.params as { id: string }).id, deps.now());
      if (removed === undefined) return reply.code(404).send(apiError('VIGIL_E_NOT_FOUND', 'no such active decision'));
      deps.changed();
      audit(deps, request, 'decision.delete', removed.value, { id: removed.id });
      return { deleted: removed };
    },
  );

  app.get(
    '/api/v1/decisions/export',
    {
      config: { scope: 'read', enforcement: true },
      schema: {
        summary: 'Active blocks as an nftables script, ipset commands or an nginx deny list.',
        tags: ['decisions'],
        querystring: {
          type: 'object',
          required: ['format'],
          properties: { format: { type: 'string', enum: ['nftables', 'ipset', 'nginx'] } },
          additionalProperties: false,
        },
        security,
      },
    },
    async (request, reply) => {
      pulled(request);
      const { format } = request.query as { format: 'nftables' | 'ipset' | 'nginx' };
      const now = deps.now();
      const active = engine.decisions.list(now);
      const text = format === 'nftables' ? renderNftables(active, now) : format === 'ipset' ? renderIpset(active, now) : renderNginxDeny(active, now);
      return reply.type('text/plain; charset=utf-8').send(text);
    },
  );

  app.get('/api/v1/allowlist', { config: { scope: 'read' }, schema: { summary: 'Allowlist entries.', tags: ['response'], security } }, async () => ({
    entries: engine.allowlist.list(deps.now()),
  }));

  app.post(
    '/api/v1/allowlist',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Add an IP or CIDR to the allowlist (optionally until a time).',
        tags: ['response'],
        body: {
          type: 'object',
          required: ['value'],
          properties: { value: { type: 'string' }, until: { type: 'string', format: 'date-time' }, reason: { type: 'string' } },
          additionalProperties: false,
        },
        security,
      },
    },
    async (request, reply) => {
      const body = request.body as { value: string; until?: string; reason?: string };
      try {
        const entry = engine.allowlist.add(body.value, {
          until: body.until === undefined ? undefined : Date.parse(body.until),
          reason: body.reason,
          source: 'api',
        });
        audit(deps, request, 'allowlist.add', entry.value, { until: body.until, reason: body.reason });
        return reply.code(201).send({ entry });
      } catch (err) {
        if (err instanceof AllowlistError) return reply.code(400).send(apiError('VIGIL_E_BAD_ALLOWLIST', err.message));
        throw err;
      }
    },
  );

  app.delete(
    '/api/v1/allowlist/:value',
    { config: { scope: 'admin' }, schema: { summary: 'Remove an allowlist entry (URL-encode a CIDR).', tags: ['response'], security } },
    async (request, reply) => {
      const value = decodeURIComponent((request.params as { value: string }).value);
      if (!engine.allowlist.remove(value)) return reply.code(404).send(apiError('VIGIL_E_NOT_FOUND', 'no such allowlist entry'));
      audit(deps, request, 'allowlist.remove', value);
      return { removed: value };
    },
  );

  app.post(
    '/api/v1/protection',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Force protection mode on (for a duration) or off.',
        tags: ['response'],
        body: {
          type: 'object',
          required: ['active'],
          properties: { active: { type: 'boolean' }, durationSeconds: { type: 'integer', minimum: 1 }, reason: { type: 'string' } },
          additionalProperties: false,
        },
        security,
      },
    },
    async (request) => {
      const body = request.body as { active: boolean; durationSeconds?: number; reason?: string };
      const now = deps.now();
      if (body.active) engine.protection.forceOn(now, body.durationSeconds === undefined ? undefined : body.durationSeconds * 1000, body.reason);
      else engine.protection.forceOff(now, body.reason);
      audit(deps, request, body.active ? 'protection.on' : 'protection.off', 'system', { durationSeconds: body.durationSeconds, reason: body.reason });
      return engine.protection.state(now);
    },
  );

  app.get(
    '/api/v1/status',
    { config: { scope: 'read' }, schema: { summary: 'Security status: incidents per level (24 h), blocked IPs, protection mode, health, enforcement.', tags: ['response'], security } },
    async () => {
      const now = deps.now();
      const active = engine.decisions.list(now);
      return {
        ...engine.status(now),
        enforcement: {
          points: deps.enforcement.list(),
          // "It detected but nothing was blocked": decisions no enforcement point pulled within a minute.
          unacknowledged: deps.enforcement.list().length === 0 ? active.filter((d) => !d.simulated).length : deps.enforcement.unacknowledged(active, now).length,
        },
      };
    },
  );

  // CrowdSec Local API, as bouncers use it (X-Api-Key of a configured enforcement point).
  app.get(
    '/v1/decisions/stream',
    {
      config: { scope: 'read', enforcement: true },
      schema: {
        summary: 'CrowdSec LAPI: decisions stream for bouncers.',
        tags: ['crowdsec'],
        querystring: {
          type: 'object',
          properties: { startup: { type: 'boolean', default: false }, scopes: { type: 'string' }, origins: { type: 'string' } },
        },
        security: [{ apiKey: [] }],
      },
    },
    async (request) => {
      pulled(request);
      const q = request.query as { startup?: boolean; scopes?: string };
      const point = pointOf(request) ?? 'token';
      const known = bouncerSeq.get(point);
      const now = deps.now();
      const scopes = q.scopes === undefined ? undefined : crowdsecScopes(q.scopes);
      const result = engine.decisions.stream(q.startup === true || known === undefined ? undefined : known, now, { scopes });
      bouncerSeq.set(point, result.lastSeq);
      return toCrowdsecStream(result, now);
    },
  );

  app.get(
    '/v1/decisions',
    {
      config: { scope: 'read', enforcement: true },
      schema: {
        summary: 'CrowdSec LAPI: decisions for an IP (null when none).',
        tags: ['crowdsec'],
        querystring: { type: 'object', properties: { ip: { type: 'string' }, range: { type: 'string' }, scope: { type: 'string' }, value: { type: 'string' } } },
        security: [{ apiKey: [] }],
      },
    },
    async (request, reply) => {
      pulled(request);
      const q = request.query as { ip?: string; value?: string };
      const now = deps.now();
      const target = q.ip ?? q.value;
      if (target === undefined) return reply.send(engine.decisions.list(now).map((d) => toCrowdsecDecision(d, now)));
      const ip = canonicalIp(target);
      const decision = ip === undefined ? undefined : engine.decisions.lookup(ip, now);
      // CrowdSec answers `null` (not []) when nothing applies; bouncers rely on it.
      return reply.type('application/json').send(decision === undefined ? 'null' : JSON.stringify([toCrowdsecDecision(decision, now)]));
    },
  );
}

function crowdsecScopes(text: string): Decision['scope'][] {
  const scopes: Decision['scope'][] = [];
  for (const part of text.split(',')) {
    const s = part.trim().toLowerCase();
    if (s === 'ip') scopes.push('ip');
    else if (s === 'range') scopes.push('range');
    else if (s === 'username') scopes.push('user');
  }
  return scopes;
}
