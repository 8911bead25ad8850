import { describe, expect, it } from 'vitest';
import {
  type CustomerFilter,
  type CustomerRecord,
  isGuardError,
  memoryStore,
  type OrgUnitRecord,
} from '../src/index.js';

const at = '2026-01-01T00:00:00.000Z';
const customer = (id: string, overrides: Partial<CustomerRecord> = {}): CustomerRecord => ({
  tenantId: 't1',
  id,
  name: `Customer ${id}`,
  ownerId: null,
  unitId: 'u1',
  fields: {},
  externalRefs: {},
  version: 1,
  createdAt: at,
  updatedAt: at,
  ...overrides,
});
const unit = (id: string, path: string[]): OrgUnitRecord => ({
  tenantId: 't1',
  id,
  name: id,
  kind: path.length === 1 ? 'hq' : 'team',
  parentId: path.length === 1 ? null : (path.at(-2) as string),
  path,
  updatedAt: at,
});

describe('memoryStore', () => {
  it('rolls back every write of a transaction that throws, and rethrows the same error', async () => {
    const store = memoryStore();
    await store.transaction((tx) => tx.putCustomer(customer('c1'), null));
    const boom = new Error('boom');
    await expect(
      store.transaction(async (tx) => {
        await tx.putCustomer(customer('c1', { name: 'changed', version: 2 }), 1);
        await tx.putCustomer(customer('c2'), null);
        await tx.putUnits([unit('hq', ['hq'])]);
        await tx.putTenant({ id: 't2', name: 'T2', timeZone: 'UTC', createdAt: at, updatedAt: at });
        throw boom;
      }),
    ).rejects.toBe(boom);
    const [c1, c2, units, t2] = await store.transaction(async (tx) => [
      await tx.getCustomer('t1', 'c1'),
      await tx.getCustomer('t1', 'c2'),
      await tx.getUnits('t1', ['hq']),
      await tx.getTenant('t2'),
    ]);
    expect(c1?.name).toBe('Customer c1');
    expect(c2).toBeNull();
    expect(units).toEqual([]);
    expect(t2).toBeNull();
    expect(store.raw.has('t2')).toBe(false);
  });

  it('checks optimistic versions atomically and writes nothing on a conflict', async () => {
    const store = memoryStore();
    await store.transaction((tx) => tx.putCustomer(customer('c1'), null));
    const stale = store.transaction((tx) => tx.putCustomer(customer('c1', { name: 'stale', version: 2 }), 0));
    await expect(stale).rejects.toSatisfy((e) => isGuardError(e, 'CONFLICT'));
    await expect(store.transaction((tx) => tx.putCustomer(customer('c1'), null))).rejects.toSatisfy((e) =>
      isGuardError(e, 'CONFLICT'),
    );
    await store.transaction((tx) => tx.putCustomer(customer('c1', { name: 'v2', version: 2 }), 1));
    expect((await store.transaction((tx) => tx.getCustomer('t1', 'c1')))?.name).toBe('v2');
  });

  it('never hands out references into its own state', async () => {
    const store = memoryStore();
    const record = customer('c1', { fields: { public: { city: 'Shanghai' } } });
    await store.transaction((tx) => tx.putCustomer(record, null));
    (record.fields.public as Record<string, unknown>).city = 'mutated by caller';
    const read = await store.transaction((tx) => tx.getCustomer('t1', 'c1'));
    expect(read?.fields.public?.city).toBe('Shanghai');
  });

  it('pages customers by id with a cursor, per filter', async () => {
    const store = memoryStore();
    await store.transaction(async (tx) => {
      await tx.putUnits([unit('hq', ['hq']), unit('a', ['hq', 'a']), unit('b', ['hq', 'b'])]);
      for (let i = 0; i < 25; i++) {
        const id = `c${String(i).padStart(2, '0')}`;
        await tx.putCustomer(customer(id, { unitId: i % 2 ? 'a' : 'b', ownerId: i % 5 === 0 ? null : 'e1' }), null);
      }
    });
    const collect = async (filter: CustomerFilter) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.transaction((tx) => tx.listCustomers('t1', filter, { cursor, limit: 4 }));
        expect(page.items.length).toBeLessThanOrEqual(4);
        ids.push(...page.items.map((c) => c.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return ids;
    };
    const all = await collect({});
    expect(all).toHaveLength(25);
    expect([...all].sort()).toEqual(all);
    expect(await collect({ pool: true })).toEqual(['c00', 'c05', 'c10', 'c15', 'c20']);
    expect((await collect({ unitId: 'a' })).every((id) => Number(id.slice(1)) % 2 === 1)).toBe(true);
    expect(await collect({ unitId: 'hq' })).toHaveLength(25);
    expect(await collect({ ownerId: 'e1' })).toHaveLength(20);
  });

  it('rejects a tampered cursor with a ValidationError', async () => {
    const store = memoryStore();
    await expect(
      store.transaction((tx) => tx.listCustomers('t1', {}, { cursor: 'not-a-cursor', limit: 5 })),
    ).rejects.toSatisfy((e) => isGuardError(e, 'VALIDATION_FAILED'));
  });

  it('refuses work after close', async () => {
    const store = memoryStore();
    await store.close();
    await expect(store.transaction((tx) => tx.getTenant('t1'))).rejects.toSatisfy((e) =>
      isGuardError(e, 'STORE_FAILURE'),
    );
  });

  it('runs transactions one at a time', async () => {
    const store = memoryStore();
    const order: string[] = [];
    const slow = store.transaction(async () => {
      order.push('a-start');
      await new Promise((r) => setTimeout(r, 20));
      order.push('a-end');
    });
    const fast = store.transaction(async () => {
      order.push('b');
    });
    await Promise.all([slow, fast]);
    expect(order).toEqual(['a-start', 'a-end', 'b']);
  });
});
