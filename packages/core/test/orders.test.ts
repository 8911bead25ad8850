import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/audit/hash.js';
import {
  addSignal,
  canonicalJson,
  customerFacts,
  employeeFacts,
  emptyLedger,
  isGuardError,
  ORDER_KIND,
  type OrderInput,
  type ValidationError,
} from '../src/index.js';
import { rejection, seededGuard } from './fixtures.js';

const order = (overrides: Partial<OrderInput> = {}): OrderInput => ({
  id: 'o-1',
  customerId: 'c-rep',
  ownerId: 'rep',
  amountMinor: 12_000_00,
  currency: 'CNY',
  orderedAt: '2026-10-20T02:00:00.000Z',
  status: 'won',
  ...overrides,
});

describe('orders.upsert', () => {
  it('feeds the facts of the customer and of the owner at the time, in major units, audited once', async () => {
    const { t } = await seededGuard();
    const result = await t.orders.upsert([order(), order({ id: 'o-2', amountMinor: 500_00 })], {
      actor: { type: 'host', id: 'erp-sync' },
    });
    expect(result).toEqual({ created: 2, updated: 0, unchanged: 0 });
    expect(await t.risk.facts({ type: 'customer', id: 'c-rep' })).toMatchObject({
      orders90d: 2,
      orderAmount90d: 12_500,
      daysSinceLastOrder: 13,
    });
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).orderAmount90d).toBe(12_500);
    const [entry] = (await t.audit.query({ action: 'orders.upsert', limit: 10 })).items;
    expect(entry).toMatchObject({
      actor: { type: 'host', id: 'erp-sync' },
      data: { orders: 2, created: 2, updated: 0, unchanged: 0 },
    });
    const parsed = [order(), order({ id: 'o-2', amountMinor: 500_00 })].map((o) => ({ ...o, receivableMinor: 0 }));
    expect(entry?.data.batchDigest).toBe(sha256Hex(canonicalJson(parsed)));
  });

  it('is idempotent: the same order again changes nothing', async () => {
    const { t, store } = await seededGuard();
    await t.orders.upsert(order());
    const before = await store.transaction((tx) => tx.getRecord('acme', ORDER_KIND, 'o-1'));
    expect(await t.orders.upsert(order())).toEqual({ created: 0, updated: 0, unchanged: 1 });
    expect(await store.transaction((tx) => tx.getRecord('acme', ORDER_KIND, 'o-1'))).toEqual(before);
    expect((await t.risk.facts({ type: 'customer', id: 'c-rep' })).orders90d).toBe(1);
  });

  it('takes a cancelled order out of the facts, and finds the last order again', async () => {
    const { t } = await seededGuard();
    await t.orders.upsert([order({ id: 'o-old', orderedAt: '2026-09-01T02:00:00.000Z' }), order()]);
    expect((await t.risk.facts({ type: 'customer', id: 'c-rep' })).daysSinceLastOrder).toBe(13);
    await t.orders.upsert(order({ status: 'cancelled' }));
    expect(await t.risk.facts({ type: 'customer', id: 'c-rep' })).toMatchObject({
      orders90d: 1,
      orderAmount90d: 12_000,
      daysSinceLastOrder: 62,
    });
    await t.orders.upsert(order({ id: 'o-old', orderedAt: '2026-09-01T02:00:00.000Z', status: 'lost' }));
    expect(await t.risk.facts({ type: 'customer', id: 'c-rep' })).toMatchObject({
      orders90d: 0,
      daysSinceLastOrder: null,
    });
  });

  it('moves the contribution when the owner or the amount changes', async () => {
    const { t } = await seededGuard();
    await t.orders.upsert(order());
    await t.orders.upsert(order({ ownerId: 'mate', amountMinor: 3_000_00 }));
    expect((await t.risk.facts({ type: 'employee', id: 'rep' })).orderAmount90d).toBe(0);
    expect((await t.risk.facts({ type: 'employee', id: 'mate' })).orderAmount90d).toBe(3_000);
    expect((await t.risk.facts({ type: 'customer', id: 'c-rep' })).orderAmount90d).toBe(3_000);
  });

  it('counts yen as they are: major units follow the currency', async () => {
    const { t } = await seededGuard();
    await t.orders.upsert(order({ currency: 'JPY', amountMinor: 120_000 }));
    expect((await t.risk.facts({ type: 'customer', id: 'c-rep' })).orderAmount90d).toBe(120_000);
  });

  it('refuses a bad batch by index and writes nothing', async () => {
    const { t, store } = await seededGuard();
    const bad = [
      order(),
      order({ id: 'o-2', customerId: 'c-ghost' }),
      order({ id: 'o-3', ownerId: 'ghost' }),
      order({ id: 'o-4', orderedAt: '2030-01-01T00:00:00Z' }),
      order(),
    ];
    // A malformed order is found first, before the store is asked anything.
    const error = await rejection(t.orders.upsert([...bad, order({ id: 'o-5', currency: 'yuan' })]));
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as ValidationError).issues.map((i) => i.path.join('.'))).toEqual(['5.currency']);
    const second = await rejection(t.orders.upsert(bad));
    expect((second as ValidationError).issues.map((i) => i.path.join('.'))).toEqual([
      '1.customerId',
      '2.ownerId',
      '3.orderedAt',
      '4.id',
    ]);
    expect(await store.transaction((tx) => tx.getRecord('acme', ORDER_KIND, 'o-1'))).toBeNull();
    expect((await t.audit.query({ action: 'orders.upsert', limit: 10 })).items).toEqual([]);
  });

  it('puts an open order and money owed on the leaver’s handover checklist', async () => {
    const { t } = await seededGuard();
    await t.orders.upsert([
      order({ status: 'open', title: 'PO 2026-118' }),
      order({ id: 'o-2', receivableMinor: 6_000_00, title: 'PO 2026-090' }),
    ]);
    const kase = await t.offboarding.start({
      employeeId: 'rep',
      resignationDate: '2026-11-02',
      lastWorkingDay: '2026-11-30',
      reason: 'moving on',
    });
    const titles = kase.items.map((i) => i.title);
    expect(titles.some((x) => x.includes('PO 2026-118'))).toBe(true);
    expect(titles.some((x) => x.includes('PO 2026-090'))).toBe(true);
  });

  it('keeps the facts equal to a replay of the final orders, for any sequence of upserts', async () => {
    const asOf = new Date('2026-11-02T02:00:00.000Z');
    const upsertArb = fc.record({
      id: fc.constantFrom('o-1', 'o-2', 'o-3'),
      customerId: fc.constantFrom('c-rep', 'c-mate'),
      ownerId: fc.constantFrom('rep', 'mate', null),
      amountMinor: fc.integer({ min: 0, max: 1_000_000 }),
      day: fc.integer({ min: 0, max: 200 }),
      status: fc.constantFrom('open', 'won', 'fulfilled', 'lost', 'cancelled') as fc.Arbitrary<OrderInput['status']>,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(upsertArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        async (calls) => {
          const { t } = await seededGuard();
          const final = new Map<string, OrderInput>();
          for (const call of calls) {
            const batch = [...new Map(call.map((u) => [u.id, u])).values()].map((u) =>
              order({
                id: u.id,
                customerId: u.customerId,
                ownerId: u.ownerId,
                amountMinor: u.amountMinor,
                status: u.status,
                orderedAt: new Date(asOf.getTime() - u.day * 86_400_000 - 3_600_000).toISOString(),
              }),
            );
            await t.orders.upsert(batch);
            for (const o of batch) final.set(o.id, o);
          }
          const ledgers = new Map<string, ReturnType<typeof emptyLedger>>();
          for (const o of final.values()) {
            if (o.status === 'lost' || o.status === 'cancelled') continue;
            const signal = {
              kind: 'order' as const,
              customerId: o.customerId,
              ...(o.ownerId ? { employeeId: o.ownerId } : {}),
              at: o.orderedAt,
              value: o.amountMinor / 100,
            };
            for (const key of [`customer:${o.customerId}`, ...(o.ownerId ? [`employee:${o.ownerId}`] : [])]) {
              ledgers.set(key, addSignal(ledgers.get(key) ?? emptyLedger(), signal));
            }
          }
          for (const id of ['c-rep', 'c-mate']) {
            const expected = customerFacts(ledgers.get(`customer:${id}`) ?? emptyLedger(), asOf);
            const actual = await t.risk.facts({ type: 'customer', id });
            for (const fact of ['orders90d', 'orderAmount90d', 'orderAmountTrend', 'daysSinceLastOrder'] as const) {
              const want = expected[fact] as number | null;
              if (want === null) expect(actual[fact], `${id}.${fact}`).toBeNull();
              else expect(actual[fact], `${id}.${fact}`).toBeCloseTo(want);
            }
          }
          for (const id of ['rep', 'mate']) {
            const expected = employeeFacts(ledgers.get(`employee:${id}`) ?? emptyLedger(), { status: 'active' }, asOf);
            const actual = await t.risk.facts({ type: 'employee', id });
            expect(actual.orderAmount90d, `${id}.orderAmount90d`).toBeCloseTo(expected.orderAmount90d as number);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
