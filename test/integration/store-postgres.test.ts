import { afterAll, beforeAll, describe, it } from 'vitest';
import { defineStoreContract } from '../../src/store/store.contract.js';
import { defineIocStoreContract } from '../../src/intel/ioc-store.contract.js';
import { missingServerPolicy } from '../helpers/servers/common.js';
import { postgresMissing, startPostgres, type PostgresServer } from '../helpers/servers/postgres.js';

const missing = postgresMissing();
const policy = missingServerPolicy(missing);

if (policy === 'fail') {
  describe('store on PostgreSQL', () => {
    it('needs the PostgreSQL server binaries', () => {
      throw new Error(`${missing} (CI=true: the integration tests must run)`);
    });
  });
} else if (policy === 'skip') {
  describe.skip(`store on PostgreSQL — skipped: ${missing}`, () => {
    it('needs PostgreSQL', () => undefined);
  });
} else {
  let server: PostgresServer | undefined;
  let databases = 0;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  const running = (): PostgresServer => {
    if (server === undefined) throw new Error('PostgreSQL did not start');
    return server;
  };
  defineStoreContract('PostgreSQL', () => ({
    newDatabase: () => running().createDatabase(`vigil_${++databases}`),
    takeDown: () => running().stop(),
    bringUp: () => running().start(),
  }));
  defineIocStoreContract('PostgreSQL', () => running().createDatabase(`vigil_${++databases}`));
}
