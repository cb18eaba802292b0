import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Incident } from '../../core/detection.js';
import { AllowlistError } from '../../respond/allowlist.js';
import { applyFeedback, FeedbackError, type FeedbackInput } from '../../respond/feedback.js';
import type { ResponseStage } from '../../respond/response-stage.js';
import { SuppressionError } from '../../respond/suppressions.js';
import type { Store } from '../../store/index.js';
import { apiError } from '../errors.js';
import { errorSchema } from '../schemas.js';

export interface FeedbackRouteDeps {
  stage: ResponseStage;
  /** Decision time: the later of the wall clock and the event-time watermark. */
  now(): number;
  /** Tell decision-stream waiters that decisions changed. */
  changed(): void;
  /** The incident changed (the dashboard's live feed re-sends it). */
  incidentChanged?(incident: Incident): void;
  store?: Store;
}

const security: { [label: string]: string[] }[] = [{ bearer: [] }, { apiKey: [] }];

function principalOf(request: FastifyRequest): string {
  return (request as FastifyRequest & { principal?: string }).principal ?? 'unknown';
}

/**
 * Record a change in the tamper-evident audit log and wait for it, so the
 * answer can say whether it was recorded (a failure is logged, not hidden).
 */
async function auditNow(deps: FeedbackRouteDeps, request: FastifyRequest, action: string, target: string, details: Record<string, unknown>): Promise<boolean> {
  if (deps.store === undefined) return false;
  try {
    await deps.store.appendAudit({ actor: principalOf(request), action, target, details });
    return true;
  } catch (err) {
    request.log.error({ err, action }, 'could not write the audit log');
    return false;
  }
}

/** Analyst feedback on incidents, and the suppressions it (or an operator) adds. */
export function registerFeedbackRoutes(app: FastifyInstance, deps: FeedbackRouteDeps): void {
  const { stage } = deps;
  const engine = stage.engine;

  app.post(
    '/api/v1/incidents/:id/feedback',
    {
      config: { scope: 'admin' },
      schema: {
        summary:
          'Mark an incident a true or false positive. A false positive may also lift its block (unblock), allowlist its IP (allowlist) and suppress its detectors for its subject (suppress). Recorded in the audit log and on the incident.',
        tags: ['response'],
        body: {
          type: 'object',
          required: ['verdict'],
          properties: {
            verdict: { type: 'string', enum: ['true_positive', 'false_positive'] },
            unblock: { type: 'boolean' },
            allowlist: { type: 'boolean' },
            allowlistSeconds: { type: 'integer', minimum: 1 },
            suppress: { type: 'boolean' },
            suppressSeconds: { type: 'integer', minimum: 1 },
            detector: { type: 'string', minLength: 1, maxLength: 128 },
            note: { type: 'string', maxLength: 1000 },
          },
          additionalProperties: false,
        },
        response: { 400: errorSchema, 404: errorSchema },
        security,
      },
    },
    async (request, reply) => {
      const incident = stage.incident((request.params as { id: string }).id);
      if (incident === undefined) return reply.code(404).send(apiError('VIGIL_E_NOT_FOUND', 'no such incident'));
      const input = request.body as FeedbackInput;
      let outcome;
      try {
        outcome = applyFeedback(engine, incident, input, deps.now(), principalOf(request));
      } catch (err) {
        if (err instanceof FeedbackError || err instanceof SuppressionError || err instanceof AllowlistError) {
          return reply.code(400).send(apiError('VIGIL_E_BAD_FEEDBACK', err.message));
        }
        throw err;
      }
      if (outcome.unblocked.length > 0) deps.changed();
      deps.incidentChanged?.(incident);
      const subject = `${incident.subject.scope}:${incident.subject.value}`;
      let audited = await auditNow(deps, request, 'incident.feedback', incident.id, {
        verdict: input.verdict,
        subject,
        note: input.note,
        unblocked: outcome.feedback.unblocked,
        allowlisted: outcome.feedback.allowlisted,
        suppressions: outcome.suppressions.map((s) => ({ id: s.id, detector: s.detector, until: s.until })),
      });
      // The state changes are also recorded under their own actions, as when made one by one.
      for (const decision of outcome.unblocked) {
        audited = (await auditNow(deps, request, 'decision.delete', decision.value, { id: decision.id, incident: incident.id })) && audited;
      }
      if (outcome.allowlisted !== undefined) {
        audited = (await auditNow(deps, request, 'allowlist.add', outcome.allowlisted.value, { reason: outcome.allowlisted.reason, incident: incident.id })) && audited;
      }
      for (const s of outcome.suppressions) {
        audited = (await auditNow(deps, request, 'suppression.add', `${s.detector}|${s.scope}:${s.value}`, { id: s.id, until: s.until, incident: incident.id })) && audited;
      }
      return {
        incident: { id: incident.id, subject: incident.subject, feedback: outcome.feedback },
        unblocked: outcome.unblocked,
        allowlisted: outcome.allowlisted,
        suppressions: outcome.suppressions,
        audited,
      };
    },
  );

  app.get(
    '/api/v1/suppressions',
    { config: { scope: 'read' }, schema: { summary: 'Active suppressions: (detector, subject) pairs whose detections raise no incident until `until`.', tags: ['response'], security } },
    async () => ({ suppressions: engine.suppressions.list(deps.now()) }),
  );

  app.post(
    '/api/v1/suppressions',
    {
      config: { scope: 'admin' },
      schema: {
        summary: 'Suppress one detector for one subject (IP, range or user) for a time.',
        tags: ['response'],
        body: {
          type: 'object',
          required: ['detector', 'value'],
          properties: {
            detector: { type: 'string', minLength: 1, maxLength: 128 },
            scope: { type: 'string', enum: ['ip', 'user'], default: 'ip' },
            value: { type: 'string', minLength: 1, maxLength: 256 },
            durationSeconds: { type: 'integer', minimum: 1 },
            reason: { type: 'string', maxLength: 1000 },
          },
          additionalProperties: false,
        },
        security,
      },
    },
    async (request, reply) => {
      const body = request.body as { detector: string; scope?: 'ip' | 'user'; value: string; durationSeconds?: number; reason?: string };
      try {
        const suppression = engine.suppressions.add(
          {
            detector: body.detector,
            scope: body.scope ?? 'ip',
            value: body.value,
            durationSeconds: body.durationSeconds,
            reason: body.reason ?? '',
            createdBy: principalOf(request),
          },
          deps.now(),
        );
        await auditNow(deps, request, 'suppression.add', `${suppression.detector}|${suppression.scope}:${suppression.value}`, {
          id: suppression.id,
          until: suppression.until,
          reason: body.reason,
        });
        return reply.code(201).send({ suppression });
      } catch (err) {
        if (err instanceof SuppressionError) return reply.code(400).send(apiError('VIGIL_E_BAD_SUPPRESSION', err.message));
        throw err;
      }
    },
  );

  app.delete(
    '/api/v1/suppressions/:id',
    { config: { scope: 'admin' }, schema: { summary: 'Remove a suppression.', tags: ['response'], response: { 404: errorSchema }, security } },
    async (request, reply) => {
      const removed = engine.suppressions.remove((request.params as { id: string }).id);
      if (removed === undefined) return reply.code(404).send(apiError('VIGIL_E_NOT_FOUND', 'no such suppression'));
      await auditNow(deps, request, 'suppression.remove', `${removed.detector}|${removed.scope}:${removed.value}`, { id: removed.id });
      return { removed };
    },
  );
}
