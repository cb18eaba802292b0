import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { defineIocStoreContract } from './ioc-store.contract.js';

// PostgreSQL and MariaDB run the same contract in test/integration/store-*.test.ts.
const root = mkdtempSync(join(tmpdir(), 'vigil-ioc-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let databases = 0;
defineIocStoreContract('SQLite', async () => `sqlite:${join(root, `db-${++databases}.db`)}`);
