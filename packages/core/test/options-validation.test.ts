import { describe, expect, it } from 'vitest';
import { isGuardError, type ValidationError } from '../src/index.js';
import { customer, rejection, seededGuard, snapshot } from './fixtures.js';

/** The paths a rejection names, asserting it is a ValidationError (never a TypeError). */
async function paths(promise: Promise<unknown>): Promise<string[]> {
  const error = await rejection(promise);
  expect(isGuardError(error, 'VALIDATION_FAILED'), String(error)).toBe(true);
  return (error as ValidationError).issues.map((i) => i.path.join('.'));
}

/** @see issue #16, hole 7: options were not validated. */
describe('every option of the public API is validated', () => {
  it('customers.upsert refuses an expectedVersion that is not a whole number, writing nothing', async () => {
    const { t, store } = await seededGuard();
    const before = snapshot(store);
    for (const expectedVersion of [[1], '1', 1.5, -1, Number.NaN]) {
      expect(await paths(t.customers.upsert(customer('c-rep', 'rep', 'sh-1'), { expectedVersion } as never))).toEqual([
        'expectedVersion',
      ]);
    }
    expect(snapshot(store)).toBe(before);
    // The real version still works.
    expect((await t.customers.upsert(customer('c-rep', 'rep', 'sh-1'), { expectedVersion: 1 })).version).toBe(2);
  });

  it('null or misspelt options are a ValidationError, not a TypeError', async () => {
    const { guard, t } = await seededGuard();
    expect(await paths(t.customers.upsert(customer('c-rep', 'rep', 'sh-1'), null as never))).toEqual(['']);
    expect(await paths(t.customers.upsert(customer('c-rep', 'rep', 'sh-1'), { expected: 1 } as never))).toEqual(['']);
    expect(await paths(t.directory.sync({}, null as never))).toEqual(['']);
    expect(await paths(t.settings.update({}, null as never))).toEqual(['']);
    expect(await paths(t.settings.update({}, { actor: 'hr' } as never))).toEqual(['actor']);
    expect(await paths(guard.tenants.upsert({ id: 'x', name: 'X', timeZone: 'UTC' }, null as never))).toEqual(['']);
  });

  it('settings.update refuses anything but a plain JSON object, keeping every setting', async () => {
    const { t } = await seededGuard();
    await t.settings.update({ claims: { dailyQuota: 3 } });
    for (const input of [new Date(), new Map(), [], 'x', null, 42]) {
      expect(isGuardError(await rejection(t.settings.update(input)), 'VALIDATION_FAILED')).toBe(true);
    }
    expect((await t.settings.get()).claims.dailyQuota).toBe(3);
  });

  it('per-employee lookups name an unknown employee instead of answering []', async () => {
    const { t } = await seededGuard();
    for (const lookup of [
      t.agreements.forEmployee('nobody'),
      t.training.forEmployee('nobody'),
      t.offboarding.forEmployee('nobody'),
    ]) {
      expect(isGuardError(await rejection(lookup), 'NOT_FOUND')).toBe(true);
    }
    expect(await t.agreements.forEmployee('rep')).toEqual([]);
  });
});
