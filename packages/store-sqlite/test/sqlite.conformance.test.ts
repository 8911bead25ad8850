import { describeStoreConformance } from '@guard/testkit';
import { sqlHarness } from '../../store-kysely/test-support/sql-harness.js';
import { sqliteStore } from '../src/index.js';

describeStoreConformance('sqlite store', {
  harness: () =>
    sqlHarness({ dialect: 'sqlite', open: ({ filename, prefix }) => sqliteStore({ filename, tablePrefix: prefix }) }),
  optOut: [
    'concurrency > two transactions can be open at the same time',
    'concurrency > a claim of effects skips the rows another open transaction holds',
    'concurrency > a claim of timers skips the rows another open transaction holds',
    'concurrency > concurrent workers each get a full batch of distinct effects',
  ],
});
