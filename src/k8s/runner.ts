import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { HealConfig } from './config.js';
import { HealController } from './controller.js';
import { startMetricsServer } from './metrics-server.js';
import type { AuditSink } from './recorder.js';

export interface HealRunner {
  controller: HealController;
  metricsPort: number | undefined;
  stop(): Promise<void>;
}

/** Starts the controller and its metrics endpoint (used by `vigil heal` and by `vigil run` when heal.enabled). */
export async function startHealRunner(config: HealConfig, kubeConfig: KubeConfig, logger: Logger, audit: AuditSink | undefined): Promise<HealRunner> {
  const controller = new HealController({ config, kubeConfig, logger, audit });
  const metricsServer = config.metrics.port > 0 ? await startMetricsServer(controller.metrics, config.metrics.host, config.metrics.port, () => controller.isLeader) : undefined;
  try {
    await controller.start();
  } catch (err) {
    await controller.stop().catch(() => undefined);
    await metricsServer?.close();
    throw err;
  }
  logger.info({ identity: controller.identity, dryRun: config.dryRun, metricsPort: metricsServer?.port }, 'heal: controller started');
  return {
    controller,
    metricsPort: metricsServer?.port,
    async stop() {
      await controller.stop();
      await metricsServer?.close();
    },
  };
}
