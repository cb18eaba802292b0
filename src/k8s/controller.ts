import { hostname } from 'node:os';
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
  type V1Deployment,
  type V1Node,
  type V1Pod,
  type V1ReplicaSet,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { HealConfig } from './config.js';
import { emptySignals, type MetricSignals } from './conditions.js';
import { HealExecutor } from './executor.js';
import { RemediationHistory } from './history.js';
import { LeaderElector } from './leader-election.js';
import { HealMetrics } from './metrics.js';
import { planActions, type Plan } from './planner.js';
import { PrometheusClient, collectSignals } from './prometheus.js';
import { ActionRecorder, errorText, type ActionOutcome, type AuditSink } from './recorder.js';
import type { ClusterState } from './strategies.js';

export interface ControllerDeps {
  config: HealConfig;
  kubeConfig: KubeConfig;
  logger: Logger;
  metrics?: HealMetrics;
  /** The store's audit log, when there is one. */
  audit?: AuditSink;
  now?: () => number;
}

export interface RoundResult {
  plan: Plan;
  outcomes: ActionOutcome[];
  /** False when this replica is not the leader (it planned nothing). */
  acted: boolean;
}

type Cached<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

/** This replica's name in the Lease: configured, else $POD_NAME, else host and pid. */
export function identityOf(config: HealConfig): string {
  return config.leaderElection.identity || process.env.POD_NAME || `${hostname()}-${process.pid}`;
}

/**
 * The self-healing controller: list+watch informers keep the cluster state,
 * the leader plans every `intervalMs` and acts, everything it does is
 * recorded. `once()` plans from a fresh list without watching or acting.
 */
export class HealController {
  readonly metrics: HealMetrics;
  readonly identity: string;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly elector: LeaderElector | undefined;
  private readonly executor: HealExecutor;
  private readonly recorder: ActionRecorder;
  private readonly history: RemediationHistory;
  private readonly prometheus: PrometheusClient | undefined;
  private readonly now: () => number;
  private informers:
    | { pods: Cached<V1Pod>; nodes: Cached<V1Node>; deployments: Cached<V1Deployment>; statefulSets: Cached<V1StatefulSet>; replicaSets: Cached<V1ReplicaSet> }
    | undefined;
  private synced = false;
  private timers: NodeJS.Timeout[] = [];
  private roundRunning: Promise<RoundResult> | undefined;
  private stopped = false;

  constructor(private readonly deps: ControllerDeps) {
    const { config, kubeConfig, logger } = deps;
    this.now = deps.now ?? Date.now;
    this.metrics = deps.metrics ?? new HealMetrics();
    this.identity = identityOf(config);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.elector = config.leaderElection.enabled
      ? new LeaderElector(
          kubeConfig.makeApiClient(CoordinationV1Api),
          { namespace: config.leaderElection.namespace, name: config.leaderElection.name, identity: this.identity, leaseDurationMs: config.leaderElection.leaseDurationMs },
          logger,
          this.now,
        )
      : undefined;
    this.executor = new HealExecutor({ core: this.core, apps: this.apps, metrics: this.metrics, logger, dryRun: config.dryRun, now: this.now });
    this.recorder = new ActionRecorder({ core: this.core, audit: deps.audit, metrics: this.metrics, logger, identity: this.identity, now: this.now });
    const { safety } = config;
    this.history = new RemediationHistory(Math.max(safety.retryWindowMs, safety.cooldownMs, safety.remediationWindowMs));
    this.prometheus = config.prometheus.url !== '' ? new PrometheusClient(config.prometheus.url, config.prometheus.timeoutMs) : undefined;
    this.metrics.leader.set(0);
  }

  get isLeader(): boolean {
    return this.elector === undefined ? true : this.elector.isLeader;
  }

  /** Lists once and plans; changes nothing. */
  async once(): Promise<Plan> {
    const [pods, nodes, deployments, statefulSets, replicaSets] = await Promise.all([
      this.core.listPodForAllNamespaces(),
      this.core.listNode(),
      this.apps.listDeploymentForAllNamespaces(),
      this.apps.listStatefulSetForAllNamespaces(),
      this.apps.listReplicaSetForAllNamespaces(),
    ]);
    const state: ClusterState = { pods: pods.items, nodes: nodes.items, deployments: deployments.items, statefulSets: statefulSets.items, replicaSets: replicaSets.items };
    return planActions({ state, signals: await this.signals(), history: this.history, config: this.deps.config, now: this.now() });
  }

  /** Starts the informers (waits for their first list), leader election and the planning loop. */
  async start(): Promise<void> {
    const { config, kubeConfig } = this.deps;
    const informer = <T extends KubernetesObject>(path: string, list: () => Promise<KubernetesListObject<T>>): Cached<T> => {
      const made = makeInformer<T>(kubeConfig, path, list) as Cached<T>;
      made.on('error', (err: unknown) => {
        if (this.stopped) return;
        this.deps.logger.warn({ err: errorText(err), path }, 'heal: watch ended; restarting');
        // Restart after a pause; the informer resumes from its last resourceVersion (or relists after 410 Gone).
        const timer = setTimeout(() => void made.start().catch(() => undefined), 1000);
        this.timers.push(timer);
      });
      return made;
    };
    this.informers = {
      pods: informer('/api/v1/pods', () => this.core.listPodForAllNamespaces()),
      nodes: informer('/api/v1/nodes', () => this.core.listNode()),
      deployments: informer('/apis/apps/v1/deployments', () => this.apps.listDeploymentForAllNamespaces()),
      statefulSets: informer('/apis/apps/v1/statefulsets', () => this.apps.listStatefulSetForAllNamespaces()),
      replicaSets: informer('/apis/apps/v1/replicasets', () => this.apps.listReplicaSetForAllNamespaces()),
    };
    await Promise.all(Object.values(this.informers).map((i: Informer<KubernetesObject>) => i.start()));
    this.synced = true;
    if (this.elector !== undefined) {
      await this.electOnce();
      this.timers.push(setInterval(() => void this.electOnce(), config.leaderElection.renewIntervalMs));
    } else {
      this.metrics.leader.set(1);
    }
    this.timers.push(setInterval(() => void this.round().catch(() => undefined), config.intervalMs));
  }

  private async electOnce(): Promise<void> {
    if (this.elector === undefined || this.stopped) return;
    const leading = await this.elector.tryAcquireOrRenew();
    this.metrics.leader.set(leading ? 1 : 0);
  }

  /** The cluster as the informers see it. */
  state(): ClusterState {
    const i = this.informers;
    if (i === undefined) return { pods: [], nodes: [], deployments: [], statefulSets: [], replicaSets: [] };
    return {
      pods: [...i.pods.list()],
      nodes: [...i.nodes.list()],
      deployments: [...i.deployments.list()],
      statefulSets: [...i.statefulSets.list()],
      replicaSets: [...i.replicaSets.list()],
    };
  }

  /** One planning round: the leader plans from the informers' state and acts; a follower does nothing. Rounds never overlap. */
  round(): Promise<RoundResult> {
    if (this.roundRunning !== undefined) return this.roundRunning;
    this.roundRunning = this.runRound().finally(() => {
      this.roundRunning = undefined;
    });
    return this.roundRunning;
  }

  private async runRound(): Promise<RoundResult> {
    const empty: Plan = { findings: [], actions: [], skipped: [], inCooldown: 0 };
    if (!this.synced || !this.isLeader || this.stopped) {
      this.metrics.rounds.inc({ result: 'follower' });
      return { plan: empty, outcomes: [], acted: false };
    }
    try {
      const now = this.now();
      this.history.prune(now);
      const plan = planActions({ state: this.state(), signals: await this.signals(), history: this.history, config: this.deps.config, now });
      this.metrics.observePlan(plan);
      const outcomes: ActionOutcome[] = [];
      for (const action of plan.actions) {
        // Leadership can be lost mid-round: stop acting at once.
        if (!this.isLeader || this.stopped) break;
        const outcome = await this.executor.execute(action);
        this.history.record(action.target, this.now());
        await this.recorder.record(outcome);
        outcomes.push(outcome);
      }
      this.metrics.rounds.inc({ result: 'acted' });
      return { plan, outcomes, acted: true };
    } catch (err) {
      this.metrics.rounds.inc({ result: 'failed' });
      this.deps.logger.error({ err: errorText(err) }, 'heal: planning round failed');
      throw err;
    }
  }

  private async signals(): Promise<MetricSignals> {
    if (this.prometheus === undefined) return emptySignals();
    const { signals, errors } = await collectSignals(this.prometheus, this.deps.config.prometheus);
    if (errors.length > 0) {
      this.metrics.prometheusErrors.inc(errors.length);
      this.deps.logger.warn({ errors }, 'heal: Prometheus queries failed; their conditions are not checked this round');
    }
    return signals;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    await this.roundRunning?.catch(() => undefined);
    if (this.informers !== undefined) await Promise.all(Object.values(this.informers).map((i: Informer<KubernetesObject>) => i.stop()));
    await this.elector?.release();
    this.metrics.leader.set(0);
  }
}
