import { resolve } from 'node:path';
import type { VigilConfig } from '../core/config.js';
import { openStore, parseStoreUrl, StoreError, type Store, type StoreTarget } from '../store/index.js';

import { StoreCommandError } from './store-command-error.js';

// Its own module so that the CLI can recognise it without loading the store.
export { StoreCommandError };

export function storeTarget(config: VigilConfig): StoreTarget {
  return parseStoreUrl(config.store.url, resolve(config.dataDir));
}

/** Opens the configured store (migrating it, as the service does), runs `use`, closes it. */
export async function withStore<T>(config: VigilConfig, use: (store: Store) => Promise<T>): Promise<T> {
  if (!config.store.enabled) throw new StoreCommandError('the store is disabled (store.enabled: false)');
  let store: Store;
  try {
    store = await openStore(config.store, resolve(config.dataDir));
  } catch (err) {
    throw new StoreCommandError(err instanceof StoreError ? err.message : `cannot open the store: ${(err as Error).message}`);
  }
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Who did it, for audit entries written from the command line. */
export function cliActor(explicit: string | undefined): string {
  if (explicit !== undefined && explicit !== '') return explicit;
  const user = process.env.SUDO_USER ?? process.env.USER ?? process.env.LOGNAME;
  return `cli:${user ?? 'unknown'}`;
}
