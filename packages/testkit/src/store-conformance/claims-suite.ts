import { expect } from 'vitest';
import { defineSuite } from './define-suite.js';
import { customerRecord, instant, inTx, OTHER_TENANT, TENANT } from './fixtures.js';

const pooled = customerRecord(TENANT, 'c-1', {
  name: '华东机电',
  unitId: 'sh',
  fields: { contact: { phone: '13812345678' } },
  externalRefs: { crm: 'X-1' },
});

export const claimsSuite = defineSuite('claims', {
  'claims an unowned customer, bumping its version and nothing else': async (h) => {
    await inTx(h, (tx) => tx.putCustomer(pooled, null));
    const claimed = await inTx(h, (tx) =>
      tx.setCustomerOwner(TENANT, 'c-1', { from: null, to: 'e-1', at: instant(5000) }),
    );
    const expected = { ...pooled, ownerId: 'e-1', version: 2, updatedAt: instant(5000) };
    expect(claimed).toEqual(expected);
    expect(await inTx(h, (tx) => tx.getCustomer(TENANT, 'c-1'))).toEqual(expected);
    expect(await h.raw.customers(TENANT)).toEqual([
      { id: 'c-1', name: '华东机电', ownerId: 'e-1', unitId: 'sh', version: 2 },
    ]);
  },

  'a second claim from the pool returns null and writes nothing': async (h) => {
    await inTx(h, (tx) => tx.putCustomer(pooled, null));
    await inTx(h, (tx) => tx.setCustomerOwner(TENANT, 'c-1', { from: null, to: 'e-1', at: instant(1) }));
    const before = await h.raw.customers(TENANT);
    const stored = await inTx(h, (tx) => tx.getCustomer(TENANT, 'c-1'));
    const second = await inTx(h, (tx) => tx.setCustomerOwner(TENANT, 'c-1', { from: null, to: 'e-2', at: instant(2) }));
    expect(second).toBeNull();
    expect(await h.raw.customers(TENANT)).toEqual(before);
    expect(await inTx(h, (tx) => tx.getCustomer(TENANT, 'c-1'))).toEqual(stored);
  },

  'transfers a customer from its owner to another': async (h) => {
    await inTx(h, (tx) => tx.putCustomer({ ...pooled, ownerId: 'e-1' }, null));
    const moved = await inTx(h, (tx) => tx.setCustomerOwner(TENANT, 'c-1', { from: 'e-1', to: 'e-2', at: instant(7) }));
    expect(moved).toEqual({ ...pooled, ownerId: 'e-2', version: 2, updatedAt: instant(7) });
    expect(await h.raw.customers(TENANT)).toEqual([
      { id: 'c-1', name: '华东机电', ownerId: 'e-2', unitId: 'sh', version: 2 },
    ]);
  },

  'returns a customer to the pool': async (h) => {
    await inTx(h, (tx) => tx.putCustomer({ ...pooled, ownerId: 'e-2' }, null));
    await inTx(h, (tx) => tx.putCustomer({ ...pooled, ownerId: 'e-2', name: 'v2', version: 2 }, 1));
    const returned = await inTx(h, (tx) =>
      tx.setCustomerOwner(TENANT, 'c-1', { from: 'e-2', to: null, at: instant(9) }),
    );
    expect(returned).toEqual({ ...pooled, name: 'v2', ownerId: null, version: 3, updatedAt: instant(9) });
    expect(await h.raw.customers(TENANT)).toEqual([{ id: 'c-1', name: 'v2', ownerId: null, unitId: 'sh', version: 3 }]);
  },

  'returns null and writes nothing when the customer is owned by someone else': async (h) => {
    await inTx(h, (tx) => tx.putCustomer({ ...pooled, ownerId: 'e-1' }, null));
    const before = await h.raw.customers(TENANT);
    const results = await inTx(h, async (tx) => [
      await tx.setCustomerOwner(TENANT, 'c-1', { from: 'e-3', to: 'e-2', at: instant(1) }),
      await tx.setCustomerOwner(TENANT, 'c-1', { from: 'e-3', to: null, at: instant(1) }),
      await tx.setCustomerOwner(TENANT, 'c-1', { from: null, to: 'e-3', at: instant(1) }),
    ]);
    expect(results).toEqual([null, null, null]);
    expect(await h.raw.customers(TENANT)).toEqual(before);
    expect(await inTx(h, (tx) => tx.getCustomer(TENANT, 'c-1'))).toEqual({ ...pooled, ownerId: 'e-1' });
  },

  'returns null for a missing customer and creates nothing': async (h) => {
    // c-1 exists, unowned, only in the other tenant.
    await inTx(h, (tx) => tx.putCustomer({ ...pooled, tenantId: OTHER_TENANT }, null));
    const results = await inTx(h, async (tx) => [
      await tx.setCustomerOwner(TENANT, 'c-404', { from: null, to: 'e-1', at: instant(1) }),
      await tx.setCustomerOwner(TENANT, 'c-1', { from: null, to: 'e-1', at: instant(1) }),
    ]);
    expect(results).toEqual([null, null]);
    expect(await h.raw.customers(TENANT)).toEqual([]);
    expect(await h.raw.customers(OTHER_TENANT)).toEqual([
      { id: 'c-1', name: '华东机电', ownerId: null, unitId: 'sh', version: 1 },
    ]);
  },

  'of many concurrent claims on an unowned customer exactly one wins': async (h) => {
    await inTx(h, (tx) => tx.putCustomer(pooled, null));
    const claimants = Array.from({ length: 8 }, (_, i) => `e-${i}`);
    const settled = await Promise.allSettled(
      claimants.map((to, i) =>
        h.store.transaction((tx) => tx.setCustomerOwner(TENANT, 'c-1', { from: null, to, at: instant(i) })),
      ),
    );
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
    expect(failures, 'a losing claim must return null, not throw').toEqual([]);
    const winners = settled.flatMap((s) => (s.status === 'fulfilled' && s.value !== null ? [s.value] : []));
    expect(winners).toHaveLength(1);
    const winner = winners[0];
    expect(winner?.version).toBe(2);
    expect(await h.raw.customers(TENANT)).toEqual([
      { id: 'c-1', name: '华东机电', ownerId: winner?.ownerId, unitId: 'sh', version: 2 },
    ]);
  },
});
