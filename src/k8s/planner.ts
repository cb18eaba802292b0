import type { V1Node, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { HealConfig, Strategy } from './config.js';
import { nodeFindings, podFindings, podKey, restartCount, timeOf, type MetricSignals, type NodeCondition, type PodCondition } from './conditions.js';
import type { HistoryView } from './history.js';
import {
  ANNOTATIONS,
  AnnotationError,
  chooseStrategy,
  healingEnabled,
  maxReplicas,
  previousRevision,
  workloadKey,
  workloadOf,
  type ClusterState,
  type Workload,
} from './strategies.js';

/**
 * The planner, pure: observed cluster state, metric signals and the action
 * history in; the actions to take and the targets left alone (with why) out.
 * Every safety rule lives here so it can be tested on fixtures.
 */

export interface PodRef {
  namespace: string;
  name: string;
  uid?: string;
  node?: string;
}

interface ActionBase {
  /** History key: the pod's top workload (`deployment/ns/name`), a bare pod (`pod/ns/name`) or a node (`node/name`). */
  target: string;
  condition: PodCondition | NodeCondition | 'recovered';
  reason: string;
}

export type HealAction =
  | (ActionBase & { type: 'restart'; pod: PodRef })
  | (ActionBase & { type: 'reschedule'; pod: PodRef; /** Cordon the pod's node first (within the node limit). */ cordon: boolean })
  | (ActionBase & { type: 'scale'; pod: PodRef; workload: { kind: 'Deployment' | 'StatefulSet'; namespace: string; name: string }; from: number; to: number })
  | (ActionBase & { type: 'rollback'; pod: PodRef; deployment: { namespace: string; name: string }; toRevision: number; replicaSet: string; template: V1PodTemplateSpec })
  | (ActionBase & { type: 'drain'; node: string; /** Already cordoned by a previous round. */ cordoned: boolean })
  | (ActionBase & { type: 'uncordon'; node: string });

export type HealActionType = HealAction['type'];

export type SkipReason =
  | 'disabled'
  | 'cooldown'
  | 'retries-exhausted'
  | 'pod-limit'
  | 'node-limit'
  | 'no-controller'
  | 'at-max-replicas'
  | 'no-previous-revision'
  | 'strategy-none'
  | 'bad-annotation'
  | 'node-under-remediation'
  | 'cordoned-by-others';

export interface Skipped {
  target: string;
  subject: string;
  condition: PodCondition | NodeCondition;
  reason: SkipReason;
  detail: string;
}

export interface Finding {
  kind: 'pod' | 'node';
  subject: string;
  conditions: { condition: PodCondition | NodeCondition; detail: string }[];
}

export interface Plan {
  findings: Finding[];
  actions: HealAction[];
  skipped: Skipped[];
  /** Targets in cooldown now (for the gauge). */
  inCooldown: number;
}

export interface PlanInput {
  state: ClusterState;
  signals: MetricSignals;
  history: HistoryView;
  config: HealConfig;
  now: number;
}

export function nodeKey(name: string): string {
  return `node/${name}`;
}

/** Whether the controller cordoned this node (and so may uncordon it). */
export function cordonedByController(node: V1Node): boolean {
  return node.metadata?.annotations?.[ANNOTATIONS.cordonedBy] !== undefined;
}

export function planActions(input: PlanInput): Plan {
  const { state, signals, history, config, now } = input;
  const { safety } = config;
  const plan: Plan = { findings: [], actions: [], skipped: [], inCooldown: 0 };
  const planned = new Set<string>();

  const safetyBlock = (target: string): { reason: SkipReason; detail: string } | undefined => {
    const times = history.actions(target);
    const recent = times.filter((t) => now - t < safety.retryWindowMs);
    const last = times[times.length - 1];
    if (recent.length >= safety.maxRetries) {
      return { reason: 'retries-exhausted', detail: `${recent.length} actions in the last ${Math.round(safety.retryWindowMs / 60_000)} min (max ${safety.maxRetries})` };
    }
    if (last !== undefined && now - last < safety.cooldownMs) {
      return { reason: 'cooldown', detail: `last action ${Math.round((now - last) / 1000)} s ago (cooldown ${Math.round(safety.cooldownMs / 1000)} s)` };
    }
    return undefined;
  };

  // Nodes: count what the controller holds cordoned, against the cluster-wide limit.
  const nodes = [...state.nodes].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  const nodeLimit = nodes.length < 2 ? 0 : Math.max(1, Math.floor((safety.maxNodesPercent / 100) * nodes.length));
  const cordonedNodes = new Set(nodes.filter(cordonedByController).map((n) => n.metadata?.name ?? ''));
  const unhealthyNodes = new Set<string>();

  for (const node of nodes) {
    const name = node.metadata?.name ?? '';
    const findings = nodeFindings(node, config.prometheus, signals.nodes.get(name));
    const target = nodeKey(name);
    if (findings.length === 0) {
      // Recovery check: healthy again, cordoned by the controller, and it has had its cooldown.
      if (cordonedNodes.has(name)) {
        const since = timeOf(node.metadata?.annotations?.[ANNOTATIONS.cordonedAt]) ?? 0;
        if (now - since >= safety.cooldownMs) {
          plan.actions.push({ type: 'uncordon', target, node: name, condition: 'recovered', reason: 'node healthy again' });
        }
      }
      continue;
    }
    unhealthyNodes.add(name);
    plan.findings.push({ kind: 'node', subject: name, conditions: findings });
    const first = findings[0]!;
    const skip = (reason: SkipReason, detail: string) => plan.skipped.push({ target, subject: name, condition: first.condition, reason, detail });
    if (node.spec?.unschedulable === true && !cordonedNodes.has(name)) {
      skip('cordoned-by-others', 'cordoned by someone else (maintenance?); left alone');
      continue;
    }
    const blocked = safetyBlock(target);
    if (blocked !== undefined) {
      skip(blocked.reason, blocked.detail);
      continue;
    }
    const alreadyCordoned = cordonedNodes.has(name);
    if (!alreadyCordoned && cordonedNodes.size >= nodeLimit) {
      skip('node-limit', `${cordonedNodes.size} of ${nodes.length} nodes already cordoned by the controller (limit ${nodeLimit})`);
      continue;
    }
    cordonedNodes.add(name);
    planned.add(target);
    plan.actions.push({ type: 'drain', target, node: name, cordoned: alreadyCordoned, condition: first.condition, reason: first.detail });
  }

  // Pods: one action per target per round, within the cluster-wide pod limit.
  const namespaces = new Set(config.namespaces);
  const pods = state.pods
    .filter((p) => namespaces.size === 0 || namespaces.has(p.metadata?.namespace ?? ''))
    .sort((a, b) => podKey(a).localeCompare(podKey(b)));
  const podLimit = Math.max(1, Math.floor((safety.maxPodsPercent / 100) * pods.length));
  const activePodTargets = new Set(history.activeSince(now - safety.remediationWindowMs).filter((t) => !t.startsWith('node/')));
  const cooling = new Set<string>();

  for (const pod of pods) {
    const key = podKey(pod);
    const findings = podFindings(pod, now, { ...config.prometheus, maxRestarts: config.maxRestarts, notReadyAfterMs: config.notReadyAfterMs }, signals.pods.get(key));
    if (findings.length === 0) continue;
    plan.findings.push({ kind: 'pod', subject: key, conditions: findings });
    const first = findings[0]!;
    const workload = workloadOf(pod, state);
    const target = workload !== undefined ? workloadKey(workload) : `pod/${key}`;
    const skip = (reason: SkipReason, detail: string) => plan.skipped.push({ target, subject: key, condition: first.condition, reason, detail });
    const ref: PodRef = { namespace: pod.metadata?.namespace ?? 'default', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid, node: pod.spec?.nodeName };

    if (planned.has(target)) continue; // another pod of this workload is handled this round
    if (ref.node !== undefined && unhealthyNodes.has(ref.node)) {
      skip('node-under-remediation', `its node ${ref.node} is unhealthy; the node is remediated instead`);
      continue;
    }
    if (!healingEnabled(pod, workload)) {
      skip('disabled', `${ANNOTATIONS.enabled}: "false"`);
      continue;
    }
    const blocked = safetyBlock(target);
    if (blocked !== undefined) {
      if (blocked.reason === 'cooldown') cooling.add(target);
      skip(blocked.reason, blocked.detail);
      continue;
    }
    let strategy: Strategy;
    let ceiling = config.defaultMaxReplicas;
    try {
      strategy = chooseStrategy(first.condition as PodCondition, pod, workload, restartCount(pod), config);
      if (strategy === 'scale') ceiling = maxReplicas(pod, workload, config);
    } catch (err) {
      if (!(err instanceof AnnotationError)) throw err;
      skip('bad-annotation', err.message);
      continue;
    }
    const action = podAction(strategy, ref, target, first, workload, ceiling, state);
    if ('skip' in action) {
      skip(action.skip, action.detail);
      continue;
    }
    if (!activePodTargets.has(target) && activePodTargets.size >= podLimit) {
      skip('pod-limit', `${activePodTargets.size} targets under remediation (limit ${podLimit} = ${safety.maxPodsPercent}% of ${pods.length} pods)`);
      continue;
    }
    if (action.type === 'reschedule' && ref.node !== undefined) {
      const nodeObject = nodes.find((n) => n.metadata?.name === ref.node);
      // Cordon the bad node when the node limit allows; otherwise the delete alone lets the scheduler choose again.
      action.cordon = nodeObject !== undefined && nodeObject.spec?.unschedulable !== true && cordonedNodes.size < nodeLimit;
      if (action.cordon) cordonedNodes.add(ref.node);
    }
    activePodTargets.add(target);
    planned.add(target);
    plan.actions.push(action);
  }
  // Cooldown gauge: every target whose last action is within the cooldown.
  for (const target of history.activeSince(now - safety.cooldownMs)) cooling.add(target);
  plan.inCooldown = cooling.size;
  return plan;
}

const RESTARTABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet']);

function podAction(
  strategy: Strategy,
  pod: PodRef,
  target: string,
  finding: { condition: PodCondition | NodeCondition; detail: string },
  workload: Workload | undefined,
  ceiling: number,
  state: ClusterState,
): HealAction | { skip: SkipReason; detail: string } {
  const base = { target, condition: finding.condition, reason: finding.detail, pod };
  switch (strategy) {
    case 'none':
      return { skip: 'strategy-none', detail: 'strategy none: observed only' };
    case 'restart':
    case 'reschedule':
      if (workload === undefined || !RESTARTABLE.has(workload.kind)) {
        return { skip: 'no-controller', detail: `no Deployment, StatefulSet, ReplicaSet or DaemonSet would recreate it (${workload?.kind ?? 'bare pod'})` };
      }
      return strategy === 'restart' ? { ...base, type: 'restart' } : { ...base, type: 'reschedule', cordon: false };
    case 'scale': {
      const object = workload?.kind === 'Deployment' ? workload.deployment : workload?.kind === 'StatefulSet' ? workload.statefulSet : undefined;
      if (workload === undefined || object === undefined || (workload.kind !== 'Deployment' && workload.kind !== 'StatefulSet')) {
        return { skip: 'no-controller', detail: 'scale needs an owning Deployment or StatefulSet' };
      }
      const from = object.spec?.replicas ?? 1;
      if (from >= ceiling) return { skip: 'at-max-replicas', detail: `${from} replicas, max ${ceiling}` };
      return { ...base, type: 'scale', workload: { kind: workload.kind, namespace: workload.namespace, name: workload.name }, from, to: from + 1 };
    }
    case 'rollback': {
      if (workload?.kind !== 'Deployment' || workload.deployment === undefined) {
        return { skip: 'no-controller', detail: 'rollback needs an owning Deployment' };
      }
      const previous = previousRevision(workload.deployment, state.replicaSets);
      if (previous === undefined) return { skip: 'no-previous-revision', detail: 'the Deployment has no earlier ReplicaSet revision' };
      return {
        ...base,
        type: 'rollback',
        deployment: { namespace: workload.namespace, name: workload.name },
        toRevision: previous.revision,
        replicaSet: previous.replicaSet,
        template: previous.template,
      };
    }
  }
}

/** One line saying what an action does. */
export function describeAction(action: HealAction): string {
  switch (action.type) {
    case 'restart':
      return `restart pod ${action.pod.namespace}/${action.pod.name}`;
    case 'reschedule':
      return `reschedule pod ${action.pod.namespace}/${action.pod.name}${action.cordon ? ` (cordon ${action.pod.node ?? '?'})` : ''}`;
    case 'scale':
      return `scale ${action.workload.kind} ${action.workload.namespace}/${action.workload.name} from ${action.from} to ${action.to}`;
    case 'rollback':
      return `roll back Deployment ${action.deployment.namespace}/${action.deployment.name} to revision ${action.toRevision}`;
    case 'drain':
      return `${action.cordoned ? '' : 'cordon and '}drain node ${action.node}`;
    case 'uncordon':
      return `uncordon node ${action.node}`;
  }
}
