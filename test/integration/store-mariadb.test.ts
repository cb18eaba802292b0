import { afterAll, beforeAll, describe, it } from 'vitest';
import { defineStoreContract } from '../../src/store/store.contract.js';
import { defineIocStoreContract } from '../../src/intel/ioc-store.contract.js';
import { missingServerPolicy } from '../helpers/servers/common.js';
import { mariadbMissing, startMariadb, type MariadbServer } from '../helpers/servers/mariadb.js';

const missing = mariadbMissing();
const policy = missingServerPolicy(missing);

if (policy === 'fail') {
  describe('store on MariaDB', () => {
    it('needs the MariaDB server binaries', () => {
      throw new Error(`${missing} (CI=true: the integration tests must run)`);
    });
  });
} else if (policy === 'skip') {
  describe.skip(`store on MariaDB — skipped: ${missing}`, () => {
    it('needs MariaDB', () => undefined);
  });
} else {
  let server: MariadbServer | undefined;
  let databases = 0;
  beforeAll(async () => {
    server = await startMariadb();
  });
  afterAll(async () => {
    await server?.destroy();
  });
  const running = (): MariadbServer => {
    if (server === undefined) throw new Error('MariaDB did not start');
    return server;
  };
  defineStoreContract('MariaDB', () => ({
    newDatabase: () => running().createDatabase(`vigil_${++databases}`),
    takeDown: () => running().stop(),
    bringUp: () => running().start(),
  }));
  defineIocStoreContract('MariaDB', () => running().createDatabase(`vigil_${++databases}`));
}
