import type { V1Deployment, V1Node, V1ObjectMeta, V1Pod, V1PodTemplateSpec, V1ReplicaSet, V1StatefulSet } from '@kubernetes/client-node';
import { STRATEGIES, type HealConfig, type Strategy } from './config.js';
import type { PodCondition } from './conditions.js';

/** Annotations read on a pod or its workload (the pod's own wins: pod templates carry them down). */
export const ANNOTATIONS = {
  enabled: 'healing.io/enabled',
  strategy: 'healing.io/strategy',
  maxReplicas: 'healing.io/max-replicas',
  /** Set on a node the controller cordoned; the recovery check uncordons only those. */
  cordonedBy: 'healing.io/cordoned-by',
  cordonedAt: 'healing.io/cordoned-at',
} as const;

export const CONTROLLER_NAME = 'self-healing-operator';

export interface ClusterState {
  pods: V1Pod[];
  nodes: V1Node[];
  deployments: V1Deployment[];
  statefulSets: V1StatefulSet[];
  replicaSets: V1ReplicaSet[];
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job' | 'Other';

/** The top controller of a pod (Pod → ReplicaSet → Deployment; Pod → StatefulSet; …). */
export interface Workload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  deployment?: V1Deployment;
  statefulSet?: V1StatefulSet;
}

export function workloadKey(w: Workload): string {
  return `${w.kind.toLowerCase()}/${w.namespace}/${w.name}`;
}

const byNamespaceName = <T extends { metadata?: V1ObjectMeta }>(items: readonly T[], namespace: string, name: string): T | undefined =>
  items.find((i) => i.metadata?.namespace === namespace && i.metadata?.name === name);

export function workloadOf(pod: V1Pod, state: ClusterState): Workload | undefined {
  const namespace = pod.metadata?.namespace ?? 'default';
  const owner = (pod.metadata?.ownerReferences ?? []).find((o) => o.controller === true);
  if (owner === undefined) return undefined;
  if (owner.kind === 'ReplicaSet') {
    const rs = byNamespaceName(state.replicaSets, namespace, owner.name);
    const rsOwner = (rs?.metadata?.ownerReferences ?? []).find((o) => o.controller === true && o.kind === 'Deployment');
    if (rsOwner !== undefined) {
      return { kind: 'Deployment', namespace, name: rsOwner.name, deployment: byNamespaceName(state.deployments, namespace, rsOwner.name) };
    }
    return { kind: 'ReplicaSet', namespace, name: owner.name };
  }
  if (owner.kind === 'StatefulSet') {
    return { kind: 'StatefulSet', namespace, name: owner.name, statefulSet: byNamespaceName(state.statefulSets, namespace, owner.name) };
  }
  if (owner.kind === 'DaemonSet' || owner.kind === 'Job') return { kind: owner.kind, namespace, name: owner.name };
  return { kind: 'Other', namespace, name: `${owner.kind}/${owner.name}` };
}

function annotation(name: string, pod: V1Pod, workload: Workload | undefined): string | undefined {
  return (
    pod.metadata?.annotations?.[name] ??
    workload?.deployment?.metadata?.annotations?.[name] ??
    workload?.statefulSet?.metadata?.annotations?.[name]
  );
}

/** `healing.io/enabled: "false"` on the pod or its workload opts it out. */
export function healingEnabled(pod: V1Pod, workload: Workload | undefined): boolean {
  return annotation(ANNOTATIONS.enabled, pod, workload)?.trim().toLowerCase() !== 'false';
}

export class AnnotationError extends Error {
  override name = 'AnnotationError';
}

/**
 * The strategy for a pod's condition: the `healing.io/strategy` annotation,
 * else the configured default for the condition; a restart of a pod that
 * restarted more than `rescheduleAfterRestarts` times becomes a reschedule.
 * An unknown annotation value throws AnnotationError (reported, not guessed).
 */
export function chooseStrategy(condition: PodCondition, pod: V1Pod, workload: Workload | undefined, restarts: number, config: HealConfig): Strategy {
  const annotated = annotation(ANNOTATIONS.strategy, pod, workload)?.trim().toLowerCase();
  let strategy: Strategy;
  if (annotated !== undefined && annotated !== '') {
    if (!(STRATEGIES as readonly string[]).includes(annotated)) {
      throw new AnnotationError(`${ANNOTATIONS.strategy}: "${annotated}" is not one of ${STRATEGIES.join(', ')}`);
    }
    strategy = annotated as Strategy;
  } else {
    strategy = config.strategies[condition];
  }
  if (strategy === 'restart' && restarts > config.rescheduleAfterRestarts) return 'reschedule';
  return strategy;
}

/** The replica ceiling of a workload: `healing.io/max-replicas`, else the configured default. */
export function maxReplicas(pod: V1Pod, workload: Workload | undefined, config: HealConfig): number {
  const text = annotation(ANNOTATIONS.maxReplicas, pod, workload);
  if (text === undefined) return config.defaultMaxReplicas;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new AnnotationError(`${ANNOTATIONS.maxReplicas}: "${text}" is not a positive integer`);
  return value;
}

export interface Revision {
  revision: number;
  replicaSet: string;
  template: V1PodTemplateSpec;
}

const REVISION = 'deployment.kubernetes.io/revision';

function revisionOf(meta: V1ObjectMeta | undefined): number | undefined {
  const value = Number(meta?.annotations?.[REVISION]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * The ReplicaSet revision before the Deployment's current one (what
 * `kubectl rollout undo` goes back to), with its pod template minus the
 * `pod-template-hash` label the ReplicaSet controller adds.
 */
export function previousRevision(deployment: V1Deployment, replicaSets: readonly V1ReplicaSet[]): Revision | undefined {
  const namespace = deployment.metadata?.namespace;
  const uid = deployment.metadata?.uid;
  const name = deployment.metadata?.name;
  const owned = replicaSets.filter(
    (rs) =>
      rs.metadata?.namespace === namespace &&
      (rs.metadata?.ownerReferences ?? []).some((o) => o.kind === 'Deployment' && (uid !== undefined ? o.uid === uid : o.name === name)),
  );
  const current = revisionOf(deployment.metadata) ?? Math.max(0, ...owned.map((rs) => revisionOf(rs.metadata) ?? 0));
  let best: { rs: V1ReplicaSet; revision: number } | undefined;
  for (const rs of owned) {
    const revision = revisionOf(rs.metadata);
    if (revision === undefined || revision >= current) continue;
    if (best === undefined || revision > best.revision) best = { rs, revision };
  }
  if (best === undefined || best.rs.spec?.template === undefined) return undefined;
  const template = structuredClone(best.rs.spec.template);
  if (template.metadata?.labels !== undefined) delete template.metadata.labels['pod-template-hash'];
  return { revision: best.revision, replicaSet: best.rs.metadata?.name ?? '', template };
}
