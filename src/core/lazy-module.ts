import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS client library loaded on first use, not when Vigil starts:
 * every `vigil` command imports the configuration (and with it the Kafka and
 * Redis components), but only a service that uses them should pay for
 * loading their clients.
 */
export function lazyModule<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}
