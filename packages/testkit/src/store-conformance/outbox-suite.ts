import type { NewOutboxEffect, OutboxEffect } from '@guard/core';
import { expect } from 'vitest';
import { defineSuite } from './define-suite.js';
import {
  CLOCK_SKEW_MS,
  claim,
  claimedOnStoreClock,
  instant,
  inTx,
  leaseEnded,
  newEffect,
  newTimer,
  OTHER_TENANT,
  sortBy,
  TENANT,
} from './fixtures.js';
import type { StoreHarness } from './harness.js';

/** An effect as enqueued, before any claim. */
const pending = (effect: NewOutboxEffect): OutboxEffect => ({
  ...effect,
  status: 'pending',
  attempts: 0,
  lastError: null,
  leaseOwner: null,
  leaseUntil: null,
});

const ids = (effects: readonly { id: string }[]) => effects.map((e) => e.id);

/** The raw rows and the port's view of the effects with these keys, to compare before and after. */
async function state(h: StoreHarness, keys: readonly string[]) {
  const viaPort = await inTx(h, async (tx) => {
    const out: (OutboxEffect | null)[] = [];
    for (const key of keys) out.push(await tx.getEffect(TENANT, key));
    return out;
  });
  return { raw: sortBy(await h.raw.effects(TENANT), (r) => r.id), viaPort };
}

export const outboxSuite = defineSuite('outbox', {
  'enqueueEffects adds pending effects with no attempts and returns how many': async (h) => {
    const first = newEffect(TENANT, 'fx-1', 'wf-1:notify-manager');
    const second = newEffect(TENANT, 'fx-2', 'wf-1:crm-transfer', {
      kind: 'crm.transfer',
      payload: { customers: ['c-1', 'c-2'], from: 'e-7', to: 'e-8', note: '离职交接', dryRun: false, batch: 1 },
      availableAt: instant(60_000),
      createdAt: instant(-1),
    });
    expect(await inTx(h, (tx) => tx.enqueueEffects([first, second]))).toBe(2);
    expect(await inTx(h, (tx) => tx.enqueueEffects([]))).toBe(0);
    expect(await inTx(h, (tx) => tx.getEffect(TENANT, 'wf-1:notify-manager'))).toEqual(pending(first));
    expect(await inTx(h, (tx) => tx.getEffect(TENANT, 'wf-1:crm-transfer'))).toEqual(pending(second));
    expect(sortBy(await h.raw.effects(TENANT), (r) => r.id)).toEqual([
      { id: 'fx-1', idempotencyKey: 'wf-1:notify-manager', status: 'pending', attempts: 0, leaseOwner: null },
      { id: 'fx-2', idempotencyKey: 'wf-1:crm-transfer', status: 'pending', attempts: 0, leaseOwner: null },
    ]);
  },

  'enqueueEffects ignores an idempotency key already in the outbox, keeping the first': async (h) => {
    const first = newEffect(TENANT, 'fx-1', 'wf-1:step-1', { payload: { n: 1 } });
    expect(await inTx(h, (tx) => tx.enqueueEffects([first]))).toBe(1);
    const again = newEffect(TENANT, 'fx-9', 'wf-1:step-1', { payload: { n: 2 }, availableAt: instant(-1) });
    const other = newEffect(TENANT, 'fx-2', 'wf-1:step-2');
    expect(await inTx(h, (tx) => tx.enqueueEffects([again, other]))).toBe(1);
    expect(await inTx(h, (tx) => tx.getEffect(TENANT, 'wf-1:step-1'))).toEqual(pending(first));
    // Still ignored once the first was delivered: a retried command must not deliver twice.
    await inTx(h, async (tx) => {
      expect(ids(await tx.claimEffects(claim('w-1', { limit: 1 })))).toEqual(['fx-1']);
      expect(await tx.settleEffect('fx-1', 'w-1', { status: 'done' })).toBe(true);
    });
    expect(await inTx(h, (tx) => tx.enqueueEffects([newEffect(TENANT, 'fx-10', 'wf-1:step-1')]))).toBe(0);
    expect(sortBy(await h.raw.effects(TENANT), (r) => r.id).map((r) => [r.id, r.idempotencyKey, r.status])).toEqual([
      ['fx-1', 'wf-1:step-1', 'done'],
      ['fx-2', 'wf-1:step-2', 'pending'],
    ]);
  },

  'idempotency keys are unique per tenant, not across tenants': async (h) => {
    const mine = newEffect(TENANT, 'fx-1', 'wf-1:notify');
    const theirs = newEffect(OTHER_TENANT, 'fx-2', 'wf-1:notify', { payload: { theirs: true } });
    expect(await inTx(h, (tx) => tx.enqueueEffects([mine]))).toBe(1);
    expect(await inTx(h, (tx) => tx.enqueueEffects([theirs]))).toBe(1);
    expect(await inTx(h, (tx) => tx.getEffect(TENANT, 'wf-1:notify'))).toEqual(pending(mine));
    expect(await inTx(h, (tx) => tx.getEffect(OTHER_TENANT, 'wf-1:notify'))).toEqual(pending(theirs));
    expect(ids(await h.raw.effects(TENANT))).toEqual(['fx-1']);
    expect(ids(await h.raw.effects(OTHER_TENANT))).toEqual(['fx-2']);
  },

  'getEffect is null for an unknown idempotency key': async (h) => {
    await inTx(h, (tx) => tx.enqueueEffects([newEffect(OTHER_TENANT, 'fx-1', 'wf-1:notify')]));
    expect(await inTx(h, (tx) => tx.getEffect(TENANT, 'wf-1:notify'))).toBeNull();
    expect(await inTx(h, (tx) => tx.getEffect(TENANT, 'nope'))).toBeNull();
  },

  'claimEffects leases only due, pending, unleased effects, oldest availableAt first, then id': async (h) => {
    // f stays leased by w-0; g is done; h is dead.
    await inTx(h, (tx) =>
      tx.enqueueEffects(
        ['fx-f', 'fx-g', 'fx-h'].map((id) => newEffect(TENANT, id, id, { availableAt: instant(-5000) })),
      ),
    );
    await inTx(h, async (tx) => {
      expect(ids(await tx.claimEffects(claim('w-0', { now: instant(-4000) })))).toEqual(['fx-f', 'fx-g', 'fx-h']);
      expect(await tx.settleEffect('fx-g', 'w-0', { status: 'done' })).toBe(true);
      expect(await tx.settleEffect('fx-h', 'w-0', { status: 'dead', error: 'gave up' })).toBe(true);
    });
    await inTx(h, (tx) =>
      tx.enqueueEffects([
        newEffect(TENANT, 'fx-e', 'fx-e', { availableAt: instant(1) }),
        newEffect(TENANT, 'fx-c', 'fx-c', { availableAt: instant(-1000) }),
        newEffect(TENANT, 'fx-d', 'fx-d', { availableAt: instant(0) }),
        newEffect(TENANT, 'fx-a', 'fx-a', { availableAt: instant(-1000) }),
        newEffect(TENANT, 'fx-b', 'fx-b', { availableAt: instant(-2000) }),
      ]),
    );
    const claimed = await inTx(h, (tx) => tx.claimEffects(claim('w-1', { now: instant(0) })));
    expect(ids(claimed)).toEqual(['fx-b', 'fx-a', 'fx-c', 'fx-d']);
    expect(claimed.every((e) => e.leaseOwner === 'w-1' && e.status === 'pending')).toBe(true);
  },

  'claimEffects returns at most limit effects': async (h) => {
    await inTx(h, (tx) =>
      tx.enqueueEffects(
        ['fx-1', 'fx-2', 'fx-3', 'fx-4', 'fx-5'].map((id, i) =>
          newEffect(TENANT, id, id, { availableAt: instant(-i) }),
        ),
      ),
    );
    const batches = await inTx(h, async (tx) => [
      ids(await tx.claimEffects(claim('w-1', { limit: 2 }))),
      ids(await tx.claimEffects(claim('w-2', { limit: 2 }))),
      ids(await tx.claimEffects(claim('w-3', { limit: 2 }))),
    ]);
    expect(batches).toEqual([['fx-5', 'fx-4'], ['fx-3', 'fx-2'], ['fx-1']]);
    expect(sortBy(await h.raw.effects(TENANT), (r) => r.id).map((r) => r.leaseOwner)).toEqual([
      'w-3',
      'w-2',
      'w-2',
      'w-1',
      'w-1',
    ]);
  },

  'claimEffects sets the lease owner, leaseUntil = the store clock now + leaseMs and one more attempt': async (h) => {
    const effect = newEffect(TENANT, 'fx-1', 'wf-1:notify');
    await inTx(h, (tx) => tx.enqueueEffects([effect]));
    const claimed = await claimedOnStoreClock(30_000, () =>
      inTx(h, (tx) => tx.claimEffects(claim('w-1', { now: instant(1000), leaseMs: 30_000 }))),
    );
    const leased = { ...pending(effect), attempts: 1, leaseOwner: 'w-1', leaseUntil: claimed[0]?.leaseUntil ?? null };
    expect(claimed).toEqual([leased]);
    expect(await inTx(h, (tx) => tx.getEffect(TENANT, 'wf-1:notify'))).toEqual(leased);
    expect(await h.raw.effects(TENANT)).toEqual([
      { id: 'fx-1', idempotencyKey: 'wf-1:notify', status: 'pending', attempts: 1, leaseOwner: 'w-1' },
    ]);
  },

  'a second claim at the same now gets nothing': async (h) => {
    await inTx(h, (tx) => tx.enqueueEffects([newEffect(TENANT, 'fx-1', 'k-1'), newEffect(TENANT, 'fx-2', 'k-2')]));
    expect(ids(await inTx(h, (tx) => tx.claimEffects(claim('w-1'))))).toEqual(['fx-1', 'fx-2']);
    const before = await state(h, ['k-1', 'k-2']);
    expect(await inTx(h, (tx) => tx.claimEffects(claim('w-2')))).toEqual([]);
    expect(await inTx(h, (tx) => tx.claimEffects(claim('w-1')))).toEqual([]);
    expect(await state(h, ['k-1', 'k-2'])).toEqual(before);
  },

  'a lease holds on the store clock, however far ahead the clock of the next worker runs': async (h) => {
    await inTx(h, (tx) => tx.enqueueEffects([newEffect(TENANT, 'fx-1', 'k-1')]));
    await inTx(h, (tx) => tx.claimEffects(claim('w-1', { now: instant(0), leaseMs: 60_000 })));
    const before = await state(h, ['k-1']);
    for (const ahead of [120_000, 86_400_000, 10 * 365 * 86_400_000]) {
      expect(
        await inTx(h, (tx) => tx.claimEffects(claim('w-2', { now: instant(ahead) }))),
        `${ahead} ms ahead`,
      ).toEqual([]);
    }
    expect(await state(h, ['k-1'])).toEqual(before);
  },

  'after the lease expires on the store clock another worker can claim the effect': async (h) => {
    const effect = newEffect(TENANT, 'fx-1', 'k-1');
    await inTx(h, (tx) => tx.enqueueEffects([effect]));
    const [first] = await inTx(h, (tx) => tx.claimEffects(claim('w-1', { now: instant(0), leaseMs: 1000 })));
    expect(await inTx(h, (tx) => tx.claimEffects(claim('w-2')))).toEqual([]);
    await leaseEnded(first?.leaseUntil ?? null);
    const reclaimed = await claimedOnStoreClock(60_000, () => inTx(h, (tx) => tx.claimEffects(claim('w-2'))));
    const expected = {
      ...pending(effect),
      attempts: 2,
      leaseOwner: 'w-2',
      leaseUntil: reclaimed[0]?.leaseUntil ?? null,
    };
    expect(reclaimed).toEqual([expected]);
    expect(await inTx(h, (tx) => tx.getEffect(TENANT, 'k-1'))).toEqual(expected);
    expect(await h.raw.effects(TENANT)).toEqual([
      { id: 'fx-1', idempotencyKey: 'k-1', status: 'pending', attempts: 2, leaseOwner: 'w-2' },
    ]);
  },

  'extendEffectLease moves the lease of its holder to the store clock now + leaseMs': async (h) => {
    const effect = newEffect(TENANT, 'fx-1', 'k-1');
    await inTx(h, (tx) => tx.enqueueEffects([effect]));
    const [short] = await inTx(h, (tx) => tx.claimEffects(claim('w-1', { leaseMs: 1000 })));
    const before = Date.now();
    const until = await inTx(h, (tx) => tx.extendEffectLease('fx-1', 'w-1', 60_000));
    expect(Date.parse(until ?? '')).toBeGreaterThanOrEqual(before + 60_000 - CLOCK_SKEW_MS);
    expect(Date.parse(until ?? '')).toBeLessThanOrEqual(Date.now() + 60_000 + CLOCK_SKEW_MS);
    expect(await inTx(h, (tx) => tx.getEffect(TENANT, 'k-1'))).toEqual({
      ...pending(effect),
      attempts: 1,
      leaseOwner: 'w-1',
      leaseUntil: until,
    });
    // The first lease has run out, the extended one holds: no one else gets the effect.
    await leaseEnded(short?.leaseUntil ?? null);
    expect(await inTx(h, (tx) => tx.claimEffects(claim('w-2')))).toEqual([]);
    expect(await inTx(h, (tx) => tx.settleEffect('fx-1', 'w-1', { status: 'done' }))).toBe(true);
  },

  'extendEffectLease by a worker that does not hold the lease returns null and writes nothing': async (h) => {
    await inTx(h, (tx) => tx.enqueueEffects([newEffect(TENANT, 'fx-1', 'k-1'), newEffect(TENANT, 'fx-2', 'k-2')]));
    const keys = ['k-1', 'k-2'];
    const extendFails = async (id: string, workerId: string) => {
      const before = await state(h, keys);
      expect(await inTx(h, (tx) => tx.extendEffectLease(id, workerId, 60_000)), `${workerId} extending ${id}`).toBe(
        null,
      );
      expect(await state(h, keys)).toEqual(before);
    };
    await extendFails('fx-1', 'w-1'); // never claimed
    await inTx(h, (tx) => tx.claimEffects(claim('w-1')));
    await extendFails('fx-1', 'w-2'); // leased to w-1
    await extendFails('fx-404', 'w-1'); // no such effect
    await inTx(h, (tx) => tx.settleEffect('fx-2', 'w-1', { status: 'done' }));
    await extendFails('fx-2', 'w-1'); // settled
  },

  'claimEffects serves every tenant, each effect carrying its own tenantId': async (h) => {
    const mine = newEffect(TENANT, 'fx-1', 'wf-1:notify', { availableAt: instant(-1000) });
    const theirs = newEffect(OTHER_TENANT, 'fx-2', 'wf-1:notify', { availableAt: instant(-2000), payload: { x: 1 } });
    await inTx(h, (tx) => tx.enqueueEffects([mine, theirs]));
    const lease = { attempts: 1, leaseOwner: 'w-1', leaseUntil: expect.any(String) };
    expect(await inTx(h, (tx) => tx.claimEffects(claim('w-1')))).toEqual([
      { ...pending(theirs), ...lease },
      { ...pending(mine), ...lease },
    ]);
    expect(await inTx(h, (tx) => tx.getEffect(OTHER_TENANT, 'wf-1:notify'))).toEqual({ ...pending(theirs), ...lease });
  },

  'settleEffect done: the effect is delivered, its lease cleared, and never claimed again': async (h) => {
    const effect = newEffect(TENANT, 'fx-1', 'k-1');
    await inTx(h, (tx) => tx.enqueueEffects([effect]));
    await inTx(h, (tx) => tx.claimEffects(claim('w-1')));
    expect(await inTx(h, (tx) => tx.settleEffect('fx-1', 'w-1', { status: 'done' }))).toBe(true);
    const settled = await inTx(h, (tx) => tx.getEffect(TENANT, 'k-1'));
    expect(settled).toMatchObject({ ...effect, status: 'done', attempts: 1, leaseOwner: null, leaseUntil: null });
    expect(await h.raw.effects(TENANT)).toEqual([
      { id: 'fx-1', idempotencyKey: 'k-1', status: 'done', attempts: 1, leaseOwner: null },
    ]);
    expect(await inTx(h, (tx) => tx.claimEffects(claim('w-2', { now: instant(86_400_000) })))).toEqual([]);
    expect(await inTx(h, (tx) => tx.settleEffect('fx-1', 'w-1', { status: 'done' }))).toBe(false);
  },

  'settleEffect pending: the effect is retried at the new availableAt, with the error recorded': async (h) => {
    const effect = newEffect(TENANT, 'fx-1', 'k-1');
    await inTx(h, (tx) => tx.enqueueEffects([effect]));
    await inTx(h, (tx) => tx.claimEffects(claim('w-1', { now: instant(0), leaseMs: 60_000 })));
    const outcome = { status: 'pending', availableAt: instant(300_000), error: 'HTTP 503' } as const;
    expect(await inTx(h, (tx) => tx.settleEffect('fx-1', 'w-1', outcome))).toBe(true);
    const retry = {
      ...effect,
      availableAt: instant(300_000),
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 503',
      leaseOwner: null,
      leaseUntil: null,
    };
    expect(await inTx(h, (tx) => tx.getEffect(TENANT, 'k-1'))).toEqual(retry);
    expect(await h.raw.effects(TENANT)).toEqual([
      { id: 'fx-1', idempotencyKey: 'k-1', status: 'pending', attempts: 1, leaseOwner: null },
    ]);
    // Unleased now, but not due before the new availableAt.
    expect(await inTx(h, (tx) => tx.claimEffects(claim('w-2', { now: instant(1000) })))).toEqual([]);
    expect(await inTx(h, (tx) => tx.claimEffects(claim('w-2', { now: instant(299_999) })))).toEqual([]);
    expect(await inTx(h, (tx) => tx.claimEffects(claim('w-2', { now: instant(300_000) })))).toEqual([
      { ...retry, attempts: 2, leaseOwner: 'w-2', leaseUntil: expect.any(String) },
    ]);
  },

  'settleEffect dead: the effect is given up on, with the error recorded, and never claimed again': async (h) => {
    const effect = newEffect(TENANT, 'fx-1', 'k-1');
    await inTx(h, (tx) => tx.enqueueEffects([effect]));
    await inTx(h, (tx) => tx.claimEffects(claim('w-1')));
    expect(
      await inTx(h, (tx) => tx.settleEffect('fx-1', 'w-1', { status: 'dead', error: 'HTTP 400: bad owner' })),
    ).toBe(true);
    expect(await inTx(h, (tx) => tx.getEffect(TENANT, 'k-1'))).toEqual({
      ...effect,
      status: 'dead',
      attempts: 1,
      lastError: 'HTTP 400: bad owner',
      leaseOwner: null,
      leaseUntil: null,
    });
    expect(await h.raw.effects(TENANT)).toEqual([
      { id: 'fx-1', idempotencyKey: 'k-1', status: 'dead', attempts: 1, leaseOwner: null },
    ]);
    expect(await inTx(h, (tx) => tx.claimEffects(claim('w-2', { now: instant(86_400_000) })))).toEqual([]);
  },

  'settleEffect by a worker that does not hold the lease returns false and writes nothing': async (h) => {
    await inTx(h, (tx) => tx.enqueueEffects([newEffect(TENANT, 'fx-1', 'k-1')]));
    const keys = ['k-1'];
    const settleFails = async (id: string, workerId: string) => {
      const before = await state(h, keys);
      for (const outcome of [
        { status: 'done' },
        { status: 'pending', availableAt: instant(999_999), error: 'retry' },
        { status: 'dead', error: 'dead' },
      ] as const) {
        expect(await inTx(h, (tx) => tx.settleEffect(id, workerId, outcome)), `${workerId} settling ${id}`).toBe(false);
      }
      expect(await state(h, keys)).toEqual(before);
    };
    await settleFails('fx-1', 'w-1'); // never claimed
    const [leased] = await inTx(h, (tx) => tx.claimEffects(claim('w-1', { leaseMs: 1000 })));
    await settleFails('fx-1', 'w-2'); // leased to w-1
    await settleFails('fx-404', 'w-1'); // no such effect
    await leaseEnded(leased?.leaseUntil ?? null);
    expect(await inTx(h, (tx) => tx.claimEffects(claim('w-2')))).toHaveLength(1);
    await settleFails('fx-1', 'w-1'); // w-1's lease expired and w-2 holds it now
    expect(await inTx(h, (tx) => tx.settleEffect('fx-1', 'w-2', { status: 'done' }))).toBe(true);
  },

  "backlog counts a tenant's pending, due, leased, retrying and dead effects and its timers, and nothing of another tenant":
    async (h) => {
      const none = {
        effects: { pending: 0, due: 0, leased: 0, retrying: 0, nextAt: null, dead: 0 },
        timers: { pending: 0, due: 0, leased: 0, nextAt: null },
      };
      expect(await inTx(h, (tx) => tx.backlog(TENANT, instant()))).toEqual(none);
      await inTx(h, async (tx) => {
        await tx.enqueueEffects([
          newEffect(TENANT, 'fx-1', 'k-1'), // claimed: leased
          newEffect(TENANT, 'fx-2', 'k-2'), // claimed, then failed: retried at +300 s
          newEffect(TENANT, 'fx-3', 'k-3'), // claimed, then given up on
          newEffect(TENANT, 'fx-4', 'k-4', { availableAt: instant(60_000) }), // not due yet
          newEffect(OTHER_TENANT, 'fx-9', 'k-9', { availableAt: instant(10_000) }),
        ]);
        await tx.scheduleTimers([
          newTimer(TENANT, 'tm-1', 'wf-1:a'), // claimed: leased
          newTimer(TENANT, 'tm-2', 'wf-1:b', { dueAt: instant(120_000) }),
          newTimer(OTHER_TENANT, 'tm-9', 'wf-9:a', { dueAt: instant(10_000) }),
        ]);
      });
      expect(ids(await inTx(h, (tx) => tx.claimEffects(claim('w-1', { limit: 3 }))))).toEqual(['fx-1', 'fx-2', 'fx-3']);
      expect(ids(await inTx(h, (tx) => tx.claimTimers(claim('w-1', { limit: 1 }))))).toEqual(['tm-1']);
      await inTx(h, async (tx) => {
        await tx.settleEffect('fx-2', 'w-1', { status: 'pending', availableAt: instant(300_000), error: 'HTTP 503' });
        await tx.settleEffect('fx-3', 'w-1', { status: 'dead', error: 'HTTP 410' });
      });
      expect(await inTx(h, (tx) => tx.backlog(TENANT, instant(1000)))).toEqual({
        effects: { pending: 3, due: 1, leased: 1, retrying: 1, nextAt: instant(), dead: 1 },
        timers: { pending: 2, due: 1, leased: 1, nextAt: instant() },
      });
      // Later, more is due; the leases are judged on the store's clock, not on the instant asked about.
      expect(await inTx(h, (tx) => tx.backlog(TENANT, instant(400_000)))).toEqual({
        effects: { pending: 3, due: 3, leased: 1, retrying: 1, nextAt: instant(), dead: 1 },
        timers: { pending: 2, due: 2, leased: 1, nextAt: instant() },
      });
      expect(await inTx(h, (tx) => tx.backlog(OTHER_TENANT, instant(1000)))).toEqual({
        effects: { ...none.effects, pending: 1, nextAt: instant(10_000) },
        timers: { ...none.timers, pending: 1, nextAt: instant(10_000) },
      });
      expect(await inTx(h, (tx) => tx.backlog('nobody', instant()))).toEqual(none);
    },
});
