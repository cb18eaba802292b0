import { MemoryStateStore } from './memory-state-store.js';
import { defineStateStoreContract } from './state-store.contract.js';

// One in-process store seen by two "instances".
defineStateStoreContract('memory', async () => {
  const store = new MemoryStateStore();
  return { a: store, b: store, close: () => store.close() };
});
