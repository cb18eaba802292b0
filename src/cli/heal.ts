import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { VigilConfig } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { HealController } from '../k8s/controller.js';
import { describe } from '../k8s/executor.js';
import { startMetricsServer } from '../k8s/metrics-server.js';
import type { Plan } from '../k8s/planner.js';
import { openStore, type Store } from '../store/store.js';
import { EXIT } from './exit-codes.js';
import { UsageError } from './input.js';

export interface HealCliOptions {
  kubeconfig?: string;
  dryRun?: boolean;
  once?: boolean;
  json?: boolean;
}

/** The cluster credentials: --kubeconfig / heal.kubeconfig, else in-cluster in a pod, else $KUBECONFIG or ~/.kube/config. */
export function loadKubeConfig(file: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (file !== undefined && file !== '') kc.loadFromFile(file);
    else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else kc.loadFromDefault();
  } catch (err) {
    throw new UsageError(`cannot load the kubeconfig${file ? ` ${file}` : ''}: ${(err as Error).message}`);
  }
  if (kc.getCurrentCluster() === null) {
    throw new UsageError('no Kubernetes cluster configured: give --kubeconfig, set heal.kubeconfig or $KUBECONFIG, or run in a pod');
  }
  return kc;
}

/** A readable summary of a plan: unhealthy objects, actions, and what was left alone. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  for (const f of plan.findings) lines.push(`unhealthy ${f.kind} ${f.subject}: ${f.conditions.map((c) => `${c.condition} (${c.detail})`).join(', ')}`);
  for (const a of plan.actions) lines.push(`action    ${describe(a)} [${a.target}] — ${a.condition}: ${a.reason}`);
  for (const s of plan.skipped) lines.push(`skipped   ${s.subject} [${s.target}] — ${s.reason}: ${s.detail}`);
  if (lines.length === 0) lines.push('nothing unhealthy');
  return lines.join('\n') + '\n';
}

/** `vigil heal`: run the self-healing controller (or, with --once, plan once and print). */
export async function runHeal(config: VigilConfig, options: HealCliOptions, out: NodeJS.WritableStream = process.stdout, logger?: Logger): Promise<number> {
  const heal = { ...config.heal, dryRun: options.dryRun === true || config.heal.dryRun };
  const kubeConfig = loadKubeConfig(options.kubeconfig ?? heal.kubeconfig);
  const log = logger ?? createLogger(config.log.level);
  if (options.once === true) {
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
  const controller = new HealController({ config: heal, kubeConfig, logger: log, audit: store });
  const metricsServer = heal.metrics.port > 0 ? await startMetricsServer(controller.metrics, heal.metrics.host, heal.metrics.port, () => controller.isLeader) : undefined;
  try {
    await controller.start();
  } catch (err) {
    log.error({ err: (err as Error).message }, 'heal: could not start');
    await controller.stop().catch(() => undefined);
    await metricsServer?.close();
    await store?.close();
    return EXIT.FAILURE;
  }
  log.info({ identity: controller.identity, dryRun: heal.dryRun, metricsPort: metricsServer?.port }, 'heal: controller started');
  return new Promise<number>((resolveExit) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'heal: stopping (releasing the Lease)');
      controller
        .stop()
        .then(() => metricsServer?.close())
        .then(() => store?.close())
        .then(() => resolveExit(EXIT.OK))
        .catch((err: unknown) => {
          log.error({ err }, 'heal: error while stopping');
          resolveExit(EXIT.FAILURE);
        })
        .finally(() => log.flush());
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
