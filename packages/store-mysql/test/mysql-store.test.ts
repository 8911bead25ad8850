import { createPool } from 'mysql2';
import { describe, expect, it } from 'vitest';
import { describeWithDatabase } from '../../store-kysely/test-support/databases.js';
import { expectRefusedConnection } from '../../store-kysely/test-support/refused-connection.js';
import { mysqlStore } from '../src/index.js';

describe('mysqlStore', () => {
  it('is a StoreError with a hint when nothing listens at the URL', async () => {
    await expectRefusedConnection(mysqlStore({ uri: 'mysql://root@127.0.0.1:1/test', connectTimeoutMs: 3000 }));
  });
});

await describeWithDatabase('mysql', 'mysqlStore on a server', (url) => {
  it('leaves a pool of yours open when the store closes', async () => {
    const pool = createPool({ uri: url, connectionLimit: 2 });
    try {
      const store = mysqlStore({ pool });
      expect(store.capabilities).toEqual({ concurrentTransactions: true, skipLocked: true });
      await store.close();
      const [rows] = await pool.promise().query('select 1 as one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.promise().end();
    }
  });
});
