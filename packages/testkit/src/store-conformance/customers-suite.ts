import { isGuardError, type StoreTransaction } from '@guard/core';
import { expect } from 'vitest';
import { defineSuite } from './define-suite.js';
import {
  customerRecord,
  errorOf,
  instant,
  inTx,
  OTHER_TENANT,
  rawSnapshot,
  sortBy,
  storedRecord,
  TENANT,
  workflowRecord,
} from './fixtures.js';

const rich = customerRecord(TENANT, 'c-1', {
  name: '华东机电 “East” & Co.',
  ownerId: 'e-7',
  unitId: 'sh-1',
  fields: {
    public: { industry: '制造业', city: '上海', employees: 250, listed: false },
    contact: { phone: '13812345678', email: 'wang@example.cn', fax: null },
    commercial: { creditLimit: 500000, discount: 12.5 },
  },
  externalRefs: { salesforce: '001xx000003DGb2AAG', wecom: 'wmABC' },
  createdAt: instant(-86_400_000),
  updatedAt: instant(),
});

export const customersSuite = defineSuite('customers', {
  'insertCustomers inserts many new customers at once, every field round-tripping': async (h) => {
    // More than one statement's worth on every store (SQLite binds at most 999 values).
    const many = Array.from({ length: 250 }, (_, i) =>
      customerRecord(i % 2 === 0 ? TENANT : OTHER_TENANT, `c-${String(i).padStart(3, '0')}`, {
        ...rich,
        tenantId: i % 2 === 0 ? TENANT : OTHER_TENANT,
        id: `c-${String(i).padStart(3, '0')}`,
        ownerId: i % 3 === 0 ? null : `e-${i}`,
      }),
    );
    await inTx(h, (tx) => tx.insertCustomers(many));
    for (const tenantId of [TENANT, OTHER_TENANT]) {
      const mine = many.filter((c) => c.tenantId === tenantId);
      const read = await inTx(h, (tx) =>
        tx.getCustomers(
          tenantId,
          mine.map((c) => c.id),
        ),
      );
      expect(sortBy(read, (c) => c.id)).toEqual(mine);
      expect(await h.raw.customers(tenantId)).toHaveLength(125);
    }
    await inTx(h, (tx) => tx.insertCustomers([]));
  },

  'insertCustomers throws ConflictError for an id the tenant has or one given twice, and writes nothing': async (h) => {
    await inTx(h, (tx) => tx.putCustomer(rich, null));
    const before = await rawSnapshot(h, [TENANT, OTHER_TENANT]);
    const fresh = Array.from({ length: 150 }, (_, i) => customerRecord(TENANT, `c-new-${i}`));
    const taken = await errorOf(h, (tx) => tx.insertCustomers([...fresh, { ...rich, name: 'again' }]));
    expect(isGuardError(taken, 'CONFLICT'), `expected a ConflictError, got ${String(taken)}`).toBe(true);
    expect(await rawSnapshot(h, [TENANT, OTHER_TENANT])).toEqual(before);
    const twice = await errorOf(h, (tx) =>
      tx.insertCustomers([customerRecord(TENANT, 'c-x'), customerRecord(TENANT, 'c-x', { name: 'other' })]),
    );
    expect(isGuardError(twice, 'CONFLICT'), `expected a ConflictError, got ${String(twice)}`).toBe(true);
    expect(await rawSnapshot(h, [TENANT, OTHER_TENANT])).toEqual(before);
    // The same id in another tenant is another customer.
    await inTx(h, (tx) => tx.insertCustomers([{ ...rich, tenantId: OTHER_TENANT }]));
    expect(await h.raw.customers(OTHER_TENANT)).toHaveLength(1);
  },

  'getCustomer is null for a missing customer': async (h) => {
    expect(await inTx(h, (tx) => tx.getCustomer(TENANT, 'c-404'))).toBeNull();
  },

  'inserts a new customer with expectedVersion null, every field round-tripping': async (h) => {
    await inTx(h, (tx) => tx.putCustomer(rich, null));
    expect(await inTx(h, (tx) => tx.getCustomer(TENANT, 'c-1'))).toEqual(rich);
    expect(await h.raw.customers(TENANT)).toEqual([
      { id: 'c-1', name: rich.name, ownerId: 'e-7', unitId: 'sh-1', version: 1 },
    ]);
  },

  'updates a customer given its current version': async (h) => {
    await inTx(h, (tx) => tx.putCustomer(rich, null));
    const v2 = { ...rich, name: 'Renamed', fields: { public: { city: '杭州' } }, version: 2, updatedAt: instant(1) };
    await inTx(h, (tx) => tx.putCustomer(v2, 1));
    const v3 = { ...v2, ownerId: null, unitId: 'hz', version: 3, updatedAt: instant(2) };
    await inTx(h, (tx) => tx.putCustomer(v3, 2));
    expect(await inTx(h, (tx) => tx.getCustomer(TENANT, 'c-1'))).toEqual(v3);
    expect(await h.raw.customers(TENANT)).toEqual([
      { id: 'c-1', name: 'Renamed', ownerId: null, unitId: 'hz', version: 3 },
    ]);
  },

  'throws ConflictError on a stale or wrong version, and writes nothing': async (h) => {
    await inTx(h, (tx) => tx.putCustomer(rich, null));
    await inTx(h, (tx) => tx.putCustomer({ ...rich, name: 'v2', version: 2 }, 1));
    const before = await h.raw.customers(TENANT);
    // stale: written by someone who read version 1
    const stale = await errorOf(h, (tx) => tx.putCustomer({ ...rich, name: 'stale', version: 2 }, 1));
    expect(isGuardError(stale, 'CONFLICT'), `expected a ConflictError, got ${String(stale)}`).toBe(true);
    // wrong: a version that was never read
    const ahead = await errorOf(h, (tx) => tx.putCustomer({ ...rich, name: 'ahead', version: 6 }, 5));
    expect(isGuardError(ahead, 'CONFLICT'), `expected a ConflictError, got ${String(ahead)}`).toBe(true);
    expect(await h.raw.customers(TENANT)).toEqual(before);
    expect((await inTx(h, (tx) => tx.getCustomer(TENANT, 'c-1')))?.name).toBe('v2');
  },

  'a version that is not a whole number is a ValidationError on every versioned write, and writes nothing': async (
    h,
  ) => {
    await inTx(h, (tx) => tx.putCustomer(rich, null));
    await inTx(h, (tx) => tx.putWorkflow(workflowRecord(TENANT, 'wf-1'), null));
    await inTx(h, (tx) => tx.putRecord(storedRecord(TENANT, 'note', 'r-1'), null));
    const before = await rawSnapshot(h, [TENANT]);
    // As a host's JSON could give them: text, an array, a fraction; `'1' + 1` would be `'11'`.
    const bad: [unknown, unknown][] = [
      ['2', '1'],
      [[2], [1]],
      [2, '1'],
      ['11', 1],
      [2.5, 1.5],
      [2, -1 + 0.5],
    ];
    for (const [version, expected] of bad) {
      const writes = [
        (tx: StoreTransaction) => tx.putCustomer({ ...rich, version: version as number }, expected as number),
        (tx: StoreTransaction) =>
          tx.putWorkflow(workflowRecord(TENANT, 'wf-1', { version: version as number }), expected as number),
        (tx: StoreTransaction) =>
          tx.putRecord(storedRecord(TENANT, 'note', 'r-1', { version: version as number }), expected as number),
      ];
      for (const write of writes) {
        const error = await errorOf(h, write);
        expect(
          isGuardError(error, 'VALIDATION_FAILED'),
          `version ${JSON.stringify(version)} after ${JSON.stringify(expected)}: got ${String(error)}`,
        ).toBe(true);
      }
    }
    expect(await rawSnapshot(h, [TENANT])).toEqual(before);
  },

  'a NUL or a lone surrogate anywhere in a record is the same ValidationError on every store, and writes nothing':
    async (h) => {
      await inTx(h, (tx) => tx.putCustomer(rich, null));
      const before = await rawSnapshot(h, [TENANT]);
      const dirty = ['a\u0000b', 'lone \ud800 high', 'lone \udc00 low', '\udfff\ud800 reversed'];
      for (const text of dirty) {
        const writes: [string, (tx: StoreTransaction) => Promise<unknown>][] = [
          ['customer name', (tx) => tx.putCustomer({ ...rich, name: text, version: 2 }, 1)],
          ['customer field', (tx) => tx.putCustomer({ ...rich, fields: { contact: { phone: text } }, version: 2 }, 1)],
          ['new customer', (tx) => tx.putCustomer(customerRecord(TENANT, 'c-2', { name: text }), null)],
          ['record data', (tx) => tx.putRecord(storedRecord(TENANT, 'note', 'r-1', { data: { [text]: 1 } }), null)],
          [
            'workflow snapshot',
            (tx) => tx.putWorkflow(workflowRecord(TENANT, 'wf-1', { snapshot: { note: text } }), null),
          ],
        ];
        for (const [what, write] of writes) {
          const error = await errorOf(h, write);
          expect(
            isGuardError(error, 'VALIDATION_FAILED'),
            `${what} with ${JSON.stringify(text)}: got ${String(error)}`,
          ).toBe(true);
        }
      }
      expect(await rawSnapshot(h, [TENANT])).toEqual(before);
    },

  'keeps every other text exactly: emoji, CJK, combining marks, RTL, quotes and backslashes': async (h) => {
    const texts = ['😀👨‍👩‍👧', '华东机电 𠀋', 'e\u0301', 'שלום', 'say "hi" \\ \'ok\'', '\t\n\r', '\u{10ffff}'];
    const record = customerRecord(TENANT, 'c-2', {
      name: texts.join(' '),
      fields: { public: Object.fromEntries(texts.map((t, i) => [`f${i}`, t])) },
    });
    await inTx(h, (tx) => tx.putCustomer(record, null));
    expect(await inTx(h, (tx) => tx.getCustomer(TENANT, 'c-2'))).toEqual(record);
  },

  'throws ConflictError when inserting an id that exists, and writes nothing': async (h) => {
    await inTx(h, (tx) => tx.putCustomer(rich, null));
    const before = await h.raw.customers(TENANT);
    const error = await errorOf(h, (tx) =>
      tx.putCustomer(customerRecord(TENANT, 'c-1', { name: 'Impostor', ownerId: 'e-9' }), null),
    );
    expect(isGuardError(error, 'CONFLICT'), `expected a ConflictError, got ${String(error)}`).toBe(true);
    expect(await h.raw.customers(TENANT)).toEqual(before);
    expect(await inTx(h, (tx) => tx.getCustomer(TENANT, 'c-1'))).toEqual(rich);
  },

  'throws ConflictError when updating a customer that does not exist, and writes nothing': async (h) => {
    const error = await errorOf(h, (tx) => tx.putCustomer(customerRecord(TENANT, 'c-1', { version: 2 }), 1));
    expect(isGuardError(error, 'CONFLICT'), `expected a ConflictError, got ${String(error)}`).toBe(true);
    expect(await h.raw.customers(TENANT)).toEqual([]);
    expect(await inTx(h, (tx) => tx.getCustomer(TENANT, 'c-1'))).toBeNull();
  },

  'getCustomers returns the customers that exist, ignoring unknown ids': async (h) => {
    const a = customerRecord(TENANT, 'c-a');
    const b = customerRecord(TENANT, 'c-b', { ownerId: 'e-1' });
    await inTx(h, async (tx) => {
      await tx.putCustomer(a, null);
      await tx.putCustomer(b, null);
      await tx.putCustomer(customerRecord(OTHER_TENANT, 'c-c'), null);
    });
    const found = await inTx(h, (tx) => tx.getCustomers(TENANT, ['c-b', 'c-c', 'c-404', 'c-a']));
    expect(sortBy(found, (c) => c.id)).toEqual([a, b]);
    expect(await inTx(h, (tx) => tx.getCustomers(TENANT, []))).toEqual([]);
  },

  'ids that differ only in case are different customers': async (h) => {
    const lower = customerRecord(TENANT, 'acme-c1', { name: 'lower' });
    const upper = customerRecord(TENANT, 'ACME-C1', { name: 'upper' });
    await inTx(h, async (tx) => {
      await tx.putCustomer(lower, null);
      await tx.putCustomer(upper, null);
    });
    expect(await inTx(h, (tx) => tx.getCustomer(TENANT, 'acme-c1'))).toEqual(lower);
    expect(await inTx(h, (tx) => tx.getCustomer(TENANT, 'ACME-C1'))).toEqual(upper);
    expect(await inTx(h, (tx) => tx.getCustomer(TENANT, 'Acme-C1'))).toBeNull();
    expect(sortBy(await h.raw.customers(TENANT), (c) => c.id).map((c) => c.name)).toEqual(['upper', 'lower']);
  },
});
