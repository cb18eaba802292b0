import type { Logger } from 'pino';
import type { StateConfig } from './config.js';
import { MemoryStateStore } from './memory-state-store.js';
import { RedisStateStore } from './redis-state-store.js';
import type { StateStore } from './state-store.js';

export { stateConfigSchema, type StateConfig } from './config.js';
export type { StateStore } from './state-store.js';

/** StateStore registry: one implementation per `backend`. */
export function createStateStore(config: StateConfig, logger?: Logger): StateStore {
  switch (config.backend) {
    case 'memory':
      return new MemoryStateStore();
    case 'redis':
      return new RedisStateStore(config.redis.url, config.redis.keyPrefix, logger);
  }
}
