import { describe, expect, it } from 'vitest';
import {
  CRM_TRANSFER_EFFECT,
  type EffectBatchHandler,
  type EffectResult,
  isGuardError,
  memoryNotifier,
  type OutboxEffect,
} from '../src/index.js';
import { customer, seededGuard } from './fixtures.js';

/** A guard with `n` more of the rep's customers released to the pool: `n + 1` crm.transfer effects due. */
async function released(n: number) {
  const setup = await seededGuard();
  const ids = ['c-rep'];
  for (let i = 0; i < n; i++) {
    await setup.t.customers.upsert(customer(`c-r${i}`, 'rep', 'sh-1'));
    ids.push(`c-r${i}`);
  }
  for (const id of ids) await setup.t.ownership.release({ actor: 'rep', customerId: id, reason: 'moved away' });
  return { ...setup, ids };
}

const customerOf = (e: OutboxEffect) => (e.payload as { customerId: string }).customerId;

describe('worker({ batchEffects })', () => {
  it('hands every due effect of the kind to one call, in claim order, and settles each by its result', async () => {
    const { guard, ids } = await released(4);
    const calls: string[][] = [];
    const handler: EffectBatchHandler = async (effects) => {
      calls.push(effects.map(customerOf));
      return effects.map((): EffectResult => ({ delivered: true }));
    };
    const worker = guard.worker({ notifier: memoryNotifier(), batchEffects: { [CRM_TRANSFER_EFFECT]: handler } });
    expect(await worker.runDue()).toMatchObject({ effectsDelivered: 5, effectsFailed: 0 });
    expect(calls).toEqual([ids]);
    expect(await worker.runDue()).toMatchObject({ effectsDelivered: 0 });
  });

  it('splits into the claim rounds of batchSize', async () => {
    const { guard } = await released(4);
    const sizes: number[] = [];
    const worker = guard.worker({
      notifier: memoryNotifier(),
      batchSize: 2,
      batchEffects: {
        [CRM_TRANSFER_EFFECT]: async (effects) => {
          sizes.push(effects.length);
          return effects.map(() => ({ delivered: true }) as const);
        },
      },
    });
    expect(await worker.runDue()).toMatchObject({ effectsDelivered: 5 });
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('retries only the effects the handler says failed, with backoff, and marks them dead after maxAttempts', async () => {
    const { guard, clock } = await released(2);
    const seen: string[][] = [];
    const worker = guard.worker({
      notifier: memoryNotifier(),
      maxAttempts: 2,
      retryBaseMs: 60_000,
      batchEffects: {
        [CRM_TRANSFER_EFFECT]: async (effects) => {
          seen.push(effects.map(customerOf));
          return effects.map((e) =>
            customerOf(e) === 'c-r0' ? { delivered: false, error: 'UNABLE_TO_LOCK_ROW' } : { delivered: true },
          );
        },
      },
    });
    expect(await worker.runDue()).toMatchObject({ effectsDelivered: 2, effectsFailed: 1, effectsDead: 0 });
    expect(await worker.runDue(), 'not before its backoff').toMatchObject({ effectsDelivered: 0, effectsFailed: 0 });
    clock.advance({ minutes: 2 });
    expect(await worker.runDue()).toMatchObject({ effectsDelivered: 0, effectsDead: 1 });
    expect(seen).toEqual([['c-rep', 'c-r0', 'c-r1'], ['c-r0']]);
    const dead = await guard.tenant('acme').outbox.dead();
    expect(dead.items.map((d) => [d.lastError, customerOf(d as unknown as OutboxEffect)])).toEqual([
      ['UNABLE_TO_LOCK_ROW', 'c-r0'],
    ]);
  });

  it('fails the whole batch when the handler throws or answers the wrong number of results', async () => {
    const { guard } = await released(1);
    const throwing = guard.worker({
      notifier: memoryNotifier(),
      batchEffects: {
        [CRM_TRANSFER_EFFECT]: async () => {
          throw new Error('CRM down');
        },
      },
    });
    expect(await throwing.runDue()).toMatchObject({ effectsDelivered: 0, effectsFailed: 2 });

    const { guard: other } = await released(1);
    const short = other.worker({
      notifier: memoryNotifier(),
      batchEffects: { [CRM_TRANSFER_EFFECT]: async () => [{ delivered: true }] },
    });
    expect(await short.runDue()).toMatchObject({ effectsDelivered: 0, effectsFailed: 2 });
  });

  it('keeps every lease of the batch while the handler runs longer than a lease', async () => {
    const { guard, clock } = await released(2);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const deliveries: string[] = [];
    let started = false;
    const slow = guard.worker({
      workerId: 'slow',
      leaseMs: 1000,
      notifier: memoryNotifier(),
      batchEffects: {
        [CRM_TRANSFER_EFFECT]: async (effects) => {
          started = true;
          await gate;
          deliveries.push(...effects.map((e) => `slow:${customerOf(e)}`));
          return effects.map(() => ({ delivered: true }) as const);
        },
      },
    });
    const other = guard.worker({
      workerId: 'other',
      notifier: memoryNotifier(),
      effects: { [CRM_TRANSFER_EFFECT]: async (e) => void deliveries.push(`other:${customerOf(e)}`) },
    });
    const running = slow.runDue();
    for (let i = 0; i < 1000 && !started; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    // Two and a half leases go by while the batch runs; the heartbeat keeps them all.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    clock.advance({ seconds: 2 });
    expect(await other.runDue()).toMatchObject({ effectsDelivered: 0 });
    open();
    expect(await running).toMatchObject({ effectsDelivered: 3 });
    expect(deliveries).toEqual(['slow:c-rep', 'slow:c-r0', 'slow:c-r1']);
  });

  it('refuses a kind with two handlers, and notify, with a ValidationError naming it', async () => {
    const { guard } = await seededGuard();
    const both = (() => {
      try {
        guard.worker({
          effects: { [CRM_TRANSFER_EFFECT]: async () => {} },
          batchEffects: {
            [CRM_TRANSFER_EFFECT]: async (e) => e.map(() => ({ delivered: true }) as const),
            notify: async () => [],
          },
        });
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(isGuardError(both, 'VALIDATION_FAILED')).toBe(true);
    expect((both as { issues: { path: string[] }[] }).issues.map((i) => i.path.join('.')).sort()).toEqual([
      `batchEffects.${CRM_TRANSFER_EFFECT}`,
      'batchEffects.notify',
    ]);
  });
});
