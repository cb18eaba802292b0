import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { VigilConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { describeAction, type Plan } from '../k8s/planner.js';
import type { HealRunner } from '../k8s/runner.js';
import { openStore, type Store } from '../store/store.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './input.js';
import { runUntilSignal } from './run-until-signal.js';

export interface HealCliOptions {
  kubeconfig?: string;
  dryRun?: boolean;
  once?: boolean;
  json?: boolean;
}

/**
 * The cluster credentials; a problem is a usage error. The Kubernetes client
 * is imported on first use only: it takes seconds to load, and the other
 * commands do not need it.
 */
export async function loadKubeConfig(file: string | undefined): Promise<KubeConfig> {
  const { KubeConfigError, loadKubeConfig: loadClusterConfig } = await import('../k8s/kubeconfig.js');
  try {
    return loadClusterConfig(file);
  } catch (err) {
    if (err instanceof KubeConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** A readable summary of a plan: unhealthy objects, actions, and what was left alone. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  for (const f of plan.findings) lines.push(`unhealthy ${f.kind} ${f.subject}: ${f.conditions.map((c) => `${c.condition} (${c.detail})`).join(', ')}`);
  for (const a of plan.actions) lines.push(`action    ${describeAction(a)} [${a.target}] — ${a.condition}: ${a.reason}`);
  for (const s of plan.skipped) lines.push(`skipped   ${s.subject} [${s.target}] — ${s.reason}: ${s.detail}`);
  if (lines.length === 0) lines.push('nothing unhealthy');
  return lines.join('\n') + '\n';
}

/** `vigil heal`: run the self-healing controller (or, with --once, plan once and print). */
export async function runHeal(config: VigilConfig, options: HealCliOptions, out: NodeJS.WritableStream = process.stdout, logger?: Logger): Promise<number> {
  const heal = { ...config.heal, dryRun: options.dryRun === true || config.heal.dryRun };
  const kubeConfig = await loadKubeConfig(options.kubeconfig ?? heal.kubeconfig);
  const log = logger ?? createLogger(config.log.level);
  if (options.once === true) {
    const { HealController } = await import('../k8s/controller.js');
    const controller = new HealController({ config: heal, kubeConfig, logger: log });
    const plan = await controller.once();
    out.write(options.json === true ? JSON.stringify(plan, null, 2) + '\n' : formatPlan(plan));
    return EXIT.OK;
  }

  let store: Store | undefined;
  if (config.store.enabled) {
    try {
      store = await openStore(config.store, config.dataDir, { logger: log });
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'heal: no audit store; actions are recorded as Kubernetes Events, logs and metrics only');
    }
  }
  let runner: HealRunner;
  try {
    const { startHealRunner } = await import('../k8s/runner.js');
    runner = await startHealRunner(heal, kubeConfig, log, store);
  } catch (err) {
    log.error({ err: (err as Error).message }, 'heal: could not start');
    await store?.close();
    return EXIT.FAILURE;
  }
  return runUntilSignal(log, { message: 'heal: stopping (releasing the Lease)', error: 'heal: error while stopping' }, async () => {
    await runner.stop();
    await store?.close();
  });
}
