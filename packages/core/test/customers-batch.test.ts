import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataKeys, protectedStore } from '../src/encryption/index.js';
import {
  type CustomerInput,
  createGuard,
  isGuardError,
  MAX_CUSTOMER_BATCH,
  type MemoryStore,
  manualClock,
  memoryStore,
  sequentialIds,
  type ValidationError,
} from '../src/index.js';
import { customer, employees, rejection, seededGuard, snapshot, testKeys, units, workingHours } from './fixtures.js';

describe('customers.upsert with a batch', () => {
  it('creates, updates and leaves equal customers as they were, in one transaction', async () => {
    const { t } = await seededGuard();
    const before = await t.customers.read({ actor: 'rep', customerId: 'c-rep' });
    const result = await t.customers.upsert([
      customer('c-new-1', 'rep', 'sh-1'),
      { ...customer('c-new-2', null, 'sh'), externalRefs: { salesforce: '001A' } },
      { ...customer('c-rep', 'rep', 'sh-1'), name: 'Renamed' },
      customer('c-mate', 'mate', 'sh-1'),
    ]);
    expect(result).toEqual({
      created: 2,
      updated: 1,
      unchanged: 1,
      versions: { 'c-new-1': 1, 'c-new-2': 1, 'c-rep': before.version + 1, 'c-mate': 1 },
    });
    expect(await t.customers.read({ actor: 'rep', customerId: 'c-rep' })).toMatchObject({ name: 'Renamed' });
    expect((await t.customers.read({ actor: 'rep', customerId: 'c-new-1' })).fields.contact).toEqual({
      phone: '13812345678',
      email: 'buyer@example.com',
    });
  });

  it('is audited as one entry with the counts, unit moves and digest, and an owner-change entry per owner change', async () => {
    const { t } = await seededGuard();
    const batch = [
      customer('c-new', 'rep', 'sh-1'),
      customer('c-mate', 'rep', 'sh-1'),
      customer('c-other', 'other', 'sh-1'),
    ];
    await t.customers.upsert(batch, { actor: { type: 'host', id: 'crm-sync' } });
    const [entry] = (await t.audit.query({ action: 'customers.upsert', limit: 5 })).items;
    expect(entry).toMatchObject({
      actor: { type: 'host', id: 'crm-sync' },
      subject: { type: 'tenant', id: 'acme' },
      data: {
        customers: 3,
        created: 1,
        updated: 2,
        unchanged: 0,
        ownerChanges: 2,
        units: [['c-other', 'sh-2', 'sh-1']],
      },
    });
    // Each owner change has its own entry, so the customer's ownership history is complete.
    expect(await t.ownership.history('c-mate')).toMatchObject({
      items: [
        { from: null, to: 'mate' },
        { from: 'mate', to: 'rep', reason: 'sync' },
      ],
    });
    expect((await t.ownership.history('c-new')).items).toMatchObject([{ from: null, to: 'rep', reason: 'sync' }]);
    expect((entry?.data as { batchDigest?: string } | undefined)?.batchDigest).toMatch(/^[0-9a-f]{64}$/);
    // No personal data in the chain: names of fields at most, never their values.
    expect(JSON.stringify(entry)).not.toContain('13812345678');
    expect(await t.audit.verify()).toMatchObject({ ok: true });
  });

  it('writes nothing when one customer is invalid, and names each problem by its index', async () => {
    const { t, store } = await seededGuard();
    const before = snapshot(store as MemoryStore);
    const error = (await rejection(
      t.customers.upsert([
        customer('c-ok', 'rep', 'sh-1'),
        customer('c-ghost-unit', 'rep', 'nowhere'),
        customer('c-ok', 'mate', 'sh-1'),
        { ...customer('c-class', 'nobody', 'sh-1'), fields: { secret: { x: 1 } } },
      ]),
    )) as ValidationError;
    expect(isGuardError(error, 'VALIDATION_FAILED')).toBe(true);
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['2.id']);
    // Duplicates are found first; without them every problem of the tenant shows.
    const second = (await rejection(
      t.customers.upsert([
        customer('c-ok', 'rep', 'sh-1'),
        customer('c-ghost-unit', 'rep', 'nowhere'),
        { ...customer('c-class', 'nobody', 'sh-1'), fields: { secret: { x: 1 } } },
      ]),
    )) as ValidationError;
    expect(second.issues.map((i) => i.path.join('.'))).toEqual(['1.unitId', '2.fields.secret', '2.ownerId']);
    expect(snapshot(store as MemoryStore)).toBe(before);
  });

  it('refuses an empty batch, one over the limit and per-customer options', async () => {
    const { t } = await seededGuard();
    expect(isGuardError(await rejection(t.customers.upsert([])), 'VALIDATION_FAILED')).toBe(true);
    const tooMany = Array.from({ length: MAX_CUSTOMER_BATCH + 1 }, (_, i) => customer(`c-${i}`, 'rep', 'sh-1'));
    expect(isGuardError(await rejection(t.customers.upsert(tooMany)), 'VALIDATION_FAILED')).toBe(true);
    const withVersion = t.customers.upsert([customer('c-1', 'rep', 'sh-1')], { expectedVersion: 1 } as never);
    expect(isGuardError(await rejection(withVersion), 'VALIDATION_FAILED')).toBe(true);
  });

  it('leaves the customers, duplicate index and follow-up clocks as the same upserts one by one do', async () => {
    const owners = [null, 'rep', 'mate', 'other'];
    const unitIds = ['sh', 'sh-1', 'sh-2'];
    const arbitraryCustomer = fc.record({
      id: fc.constantFrom('c-1', 'c-2', 'c-3', 'c-4', 'c-5'),
      name: fc.constantFrom('Acme 有限公司', 'Acme', 'Beta Ltd', 'Gamma'),
      ownerId: fc.constantFrom(...owners),
      unitId: fc.constantFrom(...unitIds),
      phone: fc.constantFrom('13812345678', '+86 138 1234 5679', 'none'),
    });
    const toInput = (c: { id: string; name: string; ownerId: string | null; unitId: string; phone: string }) =>
      ({
        id: c.id,
        name: c.name,
        ownerId: c.ownerId,
        unitId: c.unitId,
        fields: { public: { industry: 'retail' }, contact: { phone: c.phone } },
      }) satisfies CustomerInput;
    // Field classes are stored encrypted (with random nonces): compare them decrypted.
    const state = async (store: MemoryStore) => {
      const data = store.raw.get('acme');
      const decrypting = protectedStore(store, new DataKeys({ keys: testKeys, locale: 'en' }), 'en');
      const stored = await decrypting.transaction((tx) => tx.listCustomers('acme', {}, { limit: 100 }));
      const customers = stored.items
        .map((c) => ({ id: c.id, name: c.name, ownerId: c.ownerId, unitId: c.unitId, fields: c.fields }))
        .sort((a, b) => a.id.localeCompare(b.id));
      const keys = [...(data?.records.get('customer-key')?.keys() ?? [])].sort();
      const timers = [...(data?.timers.values() ?? [])].map((tm) => `${tm.key}@${tm.dueAt}`).sort();
      return { customers, keys, timers };
    };
    const fresh = async () => {
      const store = memoryStore();
      const guard = createGuard({ store, keys: testKeys, clock: manualClock(workingHours), ids: sequentialIds() });
      await guard.tenants.upsert({ id: 'acme', name: 'ACME', timeZone: 'Asia/Shanghai' });
      await guard.tenant('acme').directory.sync({ units, employees });
      return { store, t: guard.tenant('acme') };
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uniqueArray(arbitraryCustomer, { selector: (c) => c.id, minLength: 1, maxLength: 5 }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (batches) => {
          const batched = await fresh();
          const single = await fresh();
          for (const batch of batches) {
            await batched.t.customers.upsert(batch.map(toInput));
            for (const c of batch) await single.t.customers.upsert(toInput(c));
          }
          expect(await state(batched.store)).toEqual(await state(single.store));
        },
      ),
      { numRuns: 60 },
    );
  });
});
