import { PatchStrategy, setHeaderOptions, type AppsV1Api, type CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { HealMetrics } from './metrics.js';
import { describeAction, type HealAction } from './planner.js';
import { errorText, type ActionOutcome } from './recorder.js';
import { ANNOTATIONS, CONTROLLER_NAME } from './strategies.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface ExecutorDeps {
  core: CoreV1Api;
  apps: AppsV1Api;
  metrics: HealMetrics;
  logger: Logger;
  dryRun: boolean;
  now: () => number;
}

/** HTTP status of a client-node ApiException, if it is one. */
export function statusOf(err: unknown): number | undefined {
  const code = err && typeof err === 'object' && 'code' in err ? (err as { code: unknown }).code : undefined;
  return typeof code === 'number' ? code : undefined;
}

/** Pods a drain leaves in place: DaemonSet pods (their controller ignores cordons) and mirror (static) pods. */
export function skippedByDrain(pod: V1Pod): 'daemonset' | 'mirror' | undefined {
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return 'mirror';
  if ((pod.metadata?.ownerReferences ?? []).some((o) => o.controller === true && o.kind === 'DaemonSet')) return 'daemonset';
  return undefined;
}

/**
 * Carries out planned actions against the API server. In dry-run it
 * describes what it would do and changes nothing.
 */
export class HealExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  async execute(action: HealAction): Promise<ActionOutcome> {
    const steps: string[] = [];
    if (this.deps.dryRun) {
      return { action, result: 'dry-run', message: `dry run: would ${describeAction(action)} (${action.reason})`, steps };
    }
    try {
      const partial = await this.perform(action, steps);
      if (partial !== undefined) return { action, result: 'partial', message: `${describeAction(action)}: ${partial}`, steps };
      return { action, result: 'success', message: `${describeAction(action)} (${action.reason})`, steps };
    } catch (err) {
      return { action, result: 'failed', message: `could not ${describeAction(action)}: ${errorText(err)}`, steps };
    }
  }

  /** Returns a note when the action was only partly done (a drain blocked by a PodDisruptionBudget). */
  private async perform(action: HealAction, steps: string[]): Promise<string | undefined> {
    const { core, apps } = this.deps;
    switch (action.type) {
      case 'restart':
        await this.deletePod(action.pod.namespace, action.pod.name, action.pod.uid);
        steps.push(`delete pod ${action.pod.namespace}/${action.pod.name}`);
        return undefined;
      case 'reschedule':
        if (action.cordon && action.pod.node !== undefined) {
          await this.cordon(action.pod.node);
          steps.push(`cordon node ${action.pod.node}`);
        }
        await this.deletePod(action.pod.namespace, action.pod.name, action.pod.uid);
        steps.push(`delete pod ${action.pod.namespace}/${action.pod.name}`);
        return undefined;
      case 'scale': {
        const { kind, namespace, name } = action.workload;
        const body = { spec: { replicas: action.to } };
        if (kind === 'Deployment') await apps.patchNamespacedDeployment({ namespace, name, body }, MERGE_PATCH);
        else await apps.patchNamespacedStatefulSet({ namespace, name, body }, MERGE_PATCH);
        steps.push(`scale ${kind} ${namespace}/${name} to ${action.to}`);
        return undefined;
      }
      case 'rollback': {
        const { namespace, name } = action.deployment;
        // As `kubectl rollout undo`: the Deployment's template becomes the previous ReplicaSet's.
        await apps.patchNamespacedDeployment({ namespace, name, body: [{ op: 'replace', path: '/spec/template', value: action.template }] });
        steps.push(`roll back Deployment ${namespace}/${name} to revision ${action.toRevision} (${action.replicaSet})`);
        return undefined;
      }
      case 'drain':
        return this.drain(action.node, action.cordoned, steps);
      case 'uncordon':
        await core.patchNode(
          { name: action.node, body: { spec: { unschedulable: null }, metadata: { annotations: { [ANNOTATIONS.cordonedBy]: null, [ANNOTATIONS.cordonedAt]: null } } } },
          MERGE_PATCH,
        );
        steps.push(`uncordon node ${action.node}`);
        return undefined;
    }
  }

  private async deletePod(namespace: string, name: string, uid: string | undefined): Promise<void> {
    try {
      // The uid precondition makes sure a pod recreated under the same name (StatefulSet) is not deleted by mistake.
      await this.deps.core.deleteNamespacedPod({ namespace, name, body: uid !== undefined ? { preconditions: { uid } } : undefined });
    } catch (err) {
      if (statusOf(err) === 404) return; // already gone: what we wanted
      throw err;
    }
  }

  private async cordon(node: string): Promise<void> {
    await this.deps.core.patchNode(
      {
        name: node,
        body: {
          spec: { unschedulable: true },
          metadata: { annotations: { [ANNOTATIONS.cordonedBy]: CONTROLLER_NAME, [ANNOTATIONS.cordonedAt]: new Date(this.deps.now()).toISOString() } },
        },
      },
      MERGE_PATCH,
    );
  }

  /** Cordon, then evict every pod but DaemonSet and mirror pods through the Eviction API (which enforces PodDisruptionBudgets). */
  private async drain(node: string, cordoned: boolean, steps: string[]): Promise<string | undefined> {
    if (!cordoned) {
      await this.cordon(node);
      steps.push(`cordon node ${node}`);
    }
    const list = await this.deps.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
    const blocked: string[] = [];
    let failed = 0;
    for (const pod of list.items) {
      const namespace = pod.metadata?.namespace ?? 'default';
      const name = pod.metadata?.name ?? '';
      const skip = skippedByDrain(pod);
      if (skip !== undefined) {
        steps.push(`skip ${skip} pod ${namespace}/${name}`);
        continue;
      }
      if (pod.metadata?.deletionTimestamp) continue;
      try {
        await this.deps.core.createNamespacedPodEviction({
          namespace,
          name,
          body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
        });
        this.deps.metrics.evictions.inc({ result: 'evicted' });
        steps.push(`evict ${namespace}/${name}`);
      } catch (err) {
        const status = statusOf(err);
        if (status === 404) continue;
        if (status === 429) {
          this.deps.metrics.evictions.inc({ result: 'blocked' });
          blocked.push(`${namespace}/${name}`);
          steps.push(`evict ${namespace}/${name}: blocked by a PodDisruptionBudget`);
          continue;
        }
        this.deps.metrics.evictions.inc({ result: 'failed' });
        failed += 1;
        steps.push(`evict ${namespace}/${name}: ${errorText(err)}`);
      }
    }
    if (blocked.length === 0 && failed === 0) return undefined;
    const parts: string[] = [];
    if (blocked.length > 0) parts.push(`${blocked.length} eviction(s) blocked by PodDisruptionBudgets (${blocked.slice(0, 5).join(', ')}); retried after the cooldown`);
    if (failed > 0) parts.push(`${failed} eviction(s) failed`);
    return parts.join('; ');
  }
}
