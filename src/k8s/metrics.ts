import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Plan } from './planner.js';

export type ActionResultKind = 'success' | 'partial' | 'failed' | 'dry-run';

/**
 * The controller's own registry, served by `vigil heal` on heal.metrics.port
 * (it runs apart from the service; `vigil run` with heal.enabled serves it
 * there too). Labels are bounded: action types, results, skip reasons and
 * condition names are fixed sets; no pod or node names.
 */
export class HealMetrics {
  readonly registry = new Registry();
  readonly actions: Counter<'strategy' | 'result'>;
  readonly skipped: Counter<'reason'>;
  readonly findings: Gauge<'kind' | 'condition'>;
  readonly inCooldown: Gauge;
  readonly leader: Gauge;
  readonly evictions: Counter<'result'>;
  readonly rounds: Counter<'result'>;
  readonly prometheusErrors: Counter;
  readonly recordFailures: Counter<'sink'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics === true) collectDefaultMetrics({ register: this.registry, prefix: 'vigil_heal_' });
    this.actions = new Counter({
      name: 'vigil_heal_actions_total',
      help: 'Remediation actions by strategy (restart, reschedule, scale, rollback, drain, uncordon) and result (success, partial, failed, dry-run).',
      labelNames: ['strategy', 'result'],
      registers,
    });
    this.skipped = new Counter({
      name: 'vigil_heal_skipped_total',
      help: 'Unhealthy targets left alone, by reason (cooldown, retries-exhausted, pod-limit, node-limit, disabled, …).',
      labelNames: ['reason'],
      registers,
    });
    this.findings = new Gauge({
      name: 'vigil_heal_unhealthy',
      help: 'Unhealthy pods and nodes seen by the last planning round, by kind and first condition.',
      labelNames: ['kind', 'condition'],
      registers,
    });
    this.inCooldown = new Gauge({ name: 'vigil_heal_targets_in_cooldown', help: 'Targets acted on within the cooldown.', registers });
    this.leader = new Gauge({ name: 'vigil_heal_leader', help: '1 while this replica holds the Lease and acts, else 0.', registers });
    this.evictions = new Counter({
      name: 'vigil_heal_evictions_total',
      help: 'Pod evictions while draining nodes: evicted, blocked (PodDisruptionBudget, HTTP 429), failed.',
      labelNames: ['result'],
      registers,
    });
    this.rounds = new Counter({ name: 'vigil_heal_rounds_total', help: 'Planning rounds, by result (acted, follower, failed).', labelNames: ['result'], registers });
    this.prometheusErrors = new Counter({ name: 'vigil_heal_prometheus_errors_total', help: 'Prometheus queries that failed.', registers });
    this.recordFailures = new Counter({
      name: 'vigil_heal_record_failures_total',
      help: 'Actions whose Kubernetes Event or audit entry could not be written, by sink (event, audit).',
      labelNames: ['sink'],
      registers,
    });
  }

  observePlan(plan: Plan): void {
    this.findings.reset();
    for (const finding of plan.findings) this.findings.inc({ kind: finding.kind, condition: finding.conditions[0]?.condition ?? 'unknown' });
    for (const skip of plan.skipped) this.skipped.inc({ reason: skip.reason });
    this.inCooldown.set(plan.inCooldown);
  }
}
