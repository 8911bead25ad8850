import { encodeCursor, isGuardError, type RecordFilter, type StoredRecord, type StoreTransaction } from '@guard/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { defineSuite } from './define-suite.js';
import {
  errorOf,
  instant,
  inTx,
  OTHER_TENANT,
  rawSnapshot,
  sortBy,
  storedRecord,
  TENANT,
  walkPages,
  workflowRecord,
} from './fixtures.js';
import type { RawRecordRow, StoreHarness } from './harness.js';

/** Few runs: every run is a few dozen statements, and on a networked database each one is a round trip. */
const NUM_RUNS = 50;
/** A networked database needs a few seconds for those runs; vitest's default of 5 s is too tight. */
const PROPERTY_TIMEOUT_MS = 60_000;
const LIMITS = [1, 2, 3, 1000] as const;

const conflict = (error: unknown) =>
  [isGuardError(error, 'CONFLICT'), `expected a ConflictError, got ${String(error)}`] as const;
const invalid = (what: string, error: unknown) =>
  [isGuardError(error, 'VALIDATION_FAILED'), `${what}: expected a ValidationError, got ${String(error)}`] as const;

/** Every field set: a ref, a status, nested JSON with nulls, arrays, numbers and non-ASCII text. */
const followUp: StoredRecord = storedRecord(TENANT, 'follow-up', 'f-1', {
  ref: 'c-1001',
  status: 'done',
  at: instant(-3_600_000),
  data: {
    channel: 'visit',
    employeeId: 'e-7',
    note: '拜访客户，讨论续约 “East” & Co.',
    attendees: [
      { id: 'e-7', lead: true },
      { id: 'e-8', lead: false, phone: null },
    ],
    outcome: { score: 4.5, next: null, tags: [], nested: { deeper: { deepest: [1, [2, [3]]] } } },
    count: 0,
    negative: -12,
  },
  createdAt: instant(-7_200_000),
  updatedAt: instant(-60_000),
});

/** The row the raw reader must find for a record. */
const rawRow = (r: StoredRecord): RawRecordRow => ({
  kind: r.kind,
  id: r.id,
  ref: r.ref,
  status: r.status,
  at: r.at,
  data: r.data,
  version: r.version,
});

const byKindAndId = <T extends { kind: string; id: string }>(rows: readonly T[]) =>
  sortBy(rows, (r) => `${r.kind}\u0000${r.id}`);

const rawRecords = async (h: StoreHarness, tenantId = TENANT) => byKindAndId(await h.raw.records(tenantId));

/** `compare` by UTF-16 code units, as `Array#sort` and the stores order ids. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** An instant in `Date#toISOString()` form; `null` when it is not a date. */
function normalized(instant: string): string | null {
  const ms = Date.parse(instant);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** What `listRecords(filter)` must return from `records` (of any tenant and kind), in order. */
function expectedList(tenantId: string, records: readonly StoredRecord[], filter: RecordFilter): StoredRecord[] {
  const from = filter.from === undefined ? undefined : normalized(filter.from);
  const to = filter.to === undefined ? undefined : normalized(filter.to);
  if (from === null || to === null) return [];
  const rows = records
    .filter(
      (r) =>
        r.tenantId === tenantId &&
        r.kind === filter.kind &&
        (filter.ref === undefined || r.ref === filter.ref) &&
        (filter.status === undefined || r.status === filter.status) &&
        (from === undefined || r.at >= from) &&
        (to === undefined || r.at < to),
    )
    .sort((a, b) => compare(a.at, b.at) || compare(a.id, b.id));
  return filter.order === 'desc' ? rows.reverse() : rows;
}

/** Walks `listRecords(filter)` with every limit, and checks each walk against the model. */
async function expectWalk(
  h: StoreHarness,
  records: readonly StoredRecord[],
  filter: RecordFilter,
  limits: readonly number[] = LIMITS,
): Promise<StoredRecord[]> {
  const want = expectedList(TENANT, records, filter);
  for (const limit of limits) {
    const walked = await walkPages(h, (tx, cursor) => tx.listRecords(TENANT, filter, { cursor, limit }), limit);
    expect(walked, `listRecords(${JSON.stringify(filter)}) with limit ${limit}`).toEqual(want);
  }
  return want;
}

async function putAll(h: StoreHarness, records: readonly StoredRecord[]): Promise<void> {
  await inTx(h, async (tx) => {
    for (const r of records) await tx.putRecord(r, null);
  });
}

/**
 * Ids that sort differently by byte and by a case- or punctuation-insensitive
 * collation, at three instants (so that ties on `at` are broken by id), with
 * refs and statuses to filter by.
 */
const LISTED: readonly StoredRecord[] = (
  [
    ['A-1', 0, 'c-1', 'open'],
    ['B', 0, 'c-2', null],
    ['a-1', 0, null, 'open'],
    ['b_2', -60_000, 'c-1', 'closed'],
    ['b.3', 60_000, 'c-1', 'open'],
    ['b-4', -60_000, null, 'open'],
    ['b10', 60_000, 'c-2', 'closed'],
    ['b9', 0, 'c-1', null],
    ['Z9', 120_000, 'c-1', 'open'],
    ['c', -120_000, 'c-2', 'open'],
  ] as const
).map(([id, ms, ref, status]) => storedRecord(TENANT, 'alert', id, { at: instant(ms), ref, status }));

/** Rows the listings above must never return: other kinds and another tenant, at the same instants. */
const DISTRACTORS: readonly StoredRecord[] = [
  storedRecord(TENANT, 'alerts', 'A-0', { ref: 'c-1', status: 'open' }),
  storedRecord(TENANT, 'alert-x', 'b', { ref: 'c-1', status: 'open', at: instant(60_000) }),
  storedRecord(TENANT, 'Alert', 'b', { ref: 'c-1', status: 'open', at: instant(60_000) }),
  storedRecord(OTHER_TENANT, 'alert', 'A-1', { ref: 'c-1', status: 'open' }),
  storedRecord(OTHER_TENANT, 'alert', 'b5', { ref: 'c-1', status: 'open', at: instant(60_000) }),
];

const ALL = [...LISTED, ...DISTRACTORS];

// ---- the paging property

const KINDS = ['k1', 'k2'] as const;
const IDS = ['a', 'B', 'b', 'b-1', 'b_1', 'c', 'C1', 'c10', 'c9'] as const;
const REFS = ['r1', 'r2'] as const;
const STATUSES = ['open', 'done'] as const;
/** Few instants, so that many records share one and the id breaks the tie. */
const OFFSETS = [-2000, -1000, 0, 1000] as const;

const recordSpec = fc.record({
  kind: fc.constantFrom(...KINDS),
  id: fc.constantFrom(...IDS),
  ref: fc.option(fc.constantFrom(...REFS), { nil: null }),
  status: fc.option(fc.constantFrom(...STATUSES), { nil: null }),
  at: fc.constantFrom(...OFFSETS),
});
/** `undefined` (no condition) as often as any one value, so that most filters keep several records. */
const maybe = <T>(...values: T[]) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: fc.constantFrom(...values), weight: 1 });
const filterSpec = fc.record({
  kind: fc.constantFrom(...KINDS),
  ref: maybe(...REFS),
  status: maybe(...STATUSES),
  from: maybe(-1500, -1000, 0),
  to: maybe(-1000, 0, 1000, 1500),
  order: fc.constantFrom('asc' as const, 'desc' as const, undefined),
});
/** Up to every (kind, id) pair once: many records per kind, many sharing an instant. */
const recordSpecs = fc
  .array(recordSpec, { minLength: 4, maxLength: KINDS.length * IDS.length, size: 'medium' })
  .map((specs) => [...new Map(specs.map((r) => [`${r.kind}/${r.id}`, r])).values()]);

export const recordsSuite = defineSuite('records', {
  'insertRecords inserts the records that do not exist, leaves the others as they are, and counts what it inserted':
    async (h) => {
      await inTx(h, (tx) => tx.putRecord(followUp, null));
      const many = Array.from({ length: 240 }, (_, i) =>
        storedRecord(i % 2 === 0 ? TENANT : OTHER_TENANT, 'index', `k-${String(i).padStart(3, '0')}`, {
          ref: `ref-${i % 7}`,
          data: { customerId: `c-${i}`, 名: '客户' },
        }),
      );
      const again = { ...followUp, data: { replaced: true } };
      expect(await inTx(h, (tx) => tx.insertRecords([...many, again, many[0] as StoredRecord]))).toBe(240);
      expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'f-1'))).toEqual(followUp);
      expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'index', 'k-000'))).toEqual(many[0]);
      expect((await rawRecords(h)).filter((r) => r.kind === 'index')).toHaveLength(120);
      expect(await inTx(h, (tx) => tx.insertRecords(many))).toBe(0);
      expect(await inTx(h, (tx) => tx.insertRecords([]))).toBe(0);
    },

  'getRecord is null for a missing record, another kind or another tenant': async (h) => {
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'f-404'))).toBeNull();
    await inTx(h, (tx) => tx.putRecord(followUp, null));
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'alert', 'f-1'))).toBeNull();
    expect(await inTx(h, (tx) => tx.getRecord(OTHER_TENANT, 'follow-up', 'f-1'))).toBeNull();
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'F-1'))).toBeNull();
  },

  'inserts a new record with expectedVersion null, every field round-tripping': async (h) => {
    // Nulls where a record may have them, and JSON values that are not objects.
    const others = [
      storedRecord(TENANT, 'setting', 's-null', { data: null }),
      storedRecord(TENANT, 'setting', 's-array', { data: [1, 'two', null, { three: [true, false] }] }),
      storedRecord(TENANT, 'setting', 's-text', { data: 'plain text, 中文' }),
      storedRecord(TENANT, 'setting', 's-number', { data: 0.1 }),
      storedRecord(TENANT, 'setting', 's-false', { data: false }),
      storedRecord(TENANT, 'setting', 's-empty', { data: {} }),
    ];
    await putAll(h, [followUp, ...others]);
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'f-1'))).toEqual(followUp);
    for (const r of others) expect(await inTx(h, (tx) => tx.getRecord(TENANT, r.kind, r.id)), r.id).toEqual(r);
    expect(await rawRecords(h)).toEqual(byKindAndId([followUp, ...others].map(rawRow)));
  },

  'updates a record given its current version, every field but the key changing': async (h) => {
    await inTx(h, (tx) => tx.putRecord(followUp, null));
    const v2: StoredRecord = {
      ...followUp,
      ref: 'c-2002',
      status: 'overdue',
      at: instant(86_400_000),
      data: { channel: 'call', notes: ['a', 'b'] },
      version: 2,
      updatedAt: instant(1),
    };
    await inTx(h, (tx) => tx.putRecord(v2, 1));
    const v3: StoredRecord = { ...v2, ref: null, status: null, data: null, version: 3, updatedAt: instant(2) };
    await inTx(h, (tx) => tx.putRecord(v3, 2));
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'f-1'))).toEqual(v3);
    expect(await rawRecords(h)).toEqual([rawRow(v3)]);
  },

  'throws ConflictError on a stale or wrong version, leaving the row unchanged and the transaction usable': async (
    h,
  ) => {
    await inTx(h, (tx) => tx.putRecord(followUp, null));
    const v2 = { ...followUp, status: 'v2', version: 2 };
    await inTx(h, (tx) => tx.putRecord(v2, 1));
    const extra = storedRecord(TENANT, 'follow-up', 'f-2');
    const [stale, ahead, read] = await inTx(h, async (tx) => {
      // stale: written by someone who read version 1; ahead: a version that was never read
      const staleError = await errorOfCall(() => tx.putRecord({ ...followUp, status: 'stale', version: 2 }, 1));
      const aheadError = await errorOfCall(() => tx.putRecord({ ...followUp, status: 'ahead', version: 6 }, 5));
      // The transaction goes on: it reads, writes, and commits.
      const current = await tx.getRecord(TENANT, 'follow-up', 'f-1');
      await tx.putRecord(extra, null);
      return [staleError, aheadError, current] as const;
    });
    expect(...conflict(stale)).toBe(true);
    expect(...conflict(ahead)).toBe(true);
    expect(read).toEqual(v2);
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'f-1'))).toEqual(v2);
    expect(await rawRecords(h)).toEqual([rawRow(v2), rawRow(extra)]);
  },

  'throws ConflictError unless the version is expectedVersion + 1, and writes nothing': async (h) => {
    for (const version of [0, 2]) {
      const error = await errorOf(h, (tx) => tx.putRecord({ ...followUp, version }, null));
      expect(...conflict(error)).toBe(true);
    }
    expect(await rawRecords(h)).toEqual([]);
    await inTx(h, (tx) => tx.putRecord(followUp, null));
    for (const version of [1, 3]) {
      const error = await errorOf(h, (tx) => tx.putRecord({ ...followUp, status: 'bad', version }, 1));
      expect(...conflict(error)).toBe(true);
    }
    expect(await rawRecords(h)).toEqual([rawRow(followUp)]);
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'f-1'))).toEqual(followUp);
  },

  'throws ConflictError when inserting an id that exists, and writes nothing': async (h) => {
    await inTx(h, (tx) => tx.putRecord(followUp, null));
    const impostor = storedRecord(TENANT, 'follow-up', 'f-1', { status: 'impostor', data: { impostor: true } });
    const error = await errorOf(h, (tx) => tx.putRecord(impostor, null));
    expect(...conflict(error)).toBe(true);
    expect(await rawRecords(h)).toEqual([rawRow(followUp)]);
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'f-1'))).toEqual(followUp);
  },

  'throws ConflictError when updating a record that does not exist, and writes nothing': async (h) => {
    const error = await errorOf(h, (tx) => tx.putRecord({ ...followUp, version: 2 }, 1));
    expect(...conflict(error)).toBe(true);
    expect(await rawRecords(h)).toEqual([]);
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'f-1'))).toBeNull();
  },

  'of concurrent writers with the same expected version exactly one wins': async (h) => {
    const writers = Array.from({ length: 6 }, (_, i) => i);
    const race = async (write: (i: number) => StoredRecord, expected: number | null) => {
      const settled = await Promise.allSettled(
        writers.map((i) => h.store.transaction((tx) => tx.putRecord(write(i), expected))),
      );
      const losers = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
      for (const reason of losers) expect(...conflict(reason)).toBe(true);
      expect(losers).toHaveLength(writers.length - 1);
    };
    await race((i) => ({ ...followUp, data: { writer: i } }), null);
    const v1 = await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'f-1'));
    expect(v1?.version).toBe(1);
    await race((i) => ({ ...followUp, data: { writer: i, round: 2 }, version: 2 }), 1);
    const v2 = await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'f-1'));
    expect(v2?.version).toBe(2);
    expect(await rawRecords(h)).toEqual([rawRow(v2 as StoredRecord)]);
  },

  'kinds are separate: the same id in another kind is another record': async (h) => {
    const mine = storedRecord(TENANT, 'follow-up', 'x', { ref: 'c-1', data: { of: 'follow-up' } });
    const alert = storedRecord(TENANT, 'alert', 'x', { ref: 'c-1', data: { of: 'alert' } });
    const prefixed = storedRecord(TENANT, 'follow-up-2', 'x', { ref: 'c-1', data: { of: 'follow-up-2' } });
    await putAll(h, [mine, alert, prefixed]);
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'x'))).toEqual(mine);
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'alert', 'x'))).toEqual(alert);
    // A write of one kind checks and changes that kind's version only.
    const alertV2 = { ...alert, status: 'open', version: 2 };
    await inTx(h, (tx) => tx.putRecord(alertV2, 1));
    expect(...conflict(await errorOf(h, (tx) => tx.putRecord({ ...mine, version: 3 }, 2)))).toBe(true);
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'x'))).toEqual(mine);
    for (const kind of ['follow-up', 'alert', 'follow-up-2']) {
      const listed = await inTx(h, (tx) => tx.listRecords(TENANT, { kind, ref: 'c-1' }, { limit: 10 }));
      expect(listed.items.map((r) => r.kind)).toEqual([kind]);
    }
    expect(await inTx(h, (tx) => tx.deleteRecord(TENANT, 'follow-up', 'x'))).toBe(true);
    expect(await rawRecords(h)).toEqual(byKindAndId([alertV2, prefixed].map(rawRow)));
  },

  "tenants are separate: another tenant's records are never read, listed, changed or deleted": async (h) => {
    const mine = storedRecord(TENANT, 'alert', 'a-1', { ref: 'e-1', status: 'open', data: { tenant: TENANT } });
    const theirs = storedRecord(OTHER_TENANT, 'alert', 'a-1', {
      ref: 'e-1',
      status: 'open',
      data: { tenant: OTHER_TENANT },
    });
    const theirsOnly = storedRecord(OTHER_TENANT, 'alert', 'a-0', { ref: 'e-1', status: 'open' });
    await putAll(h, [mine, theirs, theirsOnly]);
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'alert', 'a-1'))).toEqual(mine);
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'alert', 'a-0'))).toBeNull();
    for (const filter of [{}, { ref: 'e-1' }, { status: 'open' }, { order: 'desc' as const }]) {
      const page = await inTx(h, (tx) => tx.listRecords(TENANT, { kind: 'alert', ...filter }, { limit: 10 }));
      expect(page, JSON.stringify(filter)).toEqual({ items: [mine], nextCursor: null });
    }
    // Versions are per tenant: their version 1 is not ours to update from.
    const theirsV2 = { ...theirs, status: 'closed', version: 2 };
    await inTx(h, (tx) => tx.putRecord(theirsV2, 1));
    expect(...conflict(await errorOf(h, (tx) => tx.putRecord({ ...mine, version: 3 }, 2)))).toBe(true);
    expect(await inTx(h, (tx) => tx.deleteRecord(TENANT, 'alert', 'a-0'))).toBe(false);
    expect(await inTx(h, (tx) => tx.deleteRecord(TENANT, 'alert', 'a-1'))).toBe(true);
    expect(await rawRecords(h)).toEqual([]);
    expect(await rawRecords(h, OTHER_TENANT)).toEqual(byKindAndId([theirsV2, theirsOnly].map(rawRow)));
  },

  'deleteRecord removes the record and returns true; false when there was none': async (h) => {
    const other = storedRecord(TENANT, 'follow-up', 'f-2');
    await putAll(h, [followUp, other]);
    expect(await inTx(h, (tx) => tx.deleteRecord(TENANT, 'follow-up', 'f-1'))).toBe(true);
    expect(await inTx(h, (tx) => tx.deleteRecord(TENANT, 'follow-up', 'f-1'))).toBe(false);
    expect(await inTx(h, (tx) => tx.deleteRecord(TENANT, 'follow-up', 'f-404'))).toBe(false);
    expect(await inTx(h, (tx) => tx.deleteRecord(TENANT, 'nothing-here', 'f-2'))).toBe(false);
    expect(await inTx(h, (tx) => tx.deleteRecord('no-such-tenant', 'follow-up', 'f-2'))).toBe(false);
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'f-1'))).toBeNull();
    expect(await rawRecords(h)).toEqual([rawRow(other)]);
    // Gone means gone: the id can be created again, from version 1.
    const again = storedRecord(TENANT, 'follow-up', 'f-1', { data: { again: true } });
    await inTx(h, (tx) => tx.putRecord(again, null));
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'f-1'))).toEqual(again);
  },

  'listRecords orders by at, then id, and by both descending with order desc': async (h) => {
    await putAll(h, ALL);
    const asc = await expectWalk(h, ALL, { kind: 'alert' });
    expect(asc.map((r) => r.id)).toEqual(['c', 'b-4', 'b_2', 'A-1', 'B', 'a-1', 'b9', 'b.3', 'b10', 'Z9']);
    expect(await expectWalk(h, ALL, { kind: 'alert', order: 'asc' })).toEqual(asc);
    expect(await expectWalk(h, ALL, { kind: 'alert', order: 'desc' })).toEqual([...asc].reverse());
    await expectWalk(h, ALL, { kind: 'no-such-kind' });
  },

  'listRecords filters by ref, by status, and by both': async (h) => {
    await putAll(h, ALL);
    const count = async (filter: Omit<RecordFilter, 'kind'>) => {
      const asc = await expectWalk(h, ALL, { kind: 'alert', ...filter });
      const desc = await expectWalk(h, ALL, { kind: 'alert', ...filter, order: 'desc' });
      expect(desc).toEqual([...asc].reverse());
      return asc.length;
    };
    expect(await count({ ref: 'c-1' })).toBe(5);
    expect(await count({ ref: 'c-2' })).toBe(3);
    expect(await count({ status: 'open' })).toBe(6);
    expect(await count({ status: 'closed' })).toBe(2);
    expect(await count({ ref: 'c-1', status: 'open' })).toBe(3);
    expect(await count({ ref: 'c-2', status: 'closed' })).toBe(1);
    expect(await count({ ref: 'nobody' })).toBe(0);
    expect(await count({ ref: 'c-1', status: 'nothing' })).toBe(0);
  },

  'listRecords keeps records with from <= at < to': async (h) => {
    await putAll(h, ALL);
    const count = async (filter: Omit<RecordFilter, 'kind'>) =>
      (await expectWalk(h, ALL, { kind: 'alert', ...filter })).length;
    expect(await count({ from: instant(0) })).toBe(7);
    expect(await count({ to: instant(0) })).toBe(3);
    expect(await count({ from: instant(-60_000), to: instant(60_000) })).toBe(6);
    expect(await count({ from: instant(-59_999), to: instant(60_001) })).toBe(6);
    expect(await count({ from: instant(0), to: instant(0) })).toBe(0);
    expect(await count({ from: instant(120_001) })).toBe(0);
    expect(await count({ from: instant(-60_000), to: instant(120_000), ref: 'c-1', status: 'open' })).toBe(2);
    expect(await count({ from: instant(-60_000), to: instant(120_000), order: 'desc' })).toBe(8);
    // Any ISO 8601 form of an instant is that instant: without milliseconds, or with an offset.
    expect(await count({ from: '2026-11-02T02:00:00Z', to: '2026-11-02T10:01:00+08:00' })).toBe(4);
    expect(await expectWalk(h, ALL, { kind: 'alert', from: '2026-11-02T02:00:00Z' })).toEqual(
      expectedList(TENANT, ALL, { kind: 'alert', from: instant(0) }),
    );
    // An instant that is not a date matches nothing.
    expect(await count({ from: 'not a date' })).toBe(0);
    expect(await count({ to: 'not a date' })).toBe(0);
  },

  'listRecords pages through any filter without duplicates or gaps, for any limit': {
    timeoutMs: PROPERTY_TIMEOUT_MS,
    run: async (h) => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(recordSpecs, filterSpec, fc.integer({ min: 1, max: 4 }), async (specs, spec, limit) => {
          run++;
          const tenantId = `rec-${run}`;
          const records = specs.map((r) =>
            storedRecord(tenantId, r.kind, r.id, {
              ref: r.ref,
              status: r.status,
              at: instant(r.at),
              data: { n: r.at },
            }),
          );
          await putAll(h, records);
          const filter: RecordFilter = {
            kind: spec.kind,
            ref: spec.ref,
            status: spec.status,
            from: spec.from === undefined ? undefined : instant(spec.from),
            to: spec.to === undefined ? undefined : instant(spec.to),
            order: spec.order,
          };
          const walked = await walkPages(h, (tx, cursor) => tx.listRecords(tenantId, filter, { cursor, limit }), limit);
          expect(walked).toEqual(expectedList(tenantId, records, filter));
        }),
        { numRuns: NUM_RUNS },
      );
    },
  },

  'a cursor that no page of listRecords returned is a ValidationError, and its cursors fit no other listing': async (
    h,
  ) => {
    await putAll(h, ALL);
    await inTx(h, async (tx) => {
      await tx.putWorkflow(workflowRecord(TENANT, 'wf-1'), null);
      await tx.putWorkflow(workflowRecord(TENANT, 'wf-2'), null);
    });
    const records = await inTx(h, (tx) => tx.listRecords(TENANT, { kind: 'alert' }, { limit: 2 }));
    const workflows = await inTx(h, (tx) => tx.listWorkflows(TENANT, {}, { limit: 1 }));
    expect(records.nextCursor).not.toBeNull();
    expect(workflows.nextCursor).not.toBeNull();
    const recordsCursor = records.nextCursor as string;
    const listRecords = (cursor: string) => (tx: StoreTransaction) =>
      tx.listRecords(TENANT, { kind: 'alert' }, { cursor, limit: 2 });
    const attempts = {
      garbage: await errorOf(h, listRecords('!!not-a-cursor!!')),
      'a cursor of listWorkflows': await errorOf(h, listRecords(workflows.nextCursor as string)),
      'one value': await errorOf(h, listRecords(encodeCursor({ after: instant() }))),
      'numbers for (at, id)': await errorOf(h, listRecords(encodeCursor({ after: [1, 2] }))),
      'three values': await errorOf(h, listRecords(encodeCursor({ after: [instant(), 'a', 'b'] }))),
      'in listWorkflows': await errorOf(h, (tx) => tx.listWorkflows(TENANT, {}, { cursor: recordsCursor, limit: 2 })),
      'in listCustomers': await errorOf(h, (tx) => tx.listCustomers(TENANT, {}, { cursor: recordsCursor, limit: 2 })),
      'in queryAudit': await errorOf(h, (tx) => tx.queryAudit(TENANT, { cursor: recordsCursor, limit: 2 })),
    };
    for (const [what, error] of Object.entries(attempts)) expect(...invalid(what, error)).toBe(true);
  },

  'rolls back record writes and deletes when the work throws': async (h) => {
    const kept = storedRecord(TENANT, 'follow-up', 'f-2', { ref: 'c-1' });
    await putAll(h, [followUp, kept, storedRecord(TENANT, 'alert', 'a-1')]);
    const rawBefore = await rawSnapshot(h, [TENANT, OTHER_TENANT]);
    const list = () =>
      inTx(h, async (tx) => ({
        followUps: await tx.listRecords(TENANT, { kind: 'follow-up' }, { limit: 100 }),
        alerts: await tx.listRecords(TENANT, { kind: 'alert' }, { limit: 100 }),
        fresh: await tx.listRecords(TENANT, { kind: 'brand-new' }, { limit: 100 }),
        theirs: await tx.listRecords(OTHER_TENANT, { kind: 'follow-up' }, { limit: 100 }),
      }));
    const portBefore = await list();

    const boom = new Error('boom');
    const done: unknown[] = [];
    await expect(
      h.store.transaction(async (tx) => {
        await tx.putRecord({ ...followUp, status: 'changed', data: { changed: true }, version: 2 }, 1);
        await tx.putRecord(storedRecord(TENANT, 'follow-up', 'f-3'), null);
        await tx.putRecord(storedRecord(TENANT, 'brand-new', 'n-1'), null);
        await tx.putRecord(storedRecord(OTHER_TENANT, 'follow-up', 'f-1'), null);
        done.push(await tx.deleteRecord(TENANT, 'follow-up', 'f-2'));
        done.push(await tx.deleteRecord(TENANT, 'alert', 'a-1'));
        done.push((await tx.listRecords(TENANT, { kind: 'follow-up' }, { limit: 100 })).items.map((r) => r.id));
        throw boom;
      }),
    ).rejects.toBe(boom);
    // Each of them did write before the work threw.
    expect(done).toEqual([true, true, ['f-1', 'f-3']]);
    expect(await rawSnapshot(h, [TENANT, OTHER_TENANT])).toEqual(rawBefore);
    expect(await list()).toEqual(portBefore);
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'follow-up', 'f-1'))).toEqual(followUp);
  },

  'never keeps or returns references a caller could mutate': async (h) => {
    const items = [{ sku: 'A-1', qty: 2 }];
    const record = storedRecord(TENANT, 'order', 'o-1', { ref: 'c-1', data: { items, total: { cents: 1200 } } });
    const expected = storedRecord(TENANT, 'order', 'o-1', {
      ref: 'c-1',
      data: { items: [{ sku: 'A-1', qty: 2 }], total: { cents: 1200 } },
    });
    await inTx(h, async (tx) => {
      await tx.putRecord(record, null);
      // Change what was passed in…
      Object.assign(record, { status: 'mutated' });
      items.push({ sku: 'mutated', qty: 0 });
      (items[0] as { qty: number }).qty = 99;
      // …and what came out.
      const got = await tx.getRecord(TENANT, 'order', 'o-1');
      const listed = (await tx.listRecords(TENANT, { kind: 'order' }, { limit: 10 })).items[0];
      expect([got, listed]).toEqual([expected, expected]);
      // A store may hand out frozen records instead of copies: then these throw, which is fine too.
      for (const r of [got, listed]) {
        attempt(() => Object.assign(r ?? {}, { status: 'mutated' }));
        attempt(() => {
          const item = (r?.data as { items: { qty: number }[] } | undefined)?.items[0];
          if (item) item.qty++;
        });
      }
      expect(await tx.getRecord(TENANT, 'order', 'o-1')).toEqual(expected);
    });
    expect(await inTx(h, (tx) => tx.getRecord(TENANT, 'order', 'o-1'))).toEqual(expected);
  },
});

/** The error `call` rejects with, or `null`; for catching inside a transaction that goes on. */
async function errorOfCall(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
    return null;
  } catch (error) {
    return error;
  }
}

/** Runs `change`, ignoring the TypeError a frozen object throws. */
function attempt(change: () => unknown): void {
  try {
    change();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}
