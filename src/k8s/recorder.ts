import { randomBytes } from 'node:crypto';
import type { CoreV1Api, CoreV1Event, V1ObjectReference } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { HealActionType, HealAction } from './planner.js';
import type { ActionResultKind, HealMetrics } from './metrics.js';
import { CONTROLLER_NAME } from './strategies.js';

/** What the executor reports for one action. */
export interface ActionOutcome {
  action: HealAction;
  result: ActionResultKind;
  /** One line for people: what was done or why it failed. */
  message: string;
  /** The steps taken (cordon, evict …), in order. */
  steps: string[];
}

/** The part of the Store the controller writes to (src/store/store.ts). */
export interface AuditSink {
  appendAudit(input: { actor: string; action: string; target?: string | null; details?: Record<string, unknown> }): Promise<unknown>;
}

const REASONS: Record<HealActionType, string> = {
  restart: 'HealRestart',
  reschedule: 'HealReschedule',
  scale: 'HealScale',
  rollback: 'HealRollback',
  drain: 'HealDrain',
  uncordon: 'HealUncordon',
};

/** The object an action is about, for the Event's involvedObject. */
export function involvedObject(action: HealAction): V1ObjectReference {
  switch (action.type) {
    case 'restart':
    case 'reschedule':
      return { kind: 'Pod', apiVersion: 'v1', namespace: action.pod.namespace, name: action.pod.name, uid: action.pod.uid };
    case 'scale':
      return { kind: action.workload.kind, apiVersion: 'apps/v1', namespace: action.workload.namespace, name: action.workload.name };
    case 'rollback':
      return { kind: 'Deployment', apiVersion: 'apps/v1', namespace: action.deployment.namespace, name: action.deployment.name };
    case 'drain':
    case 'uncordon':
      return { kind: 'Node', apiVersion: 'v1', name: action.node };
  }
}

/** The Kubernetes Event for an outcome (core/v1; nodes' events go to `default`, as kubelet's do). */
export function eventFor(outcome: ActionOutcome, identity: string, now: number): CoreV1Event {
  const object = involvedObject(outcome.action);
  const namespace = object.namespace ?? 'default';
  const at = new Date(now);
  return {
    metadata: { name: `${object.name ?? 'object'}.${randomBytes(8).toString('hex')}`, namespace },
    involvedObject: object,
    reason: REASONS[outcome.action.type],
    message: outcome.message.slice(0, 1024),
    type: outcome.result === 'success' || outcome.result === 'dry-run' ? 'Normal' : 'Warning',
    action: outcome.action.type,
    source: { component: CONTROLLER_NAME },
    reportingComponent: CONTROLLER_NAME,
    reportingInstance: identity,
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}

/**
 * Records every action three ways: a Kubernetes Event, an entry in Vigil's
 * hash-chained audit log (when a store is available) and the actions
 * counter. A failure to record is logged and counted, never hidden, and
 * never undoes the action.
 */
export class ActionRecorder {
  constructor(
    private readonly deps: {
      core: CoreV1Api | undefined;
      audit: AuditSink | undefined;
      metrics: HealMetrics;
      logger: Logger;
      identity: string;
      now: () => number;
    },
  ) {}

  async record(outcome: ActionOutcome): Promise<void> {
    const { action } = outcome;
    this.deps.metrics.actions.inc({ strategy: action.type, result: outcome.result });
    const level = outcome.result === 'failed' ? 'warn' : 'info';
    this.deps.logger[level]({ action: action.type, target: action.target, condition: action.condition, result: outcome.result, steps: outcome.steps }, outcome.message);
    const event = eventFor(outcome, this.deps.identity, this.deps.now());
    const writes: Promise<void>[] = [];
    if (this.deps.core !== undefined) {
      writes.push(
        this.deps.core
          .createNamespacedEvent({ namespace: event.metadata.namespace ?? 'default', body: event })
          .then(() => undefined)
          .catch((err: unknown) => {
            this.deps.metrics.recordFailures.inc({ sink: 'event' });
            this.deps.logger.warn({ err: errorText(err), target: action.target }, 'heal: could not record the Kubernetes Event');
          }),
      );
    }
    if (this.deps.audit !== undefined) {
      const { template: _template, ...rest } = action as HealAction & { template?: unknown };
      writes.push(
        this.deps.audit
          .appendAudit({
            actor: CONTROLLER_NAME,
            action: `heal.${action.type}`,
            target: action.target,
            details: { ...rest, result: outcome.result, message: outcome.message, steps: outcome.steps },
          })
          .then(() => undefined)
          .catch((err: unknown) => {
            this.deps.metrics.recordFailures.inc({ sink: 'audit' });
            this.deps.logger.error({ err: errorText(err), target: action.target }, 'heal: could not write the audit log');
          }),
      );
    }
    await Promise.all(writes);
  }
}

export function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && 'body' in err) {
    let body = (err as { body: unknown }).body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body) as unknown;
      } catch {
        // plain text body
      }
    }
    const message = typeof body === 'string' ? body : body && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : '';
    return `HTTP ${String((err as { code: unknown }).code)}${message ? `: ${message.slice(0, 300)}` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}
