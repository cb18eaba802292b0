import type { Logger } from 'pino';
import { EXIT } from './exit-codes.js';

/**
 * Keeps a started long-running command (`vigil run`, `vigil heal`) alive
 * until SIGTERM or SIGINT, then stops it once and resolves with the exit
 * code: OK when `stop` finished, FAILURE when it threw.
 */
export function runUntilSignal(logger: Logger, stopping: { message: string; error: string }, stop: () => Promise<unknown>): Promise<number> {
  return new Promise<number>((resolveExit) => {
    let stopped = false;
    const shutdown = (signal: string) => {
      if (stopped) return;
      stopped = true;
      logger.info({ signal }, stopping.message);
      stop()
        .then(() => resolveExit(EXIT.OK))
        .catch((err: unknown) => {
          logger.error({ err }, stopping.error);
          resolveExit(EXIT.FAILURE);
        })
        .finally(() => logger.flush());
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}
