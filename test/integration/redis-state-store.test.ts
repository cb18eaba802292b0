import { afterAll, beforeAll, describe, it } from 'vitest';
import { RedisStateStore } from '../../src/state/redis-state-store.js';
import { defineStateStoreContract } from '../../src/state/state-store.contract.js';
import { missingServerPolicy } from '../helpers/servers/common.js';
import { redisMissing, startRedis, type RedisServer } from '../helpers/servers/redis.js';

const missing = redisMissing();
const policy = missingServerPolicy(missing);

if (policy === 'fail') {
  describe('StateStore on Redis', () => {
    it('needs redis-server', () => {
      throw new Error(`${missing} (CI=true: the integration tests must run)`);
    });
  });
} else if (policy === 'skip') {
  describe.skip(`StateStore on Redis — skipped: ${missing}`, () => {
    it('needs redis-server', () => undefined);
  });
} else {
  let server: RedisServer | undefined;
  let run = 0;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  // Two clients (two "instances") on one Redis; a fresh key prefix per test.
  defineStateStoreContract('Redis', async () => {
    if (server === undefined) throw new Error('redis-server did not start');
    const prefix = `contract${++run}:`;
    const a = new RedisStateStore(server.url, prefix);
    const b = new RedisStateStore(server.url, prefix);
    return {
      a,
      b,
      close: async () => {
        await a.close();
        await b.close();
      },
    };
  });
}
