import type { NewTimer, TimerRecord } from '@guard/core';
import { expect } from 'vitest';
import { defineSuite } from './define-suite.js';
import {
  claim,
  claimedOnStoreClock,
  instant,
  inTx,
  leaseEnded,
  newTimer,
  OTHER_TENANT,
  sortBy,
  TENANT,
} from './fixtures.js';
import type { StoreHarness } from './harness.js';

/** A timer as scheduled, before any claim. */
const scheduled = (timer: NewTimer): TimerRecord => ({ ...timer, attempts: 0, leaseOwner: null, leaseUntil: null });

const ids = (timers: readonly { id: string }[]) => timers.map((t) => t.id);

async function state(h: StoreHarness, keys: readonly string[]) {
  const viaPort = await inTx(h, async (tx) => {
    const out: (TimerRecord | null)[] = [];
    for (const key of keys) out.push(await tx.getTimer(TENANT, key));
    return out;
  });
  return { raw: sortBy(await h.raw.timers(TENANT), (r) => r.id), viaPort };
}

export const timersSuite = defineSuite('timers', {
  'scheduleTimer stores a timer with no lease and no attempts, every field round-tripping': async (h) => {
    const reminder = newTimer(TENANT, 'tm-1', 'wf-9:reminder', {
      workflowId: 'wf-9',
      event: { type: 'REMIND', level: 2, to: ['e-1', 'e-2'], note: '请尽快交接' },
      dueAt: instant(86_400_000),
      createdAt: instant(-5),
    });
    const orphan = newTimer(TENANT, 'tm-2', 'nightly:score', { workflowId: null, event: 'SCORE' });
    await inTx(h, async (tx) => {
      await tx.scheduleTimer(reminder);
      await tx.scheduleTimer(orphan);
    });
    expect(await inTx(h, (tx) => tx.getTimer(TENANT, 'wf-9:reminder'))).toEqual(scheduled(reminder));
    expect(await inTx(h, (tx) => tx.getTimer(TENANT, 'nightly:score'))).toEqual(scheduled(orphan));
    expect(sortBy(await h.raw.timers(TENANT), (r) => r.id)).toEqual([
      { id: 'tm-1', key: 'wf-9:reminder', dueAt: instant(86_400_000), leaseOwner: null },
      { id: 'tm-2', key: 'nightly:score', dueAt: instant(), leaseOwner: null },
    ]);
  },

  'scheduleTimers schedules many at once, as one scheduleTimer after another: the last timer of a key wins': async (
    h,
  ) => {
    await inTx(h, (tx) => tx.scheduleTimer(newTimer(TENANT, 'tm-old', 'k-000', { event: { type: 'OLD' } })));
    const many = Array.from({ length: 230 }, (_, i) =>
      newTimer(TENANT, `tm-${i}`, `k-${String(i).padStart(3, '0')}`, { dueAt: instant(i * 1000), event: { n: i } }),
    );
    const last = newTimer(TENANT, 'tm-last', 'k-001', { event: { type: 'LAST' } });
    await inTx(h, (tx) => tx.scheduleTimers([...many, last]));
    expect(await inTx(h, (tx) => tx.getTimer(TENANT, 'k-000'))).toEqual(scheduled(many[0] as NewTimer));
    expect(await inTx(h, (tx) => tx.getTimer(TENANT, 'k-001'))).toEqual(scheduled(last));
    expect(await inTx(h, (tx) => tx.getTimer(TENANT, 'k-229'))).toEqual(scheduled(many[229] as NewTimer));
    expect(await h.raw.timers(TENANT)).toHaveLength(230);
    await inTx(h, (tx) => tx.scheduleTimers([]));
  },

  'getTimer is null for an unknown key': async (h) => {
    await inTx(h, (tx) => tx.scheduleTimer(newTimer(OTHER_TENANT, 'tm-1', 'wf-1:timeout')));
    expect(await inTx(h, (tx) => tx.getTimer(TENANT, 'wf-1:timeout'))).toBeNull();
    expect(await inTx(h, (tx) => tx.getTimer(TENANT, 'nope'))).toBeNull();
  },

  'scheduling a key again moves the timer: new id, event and dueAt; lease and attempts reset': async (h) => {
    await inTx(h, (tx) => tx.scheduleTimer(newTimer(TENANT, 'tm-1', 'wf-1:timeout', { event: { type: 'A' } })));
    expect(ids(await inTx(h, (tx) => tx.claimTimers(claim('w-1'))))).toEqual(['tm-1']);
    await inTx(h, (tx) =>
      tx.scheduleTimer(
        newTimer(TENANT, 'tm-2', 'wf-1:timeout', {
          event: { type: 'B' },
          dueAt: instant(3_600_000),
          createdAt: instant(5),
        }),
      ),
    );
    expect(await inTx(h, (tx) => tx.getTimer(TENANT, 'wf-1:timeout'))).toMatchObject({
      id: 'tm-2',
      tenantId: TENANT,
      key: 'wf-1:timeout',
      event: { type: 'B' },
      dueAt: instant(3_600_000),
      attempts: 0,
      leaseOwner: null,
      leaseUntil: null,
    });
    expect(await h.raw.timers(TENANT)).toEqual([
      { id: 'tm-2', key: 'wf-1:timeout', dueAt: instant(3_600_000), leaseOwner: null },
    ]);
    // The old lease is gone with the old id…
    expect(await inTx(h, (tx) => tx.completeTimer('tm-1', 'w-1'))).toBe(false);
    expect(await inTx(h, (tx) => tx.completeTimer('tm-2', 'w-1'))).toBe(false);
    // …and the timer fires at its new time only.
    expect(await inTx(h, (tx) => tx.claimTimers(claim('w-2', { now: instant(61_000) })))).toEqual([]);
    const fired = await inTx(h, (tx) => tx.claimTimers(claim('w-2', { now: instant(3_600_000) })));
    expect(fired.map((t) => [t.id, t.attempts, t.leaseOwner])).toEqual([['tm-2', 1, 'w-2']]);
  },

  'cancelTimer removes the timer and returns true; false when there was none': async (h) => {
    await inTx(h, async (tx) => {
      await tx.scheduleTimer(newTimer(TENANT, 'tm-1', 'k-1'));
      await tx.scheduleTimer(newTimer(TENANT, 'tm-2', 'k-2'));
    });
    expect(await inTx(h, (tx) => tx.cancelTimer(TENANT, 'k-1'))).toBe(true);
    expect(await inTx(h, (tx) => tx.getTimer(TENANT, 'k-1'))).toBeNull();
    expect(ids(await h.raw.timers(TENANT))).toEqual(['tm-2']);
    expect(await inTx(h, (tx) => tx.cancelTimer(TENANT, 'k-1'))).toBe(false);
    expect(await inTx(h, (tx) => tx.cancelTimer(TENANT, 'k-404'))).toBe(false);
    expect(await inTx(h, (tx) => tx.cancelTimer(OTHER_TENANT, 'k-2'))).toBe(false);
    expect(ids(await h.raw.timers(TENANT))).toEqual(['tm-2']);
    // A leased timer can be cancelled too.
    await inTx(h, (tx) => tx.claimTimers(claim('w-1')));
    expect(await inTx(h, (tx) => tx.cancelTimer(TENANT, 'k-2'))).toBe(true);
    expect(await h.raw.timers(TENANT)).toEqual([]);
  },

  'claimTimers leases only due, unleased timers, earliest dueAt first, then id': async (h) => {
    await inTx(h, (tx) => tx.scheduleTimer(newTimer(TENANT, 'tm-f', 'tm-f', { dueAt: instant(-5000) })));
    expect(ids(await inTx(h, (tx) => tx.claimTimers(claim('w-0', { now: instant(-4000) }))))).toEqual(['tm-f']);
    await inTx(h, async (tx) => {
      await tx.scheduleTimer(newTimer(TENANT, 'tm-e', 'tm-e', { dueAt: instant(1) }));
      await tx.scheduleTimer(newTimer(TENANT, 'tm-c', 'tm-c', { dueAt: instant(-1000) }));
      await tx.scheduleTimer(newTimer(TENANT, 'tm-d', 'tm-d', { dueAt: instant(0) }));
      await tx.scheduleTimer(newTimer(TENANT, 'tm-a', 'tm-a', { dueAt: instant(-1000) }));
      await tx.scheduleTimer(newTimer(TENANT, 'tm-b', 'tm-b', { dueAt: instant(-2000) }));
    });
    const claimed = await inTx(h, (tx) => tx.claimTimers(claim('w-1', { now: instant(0) })));
    expect(ids(claimed)).toEqual(['tm-b', 'tm-a', 'tm-c', 'tm-d']);
    expect(claimed.every((t) => t.leaseOwner === 'w-1')).toBe(true);
  },

  'claimTimers returns at most limit timers': async (h) => {
    await inTx(h, async (tx) => {
      for (const [i, id] of ['tm-1', 'tm-2', 'tm-3', 'tm-4', 'tm-5'].entries()) {
        await tx.scheduleTimer(newTimer(TENANT, id, id, { dueAt: instant(-i) }));
      }
    });
    const batches = await inTx(h, async (tx) => [
      ids(await tx.claimTimers(claim('w-1', { limit: 2 }))),
      ids(await tx.claimTimers(claim('w-2', { limit: 2 }))),
      ids(await tx.claimTimers(claim('w-3', { limit: 2 }))),
    ]);
    expect(batches).toEqual([['tm-5', 'tm-4'], ['tm-3', 'tm-2'], ['tm-1']]);
  },

  'claimTimers sets the lease owner, leaseUntil = the store clock now + leaseMs and one more attempt': async (h) => {
    const timer = newTimer(TENANT, 'tm-1', 'k-1');
    await inTx(h, (tx) => tx.scheduleTimer(timer));
    const claimed = await claimedOnStoreClock(30_000, () =>
      inTx(h, (tx) => tx.claimTimers(claim('w-1', { now: instant(1000), leaseMs: 30_000 }))),
    );
    const leased = { ...scheduled(timer), attempts: 1, leaseOwner: 'w-1', leaseUntil: claimed[0]?.leaseUntil ?? null };
    expect(claimed).toEqual([leased]);
    expect(await inTx(h, (tx) => tx.getTimer(TENANT, 'k-1'))).toEqual(leased);
    expect(await h.raw.timers(TENANT)).toEqual([{ id: 'tm-1', key: 'k-1', dueAt: instant(), leaseOwner: 'w-1' }]);
  },

  'a second claim at the same now gets nothing': async (h) => {
    await inTx(h, async (tx) => {
      await tx.scheduleTimer(newTimer(TENANT, 'tm-1', 'k-1'));
      await tx.scheduleTimer(newTimer(TENANT, 'tm-2', 'k-2'));
    });
    expect(ids(await inTx(h, (tx) => tx.claimTimers(claim('w-1'))))).toEqual(['tm-1', 'tm-2']);
    const before = await state(h, ['k-1', 'k-2']);
    expect(await inTx(h, (tx) => tx.claimTimers(claim('w-2')))).toEqual([]);
    expect(await inTx(h, (tx) => tx.claimTimers(claim('w-1')))).toEqual([]);
    expect(await state(h, ['k-1', 'k-2'])).toEqual(before);
  },

  'a lease holds on the store clock, however far ahead the clock of the next worker runs': async (h) => {
    await inTx(h, (tx) => tx.scheduleTimer(newTimer(TENANT, 'tm-1', 'k-1')));
    await inTx(h, (tx) => tx.claimTimers(claim('w-1', { now: instant(0), leaseMs: 60_000 })));
    const before = await state(h, ['k-1']);
    for (const ahead of [120_000, 86_400_000, 10 * 365 * 86_400_000]) {
      expect(await inTx(h, (tx) => tx.claimTimers(claim('w-2', { now: instant(ahead) }))), `${ahead} ms ahead`).toEqual(
        [],
      );
    }
    expect(await state(h, ['k-1'])).toEqual(before);
  },

  'after the lease expires on the store clock another worker can claim the timer': async (h) => {
    const timer = newTimer(TENANT, 'tm-1', 'k-1');
    await inTx(h, (tx) => tx.scheduleTimer(timer));
    const [first] = await inTx(h, (tx) => tx.claimTimers(claim('w-1', { now: instant(0), leaseMs: 1000 })));
    expect(await inTx(h, (tx) => tx.claimTimers(claim('w-2')))).toEqual([]);
    await leaseEnded(first?.leaseUntil ?? null);
    const reclaimed = await claimedOnStoreClock(60_000, () => inTx(h, (tx) => tx.claimTimers(claim('w-2'))));
    const expected = {
      ...scheduled(timer),
      attempts: 2,
      leaseOwner: 'w-2',
      leaseUntil: reclaimed[0]?.leaseUntil ?? null,
    };
    expect(reclaimed).toEqual([expected]);
    expect(await inTx(h, (tx) => tx.getTimer(TENANT, 'k-1'))).toEqual(expected);
    expect(await h.raw.timers(TENANT)).toEqual([{ id: 'tm-1', key: 'k-1', dueAt: instant(), leaseOwner: 'w-2' }]);
  },

  'claimTimers serves every tenant, each timer carrying its own tenantId': async (h) => {
    const mine = newTimer(TENANT, 'tm-1', 'wf-1:timeout', { dueAt: instant(-1000) });
    const theirs = newTimer(OTHER_TENANT, 'tm-2', 'wf-1:timeout', { dueAt: instant(-2000), event: { theirs: true } });
    await inTx(h, async (tx) => {
      await tx.scheduleTimer(mine);
      await tx.scheduleTimer(theirs);
    });
    const lease = { attempts: 1, leaseOwner: 'w-1', leaseUntil: expect.any(String) };
    expect(await inTx(h, (tx) => tx.claimTimers(claim('w-1')))).toEqual([
      { ...scheduled(theirs), ...lease },
      { ...scheduled(mine), ...lease },
    ]);
  },

  'completeTimer by the lease holder deletes the timer': async (h) => {
    await inTx(h, async (tx) => {
      await tx.scheduleTimer(newTimer(TENANT, 'tm-1', 'k-1'));
      await tx.scheduleTimer(newTimer(TENANT, 'tm-2', 'k-2', { dueAt: instant(1000) }));
    });
    await inTx(h, (tx) => tx.claimTimers(claim('w-1')));
    expect(await inTx(h, (tx) => tx.completeTimer('tm-1', 'w-1'))).toBe(true);
    expect(await inTx(h, (tx) => tx.getTimer(TENANT, 'k-1'))).toBeNull();
    expect(ids(await h.raw.timers(TENANT))).toEqual(['tm-2']);
    expect(await inTx(h, (tx) => tx.completeTimer('tm-1', 'w-1'))).toBe(false);
  },

  'completeTimer by a worker that does not hold the lease returns false and deletes nothing': async (h) => {
    await inTx(h, (tx) => tx.scheduleTimer(newTimer(TENANT, 'tm-1', 'k-1')));
    const completeFails = async (id: string, workerId: string) => {
      const before = await state(h, ['k-1']);
      expect(await inTx(h, (tx) => tx.completeTimer(id, workerId)), `${workerId} completing ${id}`).toBe(false);
      expect(await state(h, ['k-1'])).toEqual(before);
    };
    await completeFails('tm-1', 'w-1'); // never claimed
    const [leased] = await inTx(h, (tx) => tx.claimTimers(claim('w-1', { leaseMs: 1000 })));
    await completeFails('tm-1', 'w-2'); // leased to w-1
    await completeFails('tm-404', 'w-1'); // no such timer
    await leaseEnded(leased?.leaseUntil ?? null);
    expect(await inTx(h, (tx) => tx.claimTimers(claim('w-2')))).toHaveLength(1);
    await completeFails('tm-1', 'w-1'); // w-1's lease expired and w-2 holds it now
    expect(await inTx(h, (tx) => tx.completeTimer('tm-1', 'w-2'))).toBe(true);
  },

  'timer keys are unique per tenant, not across tenants': async (h) => {
    const mine = newTimer(TENANT, 'tm-1', 'wf-1:timeout');
    const theirs = newTimer(OTHER_TENANT, 'tm-2', 'wf-1:timeout', { dueAt: instant(5000) });
    await inTx(h, async (tx) => {
      await tx.scheduleTimer(mine);
      await tx.scheduleTimer(theirs);
    });
    expect(await inTx(h, (tx) => tx.getTimer(TENANT, 'wf-1:timeout'))).toEqual(scheduled(mine));
    expect(await inTx(h, (tx) => tx.getTimer(OTHER_TENANT, 'wf-1:timeout'))).toEqual(scheduled(theirs));
    // Moving mine leaves theirs alone; cancelling theirs leaves mine alone.
    await inTx(h, (tx) => tx.scheduleTimer(newTimer(TENANT, 'tm-3', 'wf-1:timeout', { dueAt: instant(9000) })));
    expect(await inTx(h, (tx) => tx.getTimer(OTHER_TENANT, 'wf-1:timeout'))).toEqual(scheduled(theirs));
    expect(await inTx(h, (tx) => tx.cancelTimer(OTHER_TENANT, 'wf-1:timeout'))).toBe(true);
    expect((await inTx(h, (tx) => tx.getTimer(TENANT, 'wf-1:timeout')))?.id).toBe('tm-3');
    expect(ids(await h.raw.timers(TENANT))).toEqual(['tm-3']);
    expect(await h.raw.timers(OTHER_TENANT)).toEqual([]);
  },
});
