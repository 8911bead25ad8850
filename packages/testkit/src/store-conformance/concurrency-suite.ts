import type { OutboxEffect, StoreTransaction, TimerRecord } from '@guard/core';
import { expect } from 'vitest';
import { defineSuite } from './define-suite.js';
import {
  appendEntries,
  auditLog,
  claim,
  customerRecord,
  instant,
  inTx,
  newEffect,
  newTimer,
  signal,
  sortBy,
  TENANT,
  within,
} from './fixtures.js';
import type { StoreHarness } from './harness.js';

/** How long a transaction may take to get going while another one is open. */
const PATIENCE_MS = 2000;

/** A promise's outcome, so that it never goes unhandled while the test waits on something else. */
const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

async function seedDueEffects(h: StoreHarness, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `fx-${String(i).padStart(2, '0')}`);
  await inTx(h, (tx) =>
    tx.enqueueEffects(ids.map((id, i) => newEffect(TENANT, id, id, { availableAt: instant(i - count) }))),
  );
  return ids;
}

async function seedDueTimers(h: StoreHarness, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `tm-${String(i).padStart(2, '0')}`);
  await inTx(h, async (tx) => {
    for (const [i, id] of ids.entries())
      await tx.scheduleTimer(newTimer(TENANT, id, id, { dueAt: instant(i - count) }));
  });
  return ids;
}

/** Checks that every row went to one worker only, and that the raw lease owner is that worker. */
async function expectDisjointClaims(
  batches: readonly (readonly (OutboxEffect | TimerRecord)[])[],
  rawOwners: () => Promise<readonly { id: string; leaseOwner: string | null }[]>,
) {
  const owner = new Map<string, string>();
  for (const [worker, batch] of batches.entries()) {
    for (const row of batch) {
      expect(owner.get(row.id), `${row.id} was leased to both ${owner.get(row.id)} and w-${worker}`).toBeUndefined();
      expect(row.leaseOwner).toBe(`w-${worker}`);
      owner.set(row.id, `w-${worker}`);
    }
  }
  expect(owner.size).toBeGreaterThan(0);
  for (const row of await rawOwners()) {
    if (owner.has(row.id)) expect(row.leaseOwner, row.id).toBe(owner.get(row.id));
  }
  return owner;
}

function requireConcurrency(h: StoreHarness): void {
  if (!h.store.capabilities.concurrentTransactions) {
    throw new Error(
      `${h.store.name} declares skipLocked but not concurrentTransactions: skipping rows another transaction holds needs transactions that run at the same time`,
    );
  }
}

/** Claims in a transaction that stays open until released, and a second claim while it is. */
async function expectClaimSkipsHeldRows<R extends { id: string }>(
  h: StoreHarness,
  claimRows: (tx: StoreTransaction, workerId: string, limit: number) => Promise<R[]>,
  ids: readonly string[],
) {
  requireConcurrency(h);
  const claimed = signal();
  const release = signal();
  const first = settle(
    h.store.transaction(async (tx) => {
      const rows = await claimRows(tx, 'w-1', 2);
      claimed.fire();
      await release.promise;
      return rows;
    }),
  );
  let second: Awaited<ReturnType<typeof settle<R[]>>> | undefined;
  try {
    await within(claimed.promise, PATIENCE_MS, 'the first claim did not finish');
    second = await within(
      settle(h.store.transaction((tx) => claimRows(tx, 'w-2', 100))),
      PATIENCE_MS,
      `a claim waited for rows another open transaction holds; a store with skipLocked must skip them`,
    );
  } finally {
    release.fire();
  }
  const held = await first;
  if (!held.ok) throw held.error;
  if (!second.ok) throw second.error;
  expect(held.value.map((r) => r.id)).toEqual(ids.slice(0, 2));
  expect(second.value.map((r) => r.id)).toEqual(ids.slice(2));
}

export const concurrencySuite = defineSuite('concurrency', {
  'concurrent appenders to one tenant queue behind the audit head, and the chain verifies': async (h) => {
    const { log } = auditLog(4);
    const writers = 6;
    const results = await Promise.allSettled(
      Array.from({ length: writers }, (_, i) =>
        h.store.transaction(async (tx) => {
          await tx.putCustomer(customerRecord(TENANT, `c-${i}`), null);
          return appendEntries(log, tx, TENANT, 2, { actorId: `e-${i}` });
        }),
      ),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(failures, 'every appender must succeed: appenders queue behind the locked head').toEqual([]);
    const rows = sortBy(await h.raw.auditEntries(TENANT), (r) => r.seq);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: writers * 2 }, (_, i) => i + 1));
    // Each transaction's two entries are adjacent: nobody appended in between.
    for (let i = 0; i < rows.length; i += 2) expect(rows[i]?.actorId).toBe(rows[i + 1]?.actorId);
    expect(await log.verify(h.store, TENANT)).toMatchObject({ ok: true, entries: writers * 2 });
    expect(await h.raw.customers(TENANT)).toHaveLength(writers);
  },

  'concurrent claimEffects calls never lease one effect to two workers': async (h) => {
    const ids = await seedDueEffects(h, 12);
    const batches = await Promise.all(
      Array.from({ length: 6 }, (_, w) => h.store.transaction((tx) => tx.claimEffects(claim(`w-${w}`, { limit: 3 })))),
    );
    const owner = await expectDisjointClaims(batches, () => h.raw.effects(TENANT));
    for (const id of owner.keys()) expect(ids).toContain(id);
  },

  'concurrent claimTimers calls never lease one timer to two workers': async (h) => {
    const ids = await seedDueTimers(h, 12);
    const batches = await Promise.all(
      Array.from({ length: 6 }, (_, w) => h.store.transaction((tx) => tx.claimTimers(claim(`w-${w}`, { limit: 3 })))),
    );
    const owner = await expectDisjointClaims(batches, () => h.raw.timers(TENANT));
    for (const id of owner.keys()) expect(ids).toContain(id);
  },

  'two transactions can be open at the same time': {
    requires: 'concurrentTransactions',
    run: async (h) => {
      await inTx(h, async (tx) => {
        await tx.putCustomer(customerRecord(TENANT, 'c-1'), null);
        await tx.putCustomer(customerRecord(TENANT, 'c-2'), null);
      });
      const boom = new Error('roll back the first transaction');
      const written = signal();
      const release = signal();
      const secondWrote = signal();
      const first = settle(
        h.store.transaction(async (tx) => {
          await tx.putCustomer(customerRecord(TENANT, 'c-1', { name: 'uncommitted', version: 2 }), 1);
          written.fire();
          await release.promise;
          throw boom;
        }),
      );
      let second: ReturnType<typeof settle<string | undefined>> | undefined;
      try {
        await within(written.promise, PATIENCE_MS, 'the first transaction did not write');
        second = settle(
          h.store.transaction(async (tx) => {
            await tx.putCustomer(customerRecord(TENANT, 'c-2', { name: 'committed', version: 2 }), 1);
            secondWrote.fire();
            // Whether this read waits for the first transaction or not, it must not see its write.
            return (await tx.getCustomer(TENANT, 'c-1'))?.name;
          }),
        );
        await within(
          secondWrote.promise,
          PATIENCE_MS,
          'a second transaction could not write while the first was open, though the store declares concurrentTransactions',
        );
      } finally {
        release.fire();
      }
      const firstOutcome = await first;
      expect(firstOutcome.ok ? 'committed' : firstOutcome.error).toBe(boom);
      expect(await second).toEqual({ ok: true, value: 'Customer c-1' });
      expect(sortBy(await h.raw.customers(TENANT), (c) => c.id).map((c) => [c.name, c.version])).toEqual([
        ['Customer c-1', 1],
        ['committed', 2],
      ]);
    },
  },

  'a claim of effects skips the rows another open transaction holds': {
    requires: 'skipLocked',
    run: async (h) => {
      const ids = await seedDueEffects(h, 5);
      await expectClaimSkipsHeldRows(h, (tx, workerId, limit) => tx.claimEffects(claim(workerId, { limit })), ids);
    },
  },

  'a claim of timers skips the rows another open transaction holds': {
    requires: 'skipLocked',
    run: async (h) => {
      const ids = await seedDueTimers(h, 5);
      await expectClaimSkipsHeldRows(h, (tx, workerId, limit) => tx.claimTimers(claim(workerId, { limit })), ids);
    },
  },

  'concurrent workers each get a full batch of distinct effects': {
    requires: 'skipLocked',
    run: async (h) => {
      requireConcurrency(h);
      const ids = await seedDueEffects(h, 12);
      const batches = await Promise.all(
        Array.from({ length: 4 }, (_, w) =>
          h.store.transaction((tx) => tx.claimEffects(claim(`w-${w}`, { limit: 3 }))),
        ),
      );
      expect(batches.map((b) => b.length)).toEqual([3, 3, 3, 3]);
      const owner = await expectDisjointClaims(batches, () => h.raw.effects(TENANT));
      expect([...owner.keys()].sort()).toEqual(ids);
    },
  },
});
