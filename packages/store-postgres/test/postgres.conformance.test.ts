import { describeStoreConformance } from '@guard/testkit';
import { describeWithDatabase } from '../../store-kysely/test-support/databases.js';
import { sqlHarness } from '../../store-kysely/test-support/sql-harness.js';
import { postgresStore } from '../src/index.js';

await describeWithDatabase('postgres', 'postgres store', (url) => {
  describeStoreConformance('postgres store', {
    harness: () =>
      sqlHarness({
        dialect: 'postgres',
        url,
        open: ({ prefix }) => postgresStore({ connectionString: url, tablePrefix: prefix }),
      }),
  });
});
