import { describe, expect, it } from 'vitest';
import { CRM_TRANSFER_EFFECT, type Guard, memoryNotifier, type OutboxEffect } from '../src/index.js';
import { seededGuard } from './fixtures.js';

/** Waits (a few event-loop turns at a time) until `done()` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(done()).toBe(true);
}

/** @see issue #16, hole 9: a worker whose clock ran ahead delivered an effect again. */
describe('leases are judged on the store clock', () => {
  it('a worker whose clock runs two minutes ahead does not take an effect another worker is delivering', async () => {
    const { guard, t, clock } = await seededGuard();
    await t.ownership.release({ actor: 'rep', customerId: 'c-rep', reason: 'moved away' });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const deliveries: string[] = [];
    const handler = (who: string, wait: boolean) => async (effect: OutboxEffect) => {
      deliveries.push(`${who}:${effect.idempotencyKey}`);
      if (wait) await gate;
    };
    const onTime = guard.worker({
      workerId: 'on-time',
      notifier: memoryNotifier(),
      effects: { [CRM_TRANSFER_EFFECT]: handler('on-time', true) },
    });
    const ahead = guard.worker({
      workerId: 'ahead',
      notifier: memoryNotifier(),
      effects: { [CRM_TRANSFER_EFFECT]: handler('ahead', false) },
    });

    const running = onTime.runDue();
    await until(() => deliveries.length === 1);
    const twoMinutesAhead = new Date(clock.now().getTime() + 120_000);
    expect(await ahead.runDue(twoMinutesAhead)).toMatchObject({ effectsDelivered: 0, effectsFailed: 0 });
    open();
    expect(await running).toMatchObject({ effectsDelivered: 1 });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatch(/^on-time:/);
  });
});

/**
 * Two workers delivering transfers into `deliveries`: `slow` (lease 1 s),
 * which waits on `gate` while `waits(delivery number)` says so, and `other`.
 */
function twoWorkers(guard: Guard, waits: (n: number) => boolean) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const deliveries: string[] = [];
  const signals: AbortSignal[] = [];
  const slow = guard.worker({
    workerId: 'slow',
    leaseMs: 1000,
    notifier: memoryNotifier(),
    effects: {
      [CRM_TRANSFER_EFFECT]: async (effect, { signal }) => {
        deliveries.push(`slow:${effect.idempotencyKey}`);
        signals.push(signal);
        if (waits(deliveries.length)) await gate;
      },
    },
  });
  const other = guard.worker({
    workerId: 'other',
    notifier: memoryNotifier(),
    effects: {
      [CRM_TRANSFER_EFFECT]: async (effect) => {
        deliveries.push(`other:${effect.idempotencyKey}`);
      },
    },
  });
  return { slow, other, deliveries, signals, open };
}

describe('a delivery slower than its lease', () => {
  it('keeps the lease while the handler runs: no other worker delivers it meanwhile', async () => {
    const { guard, t } = await seededGuard();
    await t.ownership.release({ actor: 'rep', customerId: 'c-rep', reason: 'moved away' });
    const { slow, other, deliveries, signals, open } = twoWorkers(guard, () => true);

    const running = slow.runDue();
    await until(() => deliveries.length === 1);
    // Well past one lease of the slow worker, in real time (leases are on the store clock).
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await other.runDue()).toMatchObject({ effectsDelivered: 0 });
    expect(signals[0]?.aborted).toBe(false);
    open();
    expect(await running).toMatchObject({ effectsDelivered: 1 });
    expect(deliveries).toHaveLength(1);
  });

  it('does not deliver what waited behind it once another worker has taken it (4 processes found it twice, #22)', async () => {
    const { guard, t } = await seededGuard();
    await t.ownership.release({ actor: 'rep', customerId: 'c-rep', reason: 'moved away' });
    await t.ownership.release({ actor: 'mate', customerId: 'c-mate', reason: 'moved away' });
    // Only the first delivery is slow; the second transfer waits behind it in the same round.
    const { slow, other, deliveries, open } = twoWorkers(guard, (n) => n === 1);

    const running = slow.runDue();
    await until(() => deliveries.length === 1);
    // The waiting transfer's lease runs out (it is not being delivered, so nothing extends it): another worker takes it.
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await other.runDue()).toMatchObject({ effectsDelivered: 1 });
    open();
    await running;
    const keys = deliveries.map((d) => d.slice(d.indexOf(':') + 1));
    expect(deliveries).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
    expect(deliveries[1]).toMatch(/^other:/);
  });
});
