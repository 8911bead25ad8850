import { it } from 'vitest';
import { expectCleanClaimRace } from '../../store-kysely/test-support/claim-race.js';
import { describeWithDatabase } from '../../store-kysely/test-support/databases.js';
import { sqlHarness } from '../../store-kysely/test-support/sql-harness.js';
import { mysqlStore } from '../src/index.js';

await describeWithDatabase('mysql', 'mysql store across processes', (url) => {
  it('4 processes racing to claim 100 customers: one owner each, 100 claims, a chain that verifies', async () => {
    const harness = await sqlHarness({
      dialect: 'mysql',
      url,
      open: ({ prefix }) => mysqlStore({ uri: url, tablePrefix: prefix }),
    });
    try {
      await expectCleanClaimRace(harness, new URL('./claim-race.worker.ts', import.meta.url));
    } finally {
      await harness.cleanup();
    }
  }, 120_000);
});
