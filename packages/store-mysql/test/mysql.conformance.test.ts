import { describeStoreConformance } from '@guard/testkit';
import { describeWithDatabase } from '../../store-kysely/test-support/databases.js';
import { sqlHarness } from '../../store-kysely/test-support/sql-harness.js';
import { mysqlStore } from '../src/index.js';

await describeWithDatabase('mysql', 'mysql store', (url) => {
  describeStoreConformance('mysql store', {
    harness: () =>
      sqlHarness({ dialect: 'mysql', url, open: ({ prefix }) => mysqlStore({ uri: url, tablePrefix: prefix }) }),
  });
});
