import { describe, it } from 'vitest';
import { expectCleanClaimRace } from '../../store-kysely/test-support/claim-race.js';
import { sqlHarness } from '../../store-kysely/test-support/sql-harness.js';
import { sqliteStore } from '../src/index.js';

describe('sqlite store across processes', () => {
  it('4 processes on one SQLite file racing to claim 100 customers: one owner each, 100 claims, a chain that verifies', async () => {
    const harness = await sqlHarness({
      dialect: 'sqlite',
      open: ({ filename, prefix }) => sqliteStore({ filename, tablePrefix: prefix }),
    });
    try {
      // One writer at a time: who wins is up to SQLite's (unfair) busy handler, so there is no contention to require.
      await expectCleanClaimRace(harness, new URL('./claim-race.worker.ts', import.meta.url), { contended: false });
    } finally {
      await harness.cleanup();
    }
  }, 120_000);
});
