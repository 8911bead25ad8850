/**
 * The multi-process claim race, shared by the SQL store packages: several
 * child Node processes race to claim the same unowned customers, each claim
 * in a transaction with its audit entry. The parent checks that every
 * customer has exactly one owner, that the claims add up, and that the
 * audit chain verifies.
 *
 * The parent side is here; each store package has a small worker script
 * that calls `claimRaceWorker` (in `claim-race-worker.ts`) with its own
 * factory.
 */
import { fileURLToPath } from 'node:url';
import type { VerifyResult } from '@guard/core';
import { expect } from 'vitest';
import type { KyselyStore } from '../src/index.js';
import { raceChildren, startChild } from './child-process.js';
import {
  raceCustomerId as customerId,
  RACE_CUSTOMERS,
  RACE_TENANT,
  RACE_WORKERS,
  raceAuditLog,
} from './claim-race-worker.js';
import type { SqlHarness } from './sql-harness.js';

const at = '2026-11-02T02:00:00.000Z';

/** What the race left behind. */
export interface ClaimRaceOutcome {
  /** The customers each worker says it won. */
  readonly won: readonly (readonly string[])[];
  /** Each customer's owner, read back through the store. */
  readonly owners: ReadonlyMap<string, string | null>;
  readonly verify: VerifyResult;
}

/**
 * Seeds `store` (migrated) with the tenant and its unowned customers, runs
 * the workers (each gets `target`, `prefix` and its index) and reads the
 * outcome back.
 */
export async function runClaimRace(options: {
  readonly store: KyselyStore;
  /** The worker script, run with `node --conditions=@guard/source --import tsx`. */
  readonly workerScript: string | URL;
  /** What the worker opens: a database URL or a SQLite file name. */
  readonly target: string;
  readonly prefix: string;
}): Promise<ClaimRaceOutcome> {
  const { store } = options;
  await store.transaction(async (tx) => {
    await tx.putTenant({ id: RACE_TENANT, name: 'Race', timeZone: 'UTC', createdAt: at, updatedAt: at });
    for (let i = 0; i < RACE_CUSTOMERS; i++) {
      await tx.putCustomer(
        {
          tenantId: RACE_TENANT,
          id: customerId(i),
          name: `Customer ${i}`,
          ownerId: null,
          unitId: 'hq',
          fields: {},
          externalRefs: {},
          version: 1,
          createdAt: at,
          updatedAt: at,
        },
        null,
      );
    }
  });
  const script = typeof options.workerScript === 'string' ? options.workerScript : fileURLToPath(options.workerScript);
  const won = await raceChildren(
    Array.from({ length: RACE_WORKERS }, (_, w) =>
      startChild<string[]>(script, [options.target, options.prefix, String(w)], `claim race worker ${w}`),
    ),
  );
  const customers = await store.transaction((tx) =>
    tx.getCustomers(
      RACE_TENANT,
      Array.from({ length: RACE_CUSTOMERS }, (_, i) => customerId(i)),
    ),
  );
  return {
    won,
    owners: new Map(customers.map((c) => [c.id, c.ownerId])),
    verify: await raceAuditLog().verify(store, RACE_TENANT),
  };
}

/**
 * Runs the race on a fresh harness and checks it: exactly one owner per
 * customer (the worker that says it won it), as many successful claims as
 * customers, a chain that verifies, and a head at the number of entries.
 */
export async function expectCleanClaimRace(
  harness: SqlHarness,
  workerScript: string | URL,
  options: {
    /**
     * Require more than one worker to win something (default). SQLite's busy
     * handler is not fair: the process that holds the file tends to win every
     * claim while the others sleep, which is correct, but no race.
     */
    readonly contended?: boolean;
  } = {},
): Promise<void> {
  const outcome = await runClaimRace({
    store: harness.store,
    workerScript,
    target: harness.target,
    prefix: harness.prefix,
  });
  const winners = new Map<string, string>();
  outcome.won.forEach((ids, w) => {
    for (const id of ids) {
      expect(winners.get(id), `${id} was won by both ${winners.get(id)} and e-${w}`).toBeUndefined();
      winners.set(id, `e-${w}`);
    }
  });
  const counts = outcome.won.map((ids) => ids.length);
  expect(
    counts.reduce((n, c) => n + c, 0),
    `claims won per worker: ${counts.join(', ')}`,
  ).toBe(RACE_CUSTOMERS);
  // A race, not a relay: more than one worker won something.
  if (options.contended !== false)
    expect(counts.filter((c) => c > 0).length, `claims won per worker: ${counts.join(', ')}`).toBeGreaterThan(1);
  expect(outcome.owners.size).toBe(RACE_CUSTOMERS);
  for (const [id, owner] of outcome.owners) expect(owner, id).toBe(winners.get(id));
  expect(outcome.verify).toMatchObject({ ok: true, entries: RACE_CUSTOMERS });
  const entries = await harness.raw.auditEntries(RACE_TENANT);
  expect(entries).toHaveLength(RACE_CUSTOMERS);
  expect(await harness.raw.auditHead(RACE_TENANT)).toMatchObject({ seq: entries.length });
}
